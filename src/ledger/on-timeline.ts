/**
 * A ledger run as part of a scenario (issue 14): on the timeline's clock, so ledger times and watch events share
 * one axis; each fault window an action on the timeline when it starts and a 'fault' entry with its bounds when it
 * ends; and, when the run is done, its failed stretches and its whole span on the timeline and the record handed
 * to `save` (the report directory's ledgers/, src/reporting/artifacts.ts).
 */
import { isSpanData, type SpanData, type Timeline, type TimelineEntry } from '../timeline.ts';
import type { Ledger, LedgerOp } from './record.ts';
import { startLedger, type Adapter, type LedgerOptions, type LedgerRun } from './writer.ts';

/** The `data` of a timeline entry for a fault window, or for a stretch of failed operations of a ledger. */
export type FaultData = { readonly fault: string; readonly startMs: number; readonly endMs: number };
export type FailedStretchData = {
  readonly ledger: string;
  readonly op: 'write' | 'read';
  readonly startMs: number;
  readonly endMs: number;
  readonly failed: number;
};

export const isFaultData = (d: unknown): d is FaultData => {
  const o = d as Partial<FaultData> | undefined;
  return typeof o?.fault === 'string' && typeof o.startMs === 'number' && typeof o.endMs === 'number';
};

export const isFailedStretchData = (d: unknown): d is FailedStretchData => {
  const o = d as Partial<FailedStretchData> | undefined;
  return (
    typeof o?.ledger === 'string' &&
    (o.op === 'write' || o.op === 'read') &&
    typeof o.startMs === 'number' &&
    typeof o.endMs === 'number' &&
    typeof o.failed === 'number'
  );
};

/** The `data` of a ledger run's own 'window' span: a SpanData that names its ledger. */
export type LedgerRunData = SpanData & { readonly ledger: string };

/** The ledger name of the 'window' span ledgerOnTimeline adds for a whole run; undefined for any other entry. */
export function ledgerOfRunSpan(e: TimelineEntry): string | undefined {
  if (e.source !== 'ledger' || !isSpanData(e.data) || e.data.span !== 'window') return undefined;
  const name = (e.data as Partial<LedgerRunData>).ledger;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Consecutive failed operations of one kind (in start order, interrupted by no success of that kind), each as one
 * stretch from the first one's start to the last one's end: what the timeline shows of a ledger's failures.
 */
export function failedStretches(ops: readonly LedgerOp[], kind: 'write' | 'read'): { startMs: number; endMs: number; failed: number }[] {
  const out: { startMs: number; endMs: number; failed: number }[] = [];
  let cur: { startMs: number; endMs: number; failed: number } | undefined;
  for (const op of ops) {
    if (op.kind !== kind) continue;
    if (op.outcome === 'ok') {
      if (cur) out.push(cur);
      cur = undefined;
    } else if (cur) {
      cur.endMs = Math.max(cur.endMs, op.end);
      cur.failed++;
    } else cur = { startMs: op.start, endMs: op.end, failed: 1 };
  }
  if (cur) out.push(cur);
  return out;
}

/** One line of what a ledger did, for the timeline and logs. */
export function ledgerSummary(l: Ledger): string {
  const n = (kind: 'write' | 'read', outcome: LedgerOp['outcome']): number => l.ops.filter((o) => o.kind === kind && o.outcome === outcome).length;
  const missing = l.readBack.filter((r) => r.outcome === 'ok' && r.value === null).length;
  return (
    `writes ${n('write', 'ok')} acknowledged, ${n('write', 'error')} failed, ${n('write', 'timeout')} timed out; ` +
    `reads ${n('read', 'ok')} answered, ${n('read', 'error')} failed, ${n('read', 'timeout')} timed out; ` +
    `read-back ${l.readBack.length} keys (${missing} missing); stopped by ${l.stopReason}`
  );
}

/** startLedger on the timeline's clock, its faults and failures recorded there, the record saved when done. */
export function ledgerOnTimeline(
  timeline: Timeline,
  name: string,
  adapter: Adapter,
  opts: Omit<LedgerOptions, 'now'>,
  save: (ledger: Ledger) => string,
): LedgerRun {
  const run = startLedger(adapter, { ...opts, now: () => timeline.now() });
  timeline.add('action', 'ledger', `ledger ${name}: writing and reading at ${opts.rateHz}/s (keys ${opts.keyPrefix}…)`);
  const fault = (fault: string): (() => void) => {
    const end = run.fault(fault);
    const startMs = timeline.now();
    timeline.add('action', 'fault', `fault ${fault}: start`);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      end();
      const endMs = timeline.now();
      const data: FaultData = { fault, startMs, endMs };
      timeline.add('action', 'fault', `fault ${fault}: end (${((endMs - startMs) / 1000).toFixed(1)}s)`, data);
    };
  };
  const done = run.done.then((l) => {
    for (const op of ['write', 'read'] as const) {
      for (const s of failedStretches(l.ops, op)) {
        const data: FailedStretchData = { ledger: name, op, ...s };
        timeline.add(
          'note',
          'ledger',
          `ledger ${name}: ${s.failed} ${op}s failed from ${(s.startMs / 1000).toFixed(1)}s to ${(s.endMs / 1000).toFixed(1)}s`,
          data,
        );
      }
    }
    const file = save(l);
    const data: LedgerRunData = { span: 'window', startMs: l.start, endMs: l.end, ledger: name };
    timeline.add('note', 'ledger', `ledger ${name}: ${ledgerSummary(l)}; ${file} (${((l.end - l.start) / 1000).toFixed(1)}s)`, data);
    return l;
  });
  return {
    fault,
    async during<T>(f: string, fn: () => Promise<T>): Promise<T> {
      const end = fault(f);
      try {
        return await fn();
      } finally {
        end();
      }
    },
    stop: () => run.stop(),
    done,
  };
}
