/**
 * The per-scenario timeline: every watch event, action and assertion with a monotonic timestamp and a global
 * sequence number. Ordering checks read it; the report renders it.
 */
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
}
