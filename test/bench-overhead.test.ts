import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterTimes, fmtRatio, lengthOutside, overheadOf, scenarioOverhead, spansOf, union, unionLength } from '../bench/overhead.ts';
import { Timeline, type TimelineEntry } from '../src/timeline.ts';
import type { TimelineFile } from '../src/reporting/artifacts.ts';

let seq = 0;
const entry = (t: number, kind: TimelineEntry['kind'] = 'action', data?: Record<string, unknown>): TimelineEntry => ({
  seq: seq++,
  t,
  kind,
  source: 'x',
  text: 'x',
  ...(data ? { data } : {}),
});
const span = (kind: 'window' | 'wait', startMs: number, endMs: number): TimelineEntry => entry(endMs, 'note', { span: kind, startMs, endMs });

describe('interval union', () => {
  it('merges overlapping spans and keeps disjoint ones apart, in order', () => {
    expect(
      union([
        [10, 20],
        [0, 5],
        [15, 30],
        [40, 50],
      ]),
    ).toEqual([
      [0, 5],
      [10, 30],
      [40, 50],
    ]);
    expect(
      unionLength([
        [10, 20],
        [0, 5],
        [15, 30],
        [40, 50],
      ]),
    ).toBe(5 + 20 + 10);
  });
  it('counts a nested span once', () => {
    expect(
      unionLength([
        [0, 100],
        [20, 30],
        [40, 60],
      ]),
    ).toBe(100);
  });
  it('merges touching spans; drops empty ones; nothing is 0', () => {
    expect(
      union([
        [0, 10],
        [10, 20],
        [30, 30],
      ]),
    ).toEqual([[0, 20]]);
    expect(unionLength([])).toBe(0);
  });
  it('lengthOutside is ∪a minus what ∪b covers', () => {
    const b: [number, number][] = [[10, 20]];
    expect(lengthOutside([[0, 30]], b)).toBe(20); // b nested in a
    expect(lengthOutside([[12, 18]], b)).toBe(0); // a nested in b
    expect(lengthOutside([[15, 25]], b)).toBe(5); // overlapping
    expect(lengthOutside([[30, 40]], b)).toBe(10); // disjoint
    expect(
      lengthOutside(
        [
          [0, 15],
          [5, 25],
        ],
        b,
      ),
    ).toBe(15); // a's own overlap counted once
  });
});

describe('overhead ratio', () => {
  it('is wall ÷ (windows + cluster), the rest is the harness', () => {
    expect(overheadOf(100_000, 30_000, 20_000)).toEqual({ wallMs: 100_000, windowsMs: 30_000, clusterMs: 20_000, harnessMs: 50_000, ratio: 2 });
  });
  it('is n/a without windows or waits', () => {
    const o = overheadOf(5000, 0, 0);
    expect(o.ratio).toBeUndefined();
    expect(fmtRatio(o.ratio)).toBe('n/a');
    expect(fmtRatio(1.234)).toBe('1.23');
  });
});

describe('scenarioOverhead on timeline entries', () => {
  it('counts windows as their union, waits outside windows as the cluster, wall to the last entry', () => {
    const entries = [
      entry(1000),
      span('wait', 2000, 10_000), // 8 s
      span('wait', 5000, 12_000), // concurrent with the first: +2 s
      span('window', 11_000, 41_000), // 30 s window; the second wait overlaps it by 1 s
      span('window', 20_000, 30_000), // nested in the first window
      span('wait', 50_000, 55_000), // disjoint: 5 s
      entry(60_000, 'assert'),
    ];
    const o = scenarioOverhead(entries);
    expect(o.wallMs).toBe(60_000);
    expect(o.windowsMs).toBe(30_000);
    expect(o.clusterMs).toBe(9000 + 5000);
    expect(o.harnessMs).toBe(60_000 - 30_000 - 14_000);
    expect(o.ratio).toBeCloseTo(60 / 44, 10);
  });
  it('ignores notes without span data and data of other entries (pod watch data)', () => {
    const entries = [
      entry(10, 'note'),
      entry(20, 'watch', { type: 'ADDED', pod: 'web-0', phase: 'Pending', ready: false }),
      entry(30, 'note', { span: 'nap', startMs: 0, endMs: 30 }),
    ];
    expect(spansOf(entries)).toEqual({ windows: [], waits: [] });
    expect(scenarioOverhead(entries)).toEqual({ wallMs: 30, windowsMs: 0, clusterMs: 0, harnessMs: 30, ratio: undefined });
  });
  it('reads the spans Timeline.span records', () => {
    const tl = new Timeline();
    tl.span('window', 'window', '30s window on the Pod watch: nothing happened', 100, 30_100);
    tl.span('wait', 'wait', 'web-1 Running and Ready: done', 0, 2000);
    expect(tl.entries.map((e) => e.text)).toEqual(['30s window on the Pod watch: nothing happened (30.0s)', 'web-1 Running and Ready: done (2.0s)']);
    expect(spansOf(tl.entries)).toEqual({ windows: [[100, 30_100]], waits: [[0, 2000]] });
  });
  it('gives n/a for a timeline written before spans were recorded (the recorded kwok report)', () => {
    const file = path.join(import.meta.dirname, 'fixtures', 'report', 'timelines', 'statefulset-basics.json');
    const tl = JSON.parse(readFileSync(file, 'utf8')) as TimelineFile;
    const o = scenarioOverhead(tl.entries);
    expect(o.wallMs).toBe(Math.max(...tl.entries.map((e) => e.t)));
    expect(o.ratio).toBeUndefined();
  });
});

describe('clusterTimes from the run output', () => {
  it('sums kind creation, teardown and image loading; ignores the other kind lines', () => {
    const out = [
      'kind: creating se2e-abc-k3 (K3: 1 control plane + 3 workers, kindest/node:v1.34.0)',
      'kind: nodes created in 40.2s',
      'kind: nodes, CoreDNS and storage ready in 20.0s',
      'kind: se2e-abc-k3 ready in 61.5s',
      'kind: se2e-abc-k4 ready in 70.0s',
      'kind: loaded 3 images into 3 workers in 12.5s (a, b, c)',
      'kind: 2 images served from registry se2e-reg in 4.0s (a, b)',
      '✓ statefulset-basics [1.1] pods (3.0s)',
      'kind: deleted se2e-abc-k3 in 3.5s',
      'kind: delete se2e-abc-k4 failed: boom',
    ].join('\n');
    const c = clusterTimes(out);
    expect(c).toEqual({ createMs: 131_500, creates: 2, teardownMs: 3500, teardowns: 1, imagesMs: 16_500, imageLoads: 2 });
  });
  it('reads kwok creation; nothing known is all zero', () => {
    expect(clusterTimes('kwok: apiserver ready in 1.0s\nkwok: control plane ready in 3.2s (4 nodes, kubeconfig /tmp/k)\n')).toMatchObject({
      createMs: 3200,
      creates: 1,
    });
    expect(clusterTimes('')).toEqual({ createMs: 0, creates: 0, teardownMs: 0, teardowns: 0, imagesMs: 0, imageLoads: 0 });
  });
});
