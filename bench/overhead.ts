/**
 * Pure helpers for bench/suites.ts: how much of a run is the catalogue's own waiting and the cluster's, and how much
 * is the harness. No processes and no files here (test/bench-overhead.test.ts covers it).
 *
 * A scenario's timeline (<report-dir>/timelines/<scenario>.json) carries a 'note' entry with SpanData for every
 * catalogue window (ResourceWatch.hold) and every wait on the cluster (ResourceWatch.until, eventually, drains),
 * on the timeline's clock. Spans may overlap (concurrent waits) and nest (a drain's own until), so they are counted
 * as the length of their union:
 *
 *   windows  = |∪ window spans|
 *   cluster  = |∪ wait spans| minus what overlaps a window (a window is the catalogue's time, whoever else waits)
 *   harness  = wall − windows − cluster
 *   overhead = wall ÷ (windows + cluster); undefined (n/a) when there is neither
 *
 * The scenario's wall is its timeline's: from the timeline's origin (the World is made, before its namespace) to its
 * last entry or span end (the namespace deleted, after teardown). Not the sum of its assertions' durations from
 * results.json: the windows and waits of setup and teardown steps are on the timeline too, and results.json counts
 * assess steps only, so the two would not cover the same time.
 */
import { isSpanData, type SpanData, type TimelineEntry } from '../src/timeline.ts';

/** [start, end] in ms; end ≥ start. */
export type Interval = readonly [number, number];

/** The union of intervals as disjoint intervals in ascending order (touching ones merged; empty ones dropped). */
export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The length of the union of intervals (time covered at least once). */
export const unionLength = (intervals: readonly Interval[]): number => union(intervals).reduce((s, [a, b]) => s + (b - a), 0);

/** The length of ∪a not covered by ∪b. */
export const lengthOutside = (a: readonly Interval[], b: readonly Interval[]): number => unionLength([...a, ...b]) - unionLength(b);

/** The spans of a timeline's entries, by kind. */
export function spansOf(entries: readonly TimelineEntry[]): { windows: Interval[]; waits: Interval[] } {
  const windows: Interval[] = [];
  const waits: Interval[] = [];
  for (const e of entries) {
    if (e.kind !== 'note' || !isSpanData(e.data)) continue;
    const d: SpanData = e.data;
    (d.span === 'window' ? windows : waits).push([d.startMs, d.endMs]);
  }
  return { windows, waits };
}

export interface Overhead {
  readonly wallMs: number;
  readonly windowsMs: number;
  readonly clusterMs: number;
  /** wall − windows − cluster */
  readonly harnessMs: number;
  /** wall ÷ (windows + cluster); undefined when both are 0 (n/a). */
  readonly ratio: number | undefined;
}

/** wall ÷ (windows + cluster), or undefined when there is nothing to divide by. */
export function overheadOf(wallMs: number, windowsMs: number, clusterMs: number): Overhead {
  const waited = windowsMs + clusterMs;
  return { wallMs, windowsMs, clusterMs, harnessMs: wallMs - waited, ratio: waited > 0 ? wallMs / waited : undefined };
}

/** One scenario's overhead from its timeline entries (see the top of this file for what counts). */
export function scenarioOverhead(entries: readonly TimelineEntry[]): Overhead {
  const { windows, waits } = spansOf(entries);
  let wallMs = 0;
  for (const e of entries) wallMs = Math.max(wallMs, e.t, isSpanData(e.data) ? e.data.endMs : 0);
  return overheadOf(wallMs, unionLength(windows), lengthOutside(waits, windows));
}

/**
 * The time the clusters themselves took, from the run's output (src/providers: kind logs `kind: NAME ready in 63.2s`
 * and `kind: deleted NAME in 4.1s`, kwok `kwok: control plane ready in 3.2s`; kwok logs no teardown time). Image
 * loading (`kind: loaded …`, `… served from registry … in`) is reported apart: how images reach the nodes is the
 * harness's choice. A count of 0 means the output did not say (e.g. a reused cluster is attached, not created).
 */
export interface ClusterTimes {
  readonly createMs: number;
  readonly creates: number;
  readonly teardownMs: number;
  readonly teardowns: number;
  readonly imagesMs: number;
  readonly imageLoads: number;
}

export function clusterTimes(output: string): ClusterTimes {
  let createMs = 0;
  let creates = 0;
  let teardownMs = 0;
  let teardowns = 0;
  let imagesMs = 0;
  let imageLoads = 0;
  const ms = (s: string): number => Number(s) * 1000;
  for (const line of output.split('\n')) {
    let m = /^kind: \S+ ready in ([\d.]+)s\s*$/.exec(line) ?? /^kwok: control plane ready in ([\d.]+)s\b/.exec(line);
    if (m) {
      createMs += ms(m[1]!);
      creates++;
      continue;
    }
    m = /^kind: deleted \S+ in ([\d.]+)s\s*$/.exec(line);
    if (m) {
      teardownMs += ms(m[1]!);
      teardowns++;
      continue;
    }
    m = /^kind: (?:loaded \d+ images into \d+ workers|\d+ images served from registry \S+) in ([\d.]+)s\b/.exec(line);
    if (m) {
      imagesMs += ms(m[1]!);
      imageLoads++;
    }
  }
  return { createMs, creates, teardownMs, teardowns, imagesMs, imageLoads };
}

/** "1.23", or "n/a" for an undefined ratio. */
export const fmtRatio = (r: number | undefined): string => (r === undefined || !Number.isFinite(r) ? 'n/a' : r.toFixed(2));
