import { describe, expect, it } from 'vitest';
import type { TestCase } from 'vitest/node';
import { Progress, ProgressReporter, formatElapsed, isLive, statusLine, type ProgressSnapshot } from '../src/reporting/progress.ts';

const snap = (over: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  where: 'kwok K2 v1.34.4',
  scenario: 'statefulset-basics',
  activity: '[1.2] pods are created in ordinal order: web-1 only after web-0 is Running and Ready',
  activitySince: 1000,
  runSince: 0,
  counts: { passed: 3, failed: 0, skipped: 1 },
  ...over,
});

describe('isLive', () => {
  it('is live only on a TTY outside CI', () => {
    expect(isLive({}, true)).toBe(true);
    expect(isLive({}, false)).toBe(false);
    expect(isLive({}, undefined)).toBe(false);
    expect(isLive({ CI: 'true' }, true)).toBe(false);
    expect(isLive({ CI: '1' }, true)).toBe(false);
    expect(isLive({ CI: 'false' }, true)).toBe(true);
    expect(isLive({ TERM: 'dumb' }, true)).toBe(false);
  });
});

describe('formatElapsed', () => {
  it('is short and exact enough', () => {
    expect(formatElapsed(0)).toBe('0s');
    expect(formatElapsed(59_999)).toBe('59s');
    expect(formatElapsed(65_000)).toBe('1m05s');
    expect(formatElapsed(3_725_000)).toBe('1h02m');
    expect(formatElapsed(-5)).toBe('0s');
  });
});

describe('statusLine', () => {
  it('shows where, scenario, activity, its elapsed time, counts and the run time', () => {
    const line = statusLine(snap(), 13_500, 400);
    expect(line).toBe(
      '▶ kwok K2 v1.34.4 · statefulset-basics · [1.2] pods are created in ordinal order: web-1 only after web-0 is Running and Ready 12s │ 3 ok, 1 skipped │ total 13s',
    );
  });
  it('never wraps: the activity is shortened first, the times stay', () => {
    for (const cols of [40, 60, 80, 100]) {
      const line = statusLine(snap({ counts: { passed: 3, failed: 2, skipped: 1 } }), 13_500, cols);
      expect(line.length).toBeLessThanOrEqual(cols - 1);
      if (cols >= 80) expect(line).toMatch(/… 12s │ 3 ok, 2 FAILED, 1 skipped │ total 13s$/);
    }
    expect(statusLine(snap(), 13_500, 60)).toMatch(/^▶ \[1\.2\]/);
  });
  it('shows something sensible with nothing running', () => {
    expect(statusLine(snap({ where: undefined, scenario: undefined, activity: undefined }), 2000, 80)).toBe('▶ running │ 3 ok, 1 skipped │ total 2s');
  });
});

describe('Progress', () => {
  const make = (live: boolean) => {
    let now = 0;
    const out: string[] = [];
    const p = new Progress({ write: (s: string) => out.push(s), columns: 200 }, live, () => now);
    return { p, out, tick: (ms: number) => (now += ms) };
  };
  it('without a TTY prints plain lines only, plus one line per scenario', () => {
    const { p, out } = make(false);
    p.where('kwok K2');
    p.activity('creating cluster se2e-1-k2');
    p.scenario('statefulset-basics');
    p.log('ok   statefulset-basics [1.1] svc (0.0s)');
    p.count('passed');
    p.stop();
    expect(out.join('')).toBe('── statefulset-basics (kwok K2)\nok   statefulset-basics [1.1] svc (0.0s)\n');
  });
  it('on a TTY rewrites one status line under the finished lines, and clears it on stop', () => {
    const { p, out, tick } = make(true);
    p.where('kwok K2');
    p.activity('[1.1] svc');
    tick(3000);
    p.log('ok   [1.1] svc (3.0s)');
    const text = out.join('');
    // the finished line replaces the status line, and the status line is redrawn under it
    expect(text).toContain('\r\x1b[2Kok   [1.1] svc (3.0s)\n\r\x1b[2K▶ kwok K2 · [1.1] svc 3s │ 0 ok │ total 3s');
    expect(text).not.toMatch(/▶[^\r]*\n/); // no status line ever ends in a newline
    p.stop();
    expect(out[out.length - 1]).toBe('\r\x1b[2K');
    const n = out.length;
    p.stop();
    p.log('after stop');
    expect(out.slice(n)).toEqual(['after stop\n']);
  });
  it('keeps the elapsed time across repeated setup hooks, restarts it for a new activity', () => {
    const { p, tick } = make(true);
    p.activity('setup');
    tick(5000);
    p.activity('setup');
    expect(p.snapshot().activitySince).toBe(0);
    p.activity('[1.1] svc');
    expect(p.snapshot().activitySince).toBe(5000);
    p.stop();
  });
});

describe('ProgressReporter', () => {
  it('prints scenario files’ console output through the display and counts results like ResultCollector', () => {
    const out: string[] = [];
    const p = new Progress({ write: (s: string) => out.push(s) }, false);
    const rep = new ProgressReporter(p);
    rep.onUserConsoleLog({ content: 'kept namespace web-1 (--keep always)\n' });
    const tc = (state: string, note?: string): TestCase => ({ name: '[1.1] svc', result: () => ({ state, note }) }) as unknown as TestCase;
    rep.onTestCaseResult(tc('passed'));
    rep.onTestCaseResult(tc('skipped', 'needs exec'));
    rep.onTestCaseResult(tc('skipped')); // filtered out by --grep: not counted
    rep.onTestCaseResult(tc('failed'));
    expect(out).toEqual(['kept namespace web-1 (--keep always)\n']);
    expect(p.snapshot().counts).toEqual({ passed: 1, failed: 1, skipped: 1 });
  });
});
