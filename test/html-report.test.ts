import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertionMarks,
  countResults,
  esc,
  faultBars,
  htmlReport,
  ledgerLanes,
  markdownSummary,
  parsePodWatch,
  podLanes,
  timeScale,
  writeHtmlReport,
  type PodLane,
  type TimelineFile,
} from '../src/reporting/html.ts';
import type { AssertionResult } from '../src/reporting/results.ts';
import { isFailedStretchData, isFaultData, ledgerOfRunSpan, ledgerOnTimeline, type FailedStretchData, type FaultData } from '../src/ledger/on-timeline.ts';
import type { Adapter } from '../src/ledger/writer.ts';
import { Timeline, type TimelineEntry } from '../src/timeline.ts';

// A real kwok run of statefulset-basics (our own output): 5 pods, rolling updates, orphan/adopt, Parallel.
const fixtureDir = path.join(import.meta.dirname, 'fixtures', 'report');
const sample = JSON.parse(readFileSync(path.join(fixtureDir, 'timelines', 'statefulset-basics.json'), 'utf8')) as TimelineFile;
const run = JSON.parse(readFileSync(path.join(fixtureDir, 'results.json'), 'utf8')) as { runId: string; provider: string; results: AssertionResult[] };

const lane = (lanes: readonly PodLane[], pod: string): PodLane => {
  const l = lanes.find((x) => x.pod === pod);
  if (!l) throw new Error(`no lane ${pod}`);
  return l;
};

let seq = 0;
const e = (t: number, kind: TimelineEntry['kind'], source: string, text: string): TimelineEntry => ({ seq: seq++, t, kind, source, text });
const pod = (t: number, text: string): TimelineEntry => e(t, 'watch', 'Pod', text);

describe('podLanes on the recorded kwok timeline', () => {
  const lanes = podLanes(sample.entries);

  it('has one lane per pod name, in ordinal order', () => {
    expect(lanes.map((l) => l.pod)).toEqual(['web-0', 'web-1', 'web-2', 'web-3', 'web-4']);
  });

  it('has one segment per UID', () => {
    expect(lanes.map((l) => l.segments.length)).toEqual([5, 7, 5, 2, 1]);
    expect(lane(lanes, 'web-0').segments.map((s) => s.uid)).toEqual(['c568d18c', '3ba1ae97', '5928dc32', '0fc5d968', '605f926f']);
    // every pod was deleted by the end of the scenario (cleanup step 1.26)
    expect(lanes.every((l) => l.segments.every((s) => s.endKind === 'deleted'))).toBe(true);
  });

  it('derives Pending -> Ready -> terminating spans from the watch text', () => {
    const first = lane(lanes, 'web-0').segments[0]!;
    expect(first.spans.map((s) => s.state)).toEqual(['pending', 'ready', 'terminating']);
    expect(first.spans[0]!.from).toBeCloseTo(158.89, 1); // ADDED Pod/web-0 Pending NotReady
    expect(first.spans[1]!.from).toBeCloseTo(1211.3, 1); // MODIFIED ... Running Ready
    expect(first.spans[2]!.from).toBeCloseTo(9651.1, 0); // ... terminating (RollingUpdate 1.13)
    expect(first.end).toBeCloseTo(10161.4, 0); // DELETED
    expect(first.spans[1]!.node).toBe('se2e-4550a9-k2-worker2');
    const web4 = lane(lanes, 'web-4').segments[0]!;
    expect(web4.spans.map((s) => s.state)).toEqual(['pending', 'ready', 'terminating']);
    // spans tile the segment
    for (const l of lanes) {
      for (const s of l.segments) {
        expect(s.spans[0]!.from).toBe(s.start);
        expect(s.spans.at(-1)!.to).toBe(s.end);
        for (let i = 1; i < s.spans.length; i++) expect(s.spans[i]!.from).toBe(s.spans[i - 1]!.to);
      }
    }
  });

  it('shows the OrderedReady staircase: each of web-1..4 is created only after its predecessor is Ready', () => {
    const readyAt = (p: string): number => lane(lanes, p).segments[0]!.spans.find((s) => s.state === 'ready')!.from;
    for (const [prev, next] of [
      ['web-0', 'web-1'],
      ['web-1', 'web-2'],
      ['web-2', 'web-3'],
      ['web-3', 'web-4'],
    ] as const) {
      expect(lane(lanes, next).segments[0]!.start).toBeGreaterThan(readyAt(prev));
    }
  });

  it('shows the Parallel burst: the last web-0 and web-1 start together, before either is Ready', () => {
    const a = lane(lanes, 'web-0').segments.at(-1)!;
    const b = lane(lanes, 'web-1').segments.at(-1)!;
    expect(Math.abs(a.start - b.start)).toBeLessThan(50);
    expect(b.start).toBeLessThan(a.spans.find((s) => s.state === 'ready')!.from);
  });
});

describe('podLanes edge cases', () => {
  it('keeps a pod that is still there open to the end, and closes a UID replaced without DELETED', () => {
    const lanes = podLanes([
      pod(10, 'ADDED Pod/db-10 Pending NotReady uid=aaaa'),
      pod(20, 'MODIFIED Pod/db-10 Running NotReady on n1 uid=aaaa'),
      pod(30, 'ADDED Pod/db-10 Pending NotReady uid=bbbb'),
      pod(35, 'ADDED Pod/db-9 Failed NotReady uid=cccc'),
      pod(36, 'DELETED Pod/db-8 Running Ready terminating uid=dddd'), // deleted before seen: nothing to draw
      pod(37, 'BOOKMARK Pod/db-9 whatever'),
      e(50, 'note', 'x', 'the end'),
    ]);
    expect(lanes.map((l) => l.pod)).toEqual(['db-8', 'db-9', 'db-10']);
    expect(lane(lanes, 'db-8').segments).toEqual([]);
    const s = lane(lanes, 'db-10').segments;
    expect(s.map((x) => [x.uid, x.endKind, x.start, x.end])).toEqual([
      ['aaaa', 'replaced', 10, 30],
      ['bbbb', 'open', 30, 50],
    ]);
    expect(s[0]!.spans.map((x) => [x.state, x.from, x.to])).toEqual([
      ['pending', 10, 20],
      ['running', 20, 30],
    ]);
    expect(lane(lanes, 'db-9').segments[0]!.spans[0]!.state).toBe('failed');
  });
});

describe('parsePodWatch', () => {
  it('reads the typed data a pod entry carries, not its text', () => {
    const data = { type: 'MODIFIED', pod: 'web-0', uid: 'abcd1234', phase: 'Running', ready: true, terminating: false, node: 'n1' };
    const entry: TimelineEntry = { seq: 1, t: 5, kind: 'watch', source: 'Pod', text: 'MODIFIED Pod/web-0 (a summary the report need not parse)', data };
    expect(parsePodWatch(entry)).toEqual({
      t: 5,
      type: 'MODIFIED',
      pod: 'web-0',
      uid: 'abcd1234',
      phase: 'Running',
      ready: true,
      terminating: false,
      node: 'n1',
    });
  });
  it('falls back to the text of timelines written before entries carried data', () => {
    expect(parsePodWatch(pod(7, 'ADDED Pod/web-1 Pending NotReady uid=ffff0000'))).toEqual({
      t: 7,
      type: 'ADDED',
      pod: 'web-1',
      phase: 'Pending',
      ready: false,
      terminating: false,
      uid: 'ffff0000',
    });
  });
});

describe('assertionMarks', () => {
  it('pairs start and end per catalogue ID, and keeps skips and failures', () => {
    const marks = assertionMarks(sample.entries);
    expect(marks).toHaveLength(26);
    const m113 = marks.find((m) => m.id === '1.13')!;
    expect(m113.outcome).toBe('passed');
    expect(m113.start).toBeCloseTo(6534, 0);
    expect(m113.end).toBeCloseTo(11210, 0);
    expect(marks.filter((m) => m.outcome === 'skipped').map((m) => m.id)).toEqual(['1.4', '1.5', '1.6', '1.7', '1.9', '1.14', '1.22']);
    const failed = assertionMarks([e(1, 'assert', '2.1', 'start: x'), e(5, 'assert', '2.1', 'failed: web-1 <b>'), e(6, 'assert', '2.2', 'start: y')]);
    expect(failed).toEqual([
      { id: '2.1', title: 'x', start: 1, end: 5, outcome: 'failed', message: 'web-1 <b>' },
      { id: '2.2', title: 'y', start: 6, outcome: 'running' },
    ]);
  });

  it('a partial assertion (ran, then reported skipped) is one closed span, not a run that never ended', () => {
    const partial = assertionMarks([e(1, 'assert', '4.10', 'start: x'), e(9, 'assert', '4.10', 'skipped: partial: the API part passed; not shown: /hello')]);
    expect(partial).toEqual([{ id: '4.10', title: 'x', start: 1, end: 9, outcome: 'skipped', message: 'partial: the API part passed; not shown: /hello' }]);
  });
});

describe('timeScale', () => {
  it('compresses idle stretches and is monotonic', () => {
    const s = timeScale(
      sample.entries.map((x) => x.t),
      { targetWidth: 1000, gapPx: 40 },
    );
    const gaps = s.pieces.filter((p) => p.gap);
    // the three "nothing happens for 30/60/30 s" checks (1.15, 1.18, 1.19), and the quiet tail
    expect(gaps.length).toBe(4);
    expect(gaps[0]!.t1 - gaps[0]!.t0).toBeGreaterThan(25_000);
    expect(s.width).toBeCloseTo(1000, 0);
    let last = -1;
    for (let t = 0; t < 160_000; t += 250) {
      const x = s.x(t);
      expect(x).toBeGreaterThanOrEqual(last);
      last = x;
    }
    // a second of activity is wide enough to see the 1 s kwok Ready delay
    expect(s.x(2000) - s.x(1000)).toBeGreaterThan(20);
  });
});

describe('htmlReport', () => {
  const html = htmlReport({ ...run, timelines: [sample] });

  it('shows run id, provider and counts', () => {
    expect(countResults(run.results)).toEqual({ passed: 19, failed: 0, skipped: 7, flaky: 0, total: 26 });
    expect(html).toContain('<code>4550a9</code>');
    expect(html).toContain('provider <code>kwok</code>');
    expect(html).toContain('data-count="passed">19 passed<');
    expect(html).toContain('data-count="failed">0 failed<');
    expect(html).toContain('data-count="skipped">7 skipped<');
    expect(html).toContain('data-count="flaky">0 flaky<');
    expect(html).toContain('data-outcome="passed"');
  });

  it('has a lane per pod, segments per UID, assertion markers and the skip reasons', () => {
    for (const p of ['web-0', 'web-1', 'web-2', 'web-3', 'web-4']) expect(html).toContain(`<g class="lane" data-pod="${p}">`);
    expect(html.match(/<g class="segment"/g)).toHaveLength(20);
    expect(html).toContain('data-uid="605f926f"');
    expect(html).toContain('<g class="mark mark-passed" data-id="1.2">');
    expect(html).toContain('needs exec (it runs commands inside containers); provider kwok cannot show it');
    expect(html).toContain('none: the manifests ran as published');
  });

  it('is self-contained', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/\b(src|href)="(?!#)/);
    expect(html).not.toMatch(/url\((?!#)/);
    expect(html).not.toContain('@import');
  });

  it('escapes every text, drops ANSI codes, marks failures red and counts flaky results', () => {
    const evil = '<script>alert("x")</script>';
    const results: AssertionResult[] = [
      {
        scenario: 's<1>',
        name: `[9.1] ${evil}`,
        id: '9.1',
        outcome: 'failed',
        durationMs: 12,
        message: 'a & b \u001b[31mred\u001b[39m',
        details: `Error: ${evil}\n at x`,
        provider: 'kwok',
      },
      { scenario: 's<1>', name: '[9.2] ok', id: '9.2', outcome: 'passed', durationMs: 1500, provider: 'kwok', flaky: true } as AssertionResult,
      { scenario: 's<1>', name: '[9.3] skip', id: '9.3', outcome: 'skipped', durationMs: 0, message: 'needs <exec>', provider: 'kwok' },
    ];
    const tl: TimelineFile = {
      scenario: 's<1>',
      namespace: 'ns"x',
      startedAt: '2026-01-01T00:00:00Z',
      deviations: [{ object: 'StatefulSet/<web>', change: 'image a -> b & c' }],
      entries: [
        e(0, 'action', 'step', `apply ${evil}`),
        e(1, 'assert', '9.1', `start: ${evil}`),
        pod(2, 'ADDED Pod/web-0 Pending NotReady uid=u1'),
        e(3, 'assert', '9.1', 'failed: <boom>'),
      ],
    };
    const out = htmlReport({ runId: 'r<1>', provider: 'p&q', results, timelines: [tl] });
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<boom>');
    expect(out).not.toContain('\u001b');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out).toContain('a &amp; b red');
    expect(out).toContain('<code>r&lt;1&gt;</code>');
    expect(out).toContain('provider <code>p&amp;q</code>');
    expect(out).toContain('<code>ns&quot;x</code>');
    expect(out).toContain('<li><code>StatefulSet/&lt;web&gt;</code>: image a -&gt; b &amp; c</li>');
    expect(out).toContain('<span class="reason">needs &lt;exec&gt;</span>');
    expect(out).toContain('data-outcome="failed"');
    expect(out).toContain('data-count="flaky">1 flaky<');
    expect(out).toContain('<span class="outcome flaky">flaky</span>');
    expect(out).toMatch(/<g class="mark mark-failed" data-id="9\.1">[\s\S]*?stroke="#d62828"/);
    expect(esc('\'"<>&\u0007')).toBe('&#39;&quot;&lt;&gt;&amp;');
  });

  it('lists window and wait spans (notes with SpanData) in the entries table and draws nothing new for them', () => {
    const span = (t: number, source: string, text: string, kind: 'window' | 'wait', startMs: number): TimelineEntry => ({
      seq: seq++,
      t,
      kind: 'note',
      source,
      text,
      data: { span: kind, startMs, endMs: t },
    });
    const base: TimelineEntry[] = [
      e(0, 'action', 'step', 'apply web.yaml'),
      e(1, 'assert', '1.1', 'start: pods Ready'),
      pod(2, 'ADDED Pod/web-0 Pending NotReady uid=u1'),
      pod(900, 'MODIFIED Pod/web-0 Running Ready uid=u1'),
      e(31_000, 'assert', '1.1', 'passed'),
    ];
    const withSpans = [
      ...base.slice(0, 4),
      span(900, 'wait', 'web-0 Running and Ready: done (0.9s)', 'wait', 1),
      span(31_000, 'window', '30s window on the Pod watch: nothing happened (30.0s)', 'window', 1000),
      base[4]!,
    ];
    const tl = (entries: TimelineEntry[]): TimelineFile => ({ scenario: 's', namespace: 'ns', startedAt: '2026-01-01T00:00:00Z', deviations: [], entries });
    expect(podLanes(withSpans)).toEqual(podLanes(base));
    expect(assertionMarks(withSpans)).toEqual(assertionMarks(base));
    const out = htmlReport({ runId: 'x', provider: 'kind', results: [], timelines: [tl(withSpans)] });
    const svg = (h: string) => /<svg[\s\S]*?<\/svg>/.exec(h)![0];
    expect(svg(out)).toBe(svg(htmlReport({ runId: 'x', provider: 'kind', results: [], timelines: [tl(base)] })));
    expect(out).toContain('<td>note</td><td>window</td><td>30s window on the Pod watch: nothing happened (30.0s)</td>');
    expect(out).toContain('<td>note</td><td>wait</td><td>web-0 Running and Ready: done (0.9s)</td>');
  });

  it('renders a report without timelines or results', () => {
    expect(htmlReport({ runId: 'x', provider: 'kind', results: [], timelines: [] })).toContain('No results and no timelines');
  });
});

describe('fault and ledger lanes', () => {
  const faultEntry = (t: number, data: FaultData): TimelineEntry => ({
    seq: seq++,
    t,
    kind: 'action',
    source: 'fault',
    text: `fault ${data.fault}: end (${((data.endMs - data.startMs) / 1000).toFixed(1)}s)`,
    data,
  });
  const stretch = (t: number, data: FailedStretchData): TimelineEntry => ({
    seq: seq++,
    t,
    kind: 'note',
    source: 'ledger',
    text: `ledger ${data.ledger}: ${data.failed} ${data.op}s failed`,
    data,
  });
  const runSpan = (t: number, name: string, startMs: number, endMs: number): TimelineEntry => ({
    seq: seq++,
    t,
    kind: 'note',
    source: 'ledger',
    text: `ledger ${name}: writes 800 acknowledged, 13 failed, 0 timed out; reads 790 answered, 3 failed, 0 timed out; read-back 800 keys (0 missing); stopped by stopped; /r/ledgers/x.json (44.1s)`,
    data: { span: 'window', startMs, endMs, ledger: name },
  });
  const base: TimelineEntry[] = [
    e(0, 'action', 'step', 'apply zk.yaml'),
    pod(10, 'ADDED Pod/zk-0 Pending NotReady uid=u1'),
    pod(900, 'MODIFIED Pod/zk-0 Running Ready uid=u1'),
  ];
  const withLedger: TimelineEntry[] = [
    ...base,
    e(1000, 'action', 'ledger', 'ledger kill-leader: writing and reading at 20/s (keys r1-kill-leader-…)'),
    e(2000, 'action', 'fault', 'fault kill zk-0: start'),
    pod(2005, 'MODIFIED Pod/zk-0 Running Ready terminating uid=u1'),
    pod(2100, 'DELETED Pod/zk-0 Running Ready terminating uid=u1'),
    pod(2200, 'ADDED Pod/zk-0 Pending NotReady uid=u2'),
    pod(3500, 'MODIFIED Pod/zk-0 Running Ready uid=u2'),
    faultEntry(3600, { fault: 'kill zk-0', startMs: 2000, endMs: 3600 }),
    // 40 s of quiet on the timeline (the ledger keeps going): compressed, but for the stretch at 30 s
    e(45_000, 'action', 'step', 'stop the ledger'),
    stretch(45_100, { ledger: 'kill-leader', op: 'write', startMs: 2010, endMs: 5200, failed: 12 }),
    stretch(45_100, { ledger: 'kill-leader', op: 'write', startMs: 30_000, endMs: 30_100, failed: 1 }),
    stretch(45_100, { ledger: 'kill-leader', op: 'read', startMs: 2050, endMs: 3900, failed: 3 }),
    runSpan(45_200, 'kill-leader', 1000, 45_100),
  ];
  const tl = (entries: TimelineEntry[]): TimelineFile => ({ scenario: 'zk', namespace: 'ns', startedAt: '2026-01-01T00:00:00Z', deviations: [], entries });
  const svgOf = (h: string): string => /<svg[\s\S]*?<\/svg>/.exec(h)![0];

  it('derives the fault windows and one lane per ledger from the typed data', () => {
    expect(faultBars(withLedger)).toEqual([{ fault: 'kill zk-0', start: 2000, end: 3600 }]);
    expect(ledgerLanes(withLedger)).toEqual([
      {
        ledger: 'kill-leader',
        run: { start: 1000, end: 45_100, text: expect.stringMatching(/^ledger kill-leader: writes 800 acknowledged/) },
        stretches: [
          { op: 'write', start: 2010, end: 5200, failed: 12 },
          { op: 'read', start: 2050, end: 3900, failed: 3 },
          { op: 'write', start: 30_000, end: 30_100, failed: 1 },
        ],
      },
    ]);
    expect(isFaultData({ fault: 'x', startMs: 1, endMs: 2 })).toBe(true);
    expect(isFaultData({ span: 'window', startMs: 1, endMs: 2 })).toBe(false);
    expect(isFailedStretchData({ ledger: 'l', op: 'write', startMs: 1, endMs: 2, failed: 1 })).toBe(true);
    expect(isFailedStretchData({ ledger: 'l', op: 'delete', startMs: 1, endMs: 2, failed: 1 })).toBe(false);
    expect(isFailedStretchData(undefined)).toBe(false);
    expect(ledgerOfRunSpan(withLedger.at(-1)!)).toBe('kill-leader');
    expect(ledgerOfRunSpan(e(1, 'note', 'ledger', 'ledger x: writes 1 acknowledged'))).toBeUndefined(); // no span data
  });

  it('draws a faults lane and a lane per ledger above the pods, a red bar per failed stretch, on the compressed axis', () => {
    const html = htmlReport({ runId: 'x', provider: 'kind', results: [], timelines: [tl(withLedger)] });
    const svg = svgOf(html);
    expect(svg).toContain('class="lane-label">faults</text>');
    expect(svg).toContain('class="lane-label">ledger kill-leader</text>');
    expect(svg).toContain('<g class="fault-lane">');
    expect(svg).toMatch(/<g class="fault" data-fault="kill zk-0"><title>fault kill zk-0: 2\.00 s → 3\.60 s \(1\.60 s\)<\/title>/);
    expect(svg).toContain('class="mark-label" fill="#5f3dc4">kill zk-0</text>');
    expect(svg).toContain('<g class="ledger-lane" data-ledger="kill-leader">');
    expect(svg.match(/<rect class="ledger-run"/g)).toHaveLength(1);
    const failed = [
      ...svg.matchAll(
        /<rect class="ledger-failed ledger-failed-(write|read)" data-op="\1" data-failed="(\d+)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="[\d.]+" fill="(#[0-9a-f]+)"><title>([^<]*)<\/title>/g,
      ),
    ];
    expect(failed.map((m) => [m[1], m[2], m[5]])).toEqual([
      ['write', '12', '#d62828'],
      ['read', '3', '#ff6b6b'],
      ['write', '1', '#d62828'],
    ]);
    expect(failed[0]![6]).toBe('ledger kill-leader: 12 writes failed, 2.01 s → 5.20 s (3.19 s)');
    expect(failed[2]![6]).toBe('ledger kill-leader: 1 write failed, 30.0 s → 30.1 s (100 ms)');
    // above the pod lanes, which are still drawn
    expect(svg).toContain('<g class="lane" data-pod="zk-0">');
    expect(svg.indexOf('<g class="fault-lane">')).toBeLessThan(svg.indexOf('<g class="ledger-lane"'));
    expect(svg.indexOf('<g class="ledger-lane"')).toBeLessThan(svg.indexOf('<g class="lane"'));
    const yOf = (re: RegExp): number => Number(re.exec(svg)![1]);
    expect(yOf(/<rect class="ledger-run" x="[\d.]+" y="([\d.]+)"/)).toBeLessThan(yOf(/<rect class="state [^"]*" data-state="\w+" x="[\d.]+" y="([\d.]+)"/));
    // bars map times through the same piecewise axis as the pods: the quiet time around the stretch at 30 s is compressed
    const left = Number(/<text x="([\d.]+)" y="[\d.]+" text-anchor="end" class="lane-label">faults<\/text>/.exec(svg)![1]) + 8;
    const scale = timeScale([...withLedger.map((x) => x.t), 2000, 3600, 1000, 45_100, 2010, 5200, 30_000, 30_100, 2050, 3900]);
    expect(scale.pieces.filter((p) => p.gap).map((p) => [p.t0, p.t1])).toEqual([
      [5800, 29_400],
      [30_700, 44_400],
    ]);
    expect(svg.match(/<g class="gap">/g)).toHaveLength(2);
    const round = (n: number): string => (Math.round(n * 10) / 10).toString();
    expect(failed.map((m) => m[3])).toEqual([2010, 2050, 30_000].map((t) => round(left + scale.x(t))));
    expect(Number(failed[0]![4])).toBeCloseTo(scale.x(5200) - scale.x(2010), 0);
    // the legend explains the new bars
    expect(html).toContain('fault window</span>');
    expect(html).toContain('ledger failures (upper half: writes, lower half: reads)</span>');
  });

  it('draws a ledger lane without failures as its run only, and no faults lane without fault windows', () => {
    const html = htmlReport({ runId: 'x', provider: 'kind', results: [], timelines: [tl([...base, runSpan(5000, 'steady', 100, 4900)])] });
    expect(html).toContain('<g class="ledger-lane" data-ledger="steady">');
    expect(html).toContain('<rect class="ledger-run"');
    expect(html).not.toContain('class="ledger-failed');
    expect(html).not.toContain('fault-lane');
    expect(html).not.toContain('fault window</span>');
  });

  it('draws no such lane, and the same SVG and legend as before, for a timeline without fault or ledger data', () => {
    const html = htmlReport({ ...run, timelines: [sample] });
    for (const s of ['fault-lane', 'ledger-lane', 'ledger-run', 'ledger-failed', 'fault-bound', 'fault window', 'ledger failures', '>faults<']) {
      expect(html).not.toContain(s);
    }
    // the fault's start action and the ledger's first action alone (text only, no data) draw no lane either
    const textOnly = [...base, e(1000, 'action', 'ledger', 'ledger a: writing and reading at 20/s'), e(2000, 'action', 'fault', 'fault kill zk-0: start')];
    const plain = [...base, e(1000, 'action', 'step', 'ledger a: writing and reading at 20/s'), e(2000, 'action', 'step', 'fault kill zk-0: start')];
    const render = (entries: TimelineEntry[]): string => htmlReport({ runId: 'x', provider: 'kind', results: [], timelines: [tl(entries)] });
    expect(svgOf(render(textOnly))).toBe(svgOf(render(plain)));
    expect(render(textOnly)).not.toContain('ledger-lane');
  });

  it('draws the entries a real ledger run puts on the timeline', async () => {
    const store = new Map<string, string>();
    let down = false;
    const adapter: Adapter = {
      async write(key, value) {
        if (down) throw new Error('CONNECTION_LOSS');
        store.set(key, value);
      },
      async read(key) {
        if (down) throw new Error('CONNECTION_LOSS');
        return store.get(key);
      },
    };
    const timeline = new Timeline();
    const ledgerRun = ledgerOnTimeline(timeline, 'kill-leader', adapter, { rateHz: 200, durationMs: 5000, keyPrefix: 'h-' }, () => '/r/ledgers/h.json');
    await new Promise((r) => setTimeout(r, 40));
    await ledgerRun.during('kill zk-1', async () => {
      down = true;
      await new Promise((r) => setTimeout(r, 60));
      down = false;
    });
    await new Promise((r) => setTimeout(r, 40));
    ledgerRun.stop();
    await ledgerRun.done;
    const entries = [...timeline.entries];
    expect(faultBars(entries).map((f) => f.fault)).toEqual(['kill zk-1']);
    const [lane] = ledgerLanes(entries);
    expect(lane?.ledger).toBe('kill-leader');
    expect(lane?.run?.text).toContain('/r/ledgers/h.json');
    expect(lane?.stretches.some((s) => s.op === 'write')).toBe(true);
    const svg = svgOf(htmlReport({ runId: 'x', provider: 'kind', results: [], timelines: [tl(entries)] }));
    expect(svg).toContain('<g class="fault" data-fault="kill zk-1">');
    expect(svg).toContain('<g class="ledger-lane" data-ledger="kill-leader">');
    expect(svg).toMatch(/<rect class="ledger-failed ledger-failed-write"/);
  });
});

describe('writeHtmlReport', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'html-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('reads results.json and timelines/*.json and writes report.html', () => {
    cpSync(fixtureDir, dir, { recursive: true });
    const file = writeHtmlReport(dir);
    expect(file).toBe(path.join(dir, 'report.html'));
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('data-pod="web-4"');
    expect(html).toContain('statefulset-basics-4550a9-c173');
  });
});

describe('markdownSummary', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'md-summary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('summarises counts per scenario, failures and skip reasons, escaped for Markdown', () => {
    cpSync(fixtureDir, path.join(dir, 'kwok'), { recursive: true });
    const ok = markdownSummary(path.join(dir, 'kwok'), 'reports/kwok');
    expect(ok).toContain('### ✅ reports/kwok: kwok run 4550a9: 19 passed, 0 failed, 7 skipped');
    expect(ok).toContain('| statefulset-basics | 19 | 0 | 7 | 0 |');
    expect(ok).toContain('<details><summary>7 skipped, with the reason</summary>');
    mkdirSync(path.join(dir, 'bad'));
    const results: AssertionResult[] = [
      { scenario: 's', name: '[2.1] a | b', id: '2.1', outcome: 'failed', durationMs: 1, message: 'x <y>\nz', provider: 'kind' },
    ];
    writeFileSync(path.join(dir, 'bad', 'results.json'), JSON.stringify({ runId: 'r', provider: 'kind', results }));
    const bad = markdownSummary(path.join(dir, 'bad'), 'bad');
    expect(bad).toContain('### ❌ bad: kind run r: 0 passed, 1 failed');
    expect(bad).toContain('- s `[2.1]` a \\| b: x &lt;y&gt; z');
    expect(markdownSummary(path.join(dir, 'none'), 'none')).toContain('no results.json');
  });
});
