import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Recorder } from '../src/recorder.ts';
import type { TimelineFile } from '../src/reporting/artifacts.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'recorder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Recorder', () => {
  it('keeps what an assess step measured until taken, later keys winning; a new step starts empty', () => {
    const r = new Recorder();
    r.beginAssertion();
    r.report({ lost: 0, longestMs: 1200 });
    r.report({ longestMs: 1500 });
    expect(r.takeNumbers()).toEqual({ lost: 0, longestMs: 1500 });
    expect(r.takeNumbers()).toEqual({});
    r.report({ stale: 3 });
    r.beginAssertion();
    expect(r.takeNumbers()).toEqual({});
  });

  it('records a deviation once whether the scenario or a fixture overlay made it, with the note of whoever was first', () => {
    const r = new Recorder();
    r.overlay('web.yaml', { object: 'StatefulSet/web container nginx', change: 'imagePullPolicy Always -> IfNotPresent (preloaded images)' });
    r.deviation('StatefulSet/web container nginx', 'imagePullPolicy Always -> IfNotPresent (preloaded images)');
    r.deviation('Service/nginx', 'clusterIP None kept');
    r.overlay('web.yaml', { object: 'Service/nginx', change: 'clusterIP None kept' });
    expect(r.deviations).toEqual([
      { object: 'StatefulSet/web container nginx', change: 'imagePullPolicy Always -> IfNotPresent (preloaded images)' },
      { object: 'Service/nginx', change: 'clusterIP None kept' },
    ]);
    expect(r.timeline.entries.map((e) => `${e.source}: ${e.text}`)).toEqual([
      'overlay: web.yaml: StatefulSet/web container nginx: imagePullPolicy Always -> IfNotPresent (preloaded images)',
      'deviation: Service/nginx: clusterIP None kept',
    ]);
  });

  it('writes the timeline with its deviations under <report-dir>/timelines/<scenario>.json', () => {
    const r = new Recorder();
    r.step('apply web.yaml');
    r.deviation('StatefulSet/web', 'replicas 2 -> 3');
    const file = r.writeTimeline(dir, 'unit', 'unit-run123-abcd');
    expect(file).toBe(path.join(dir, 'timelines', 'unit.json'));
    const tl = JSON.parse(readFileSync(file, 'utf8')) as TimelineFile;
    expect(tl.scenario).toBe('unit');
    expect(tl.namespace).toBe('unit-run123-abcd');
    expect(tl.startedAt).toBe(r.timeline.startedAt);
    expect(tl.deviations).toEqual([{ object: 'StatefulSet/web', change: 'replicas 2 -> 3' }]);
    expect(tl.entries.map((e) => e.text)).toEqual(['apply web.yaml', 'StatefulSet/web: replicas 2 -> 3']);
  });
});
