/**
 * Pure helpers for bench/statefulset-scale.ts: summary statistics, a synthetic OrderedReady pod stream, and and the
 * linear orderedCreate that src/ordering.ts replaced (the baseline for its scaling row).
 * No processes and no network here (test/bench-stats.test.ts covers it).
 */
import { indexByName, isRunningReady, type PodEvent, type Verdict } from '../src/ordering.ts';

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly sum: number;
}

/** Nearest-rank quantile of an ascending array (q in [0, 1]); NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    n: s.length,
    min: s.length > 0 ? s[0]! : Number.NaN,
    mean: s.length > 0 ? sum / s.length : Number.NaN,
    p50: quantile(s, 0.5),
    p99: quantile(s, 0.99),
    max: s.length > 0 ? s[s.length - 1]! : Number.NaN,
    sum,
  };
}

/** "p50 12.3 / p99 45.6 / max 78.9 ms" */
export function fmtSummary(s: Summary, unit = 'ms', digits = 1): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
  return `p50 ${f(s.p50)} / p99 ${f(s.p99)} / max ${f(s.max)} ${unit} (mean ${f(s.mean)}, n=${s.n})`;
}

/**
 * An OrderedReady creation stream as a pod watch sees it: per pod ADDED (Pending), MODIFIED (bound), MODIFIED
 * (Running+Ready), 10 ms apart, with second-resolution timestamps like the API's.
 */
export function syntheticOrderedStream(set: string, n: number, t0 = Date.parse('2025-01-01T00:00:00Z')): PodEvent[] {
  const out: PodEvent[] = [];
  let seq = 0;
  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  for (let i = 0; i < n; i++) {
    const name = `${set}-${i}`;
    const base = { name, uid: `uid-${i}`, deleting: false, creationTimestamp: iso(t0 + seq * 10) };
    out.push({ ...base, seq, t: seq * 10, type: 'ADDED', phase: 'Pending', ready: false });
    seq++;
    out.push({ ...base, seq, t: seq * 10, type: 'MODIFIED', phase: 'Pending', ready: false, nodeName: 'w' });
    seq++;
    out.push({ ...base, seq, t: seq * 10, type: 'MODIFIED', phase: 'Running', ready: true, nodeName: 'w', readyTransition: iso(t0 + seq * 10) });
    seq++;
  }
  return out;
}

/** Same text as src/ordering.ts's (private) describe(), so the two verdicts can be compared verbatim. */
function describe(e: PodEvent | undefined): string {
  if (!e) return 'no event';
  const state = e.type === 'DELETED' ? 'deleted' : `${e.phase}${e.ready ? '+Ready' : ''}${e.deleting ? ' terminating' : ''}`;
  return `#${e.seq} ${e.type} ${e.name} (${state}) at ${e.t.toFixed(0)}ms`;
}

/**
 * The first orderedCreate of src/ordering.ts, kept as the benchmark's baseline: every lookup scans the whole log,
 * O(N * E). src/ordering.ts now indexes the log by pod name (O(E + N log E)) and must give the same verdicts.
 */
export function orderedCreateLinear(events: readonly PodEvent[], names: readonly string[], fromSeq = 0, after?: string): Verdict {
  const firstAdded = (name: string) => events.find((e) => e.seq >= fromSeq && e.name === name && e.type === 'ADDED');
  const stateBefore = (name: string, seq: number) => {
    let last: PodEvent | undefined;
    for (const e of events) {
      if (e.seq >= seq) break;
      if (e.name === name) last = e;
    }
    return last;
  };
  const shown: string[] = [];
  const chain = after ? [after, ...names] : [...names];
  for (let i = 0; i < chain.length; i++) {
    const name = chain[i]!;
    if (i === 0 && after) continue;
    const added = firstAdded(name);
    if (!added) return { ok: false, reason: `${name} was never created (no ADDED event since #${fromSeq})` };
    if (i === 0) continue;
    const prevName = chain[i - 1]!;
    const prev = stateBefore(prevName, added.seq);
    if (!prev || !isRunningReady(prev)) {
      return { ok: false, reason: `${name} was created (${describe(added)}) while ${prevName} was not Running+Ready (${describe(prev)})` };
    }
    if (added.creationTimestamp && prev.readyTransition) {
      const gap = Date.parse(added.creationTimestamp) - Date.parse(prev.readyTransition);
      if (gap < -1000) {
        return {
          ok: false,
          reason: `${name} creationTimestamp ${added.creationTimestamp} is ${-gap} ms before ${prevName} became Ready (${prev.readyTransition})`,
        };
      }
    }
    shown.push(`${name} ADDED #${added.seq} after ${prevName} Ready #${prev.seq}`);
  }
  return { ok: true, reason: shown.join('; ') || `${names.join(', ')} created` };
}

/**
 * Per-pod milestones of an OrderedReady ramp from the pod watch (harness receive times, ms): ADDED, first
 * event bound to a node, first Running+Ready event. Missing milestones are undefined.
 */
export interface PodMilestones {
  readonly name: string;
  added?: number;
  bound?: number;
  ready?: number;
  /** The Ready event itself (for lastTransitionTime). */
  readyEvent?: PodEvent;
}

export function milestones(events: readonly PodEvent[], names: readonly string[], fromSeq = 0): PodMilestones[] {
  const byName = indexByName(events);
  return names.map((name) => {
    const m: PodMilestones = { name };
    for (const e of byName.get(name) ?? []) {
      if (e.seq < fromSeq) continue;
      if (m.added === undefined && e.type === 'ADDED') m.added = e.t;
      if (m.bound === undefined && e.nodeName) m.bound = e.t;
      if (m.ready === undefined && isRunningReady(e)) {
        m.ready = e.t;
        m.readyEvent = e;
      }
    }
    return m;
  });
}
