/**
 * The per-scenario timeline: every watch event, action and assertion with a monotonic timestamp and a global
 * sequence number. Ordering checks read it; the report renders it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

export interface TimelineEntry {
  readonly seq: number;
  /** Monotonic ms since the timeline started. */
  readonly t: number;
  readonly kind: 'watch' | 'action' | 'assert' | 'note';
  readonly source: string;
  readonly text: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/**
 * A stretch of a scenario spent waiting, as the `data` of a 'note' entry added when it ends: a catalogue window
 * ("nothing happens for N s", ResourceWatch.hold) or a wait on the cluster reaching a state (ResourceWatch.until,
 * eventually, drains). startMs and endMs are on the timeline's own clock (now()). bench/overhead.ts reads them.
 * A type, not an interface: it must fit the timeline's `Record<string, unknown>`.
 */
export type SpanData = {
  readonly span: 'window' | 'wait';
  readonly startMs: number;
  readonly endMs: number;
};

export const isSpanData = (d: unknown): d is SpanData => {
  const o = d as Partial<SpanData> | undefined;
  return (o?.span === 'window' || o?.span === 'wait') && typeof o.startMs === 'number' && typeof o.endMs === 'number';
};

export class Timeline {
  readonly entries: TimelineEntry[] = [];
  readonly startedAt = new Date().toISOString();
  private readonly origin = performance.now();
  private nextSeq = 0;

  now(): number {
    return performance.now() - this.origin;
  }

  /** The sequence number the next entry will get: a mark for "events since here". */
  mark(): number {
    return this.nextSeq;
  }

  add(kind: TimelineEntry['kind'], source: string, text: string, data?: Record<string, unknown>): TimelineEntry {
    const entry: TimelineEntry = { seq: this.nextSeq++, t: this.now(), kind, source, text, ...(data ? { data } : {}) };
    this.entries.push(entry);
    return entry;
  }

  /** A 'note' for a window or wait from startMs to endMs (now() then; by default now); `text` says what and how it ended. */
  span(span: SpanData['span'], source: string, text: string, startMs: number, endMs = this.now()): TimelineEntry {
    const data: SpanData = { span, startMs, endMs };
    return this.add('note', source, `${text} (${((endMs - startMs) / 1000).toFixed(1)}s)`, data);
  }
}

const active = new AsyncLocalStorage<Timeline>();

/**
 * Runs fn with `tl` as the timeline of the scenario step it is part of (src/scenario.ts wraps every step), so that
 * helpers that are not given a timeline (eventually) can still record their waits on it.
 */
export function withTimeline<T>(tl: Timeline, fn: () => T): T {
  return active.run(tl, fn);
}

/** The timeline of the scenario step running now (withTimeline), or undefined outside one. */
export const activeTimeline = (): Timeline | undefined => active.getStore();
