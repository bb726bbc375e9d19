/**
 * The write ledger's recorded sequence (issue 14): every write and read the ledger client made during a fault
 * window, with monotonic start and end times, the fault windows, and the final read-back of every key. Plain JSON
 * (no undefined, no Map, no Date): it is written into the report directory as it is, and the verdicts
 * (src/ledger/verdict.ts) are pure functions of it.
 *
 * Times are monotonic milliseconds from one clock: `performance.now()` by default, or the scenario timeline's
 * clock (`Timeline.now()`) so that ledger times and watch events share one axis.
 */

/** Bumped when a field changes meaning or goes away; added optional fields keep it. */
export const LEDGER_SCHEMA = 1;

/**
 * How an operation settled. `ok` is an acknowledgement. `error` (the adapter rejected) and `timeout` (no answer
 * within the ledger's opTimeoutMs) are indeterminate for a write: it may still have taken effect.
 */
export type OpOutcome = 'ok' | 'error' | 'timeout';

interface OpBase {
  /** Position in start order: a total order over every operation the ledger started (read-back excluded). */
  readonly seq: number;
  readonly key: string;
  /** Monotonic ms when the client called the adapter. */
  readonly start: number;
  /** Monotonic ms when it settled: the acknowledgement, the error, or start + opTimeoutMs on a timeout. */
  readonly end: number;
}

type Failed = { readonly outcome: 'error'; readonly message: string } | { readonly outcome: 'timeout' };

/**
 * One write. `version` is the per-key sequence number: 1 for the first write of a key, then 2, 3, ... in the
 * order the client started them; the client never starts a write of a key while an earlier write of that key is
 * unsettled, so version order is real-time order of the writes as the client issued them. `value` encodes it.
 */
export type WriteOp = OpBase & { readonly kind: 'write'; readonly value: string; readonly version: number } & ({ readonly outcome: 'ok' } | Failed);

/**
 * One read. On `ok`, `value` is what it returned: a string, or null for a missing key. A read-back read that failed
 * or timed out is tried again until the deadline; `tries` (when more than one) counts them, and the op is the last.
 */
export type ReadOp = OpBase & { readonly kind: 'read'; readonly tries?: number } & ({ readonly outcome: 'ok'; readonly value: string | null } | Failed);

export type LedgerOp = WriteOp | ReadOp;

/** A fault the scenario injected while the ledger ran. `end` is null when it had not ended when the ledger stopped. */
export interface FaultWindow {
  /** Unique within a ledger, e.g. `kill zk-0`. */
  readonly name: string;
  readonly start: number;
  readonly end: number | null;
}

/** Why the client loop stopped issuing operations. */
export type StopReason = 'duration' | 'signal' | 'stopped' | 'max-duration' | 'max-writes';

export interface Ledger {
  readonly schema: typeof LEDGER_SCHEMA;
  readonly keyPrefix: string;
  /** Ticks per second; each tick starts one write and one read. */
  readonly rateHz: number;
  /** Distinct keys written in turn; absent when every write had a new key. */
  readonly keySpace?: number;
  readonly opTimeoutMs: number;
  /** Monotonic ms of the first tick. */
  readonly start: number;
  /** When the loop stopped starting operations. */
  readonly stop: number;
  /** When the last operation settled (in-flight operations are awaited, each bounded by opTimeoutMs). */
  readonly end: number;
  readonly stopReason: StopReason;
  /** Operations not started because the client was at its in-flight bound, the key was busy, or the loop fell behind. */
  readonly skipped: { readonly writes: number; readonly reads: number };
  /** Every write and read, in seq (start) order. */
  readonly ops: readonly LedgerOp[];
  readonly windows: readonly FaultWindow[];
  /**
   * The final read-back, started after every operation settled: one answer for every key written (acknowledged or
   * not), seq -1; failed and timed-out reads are tried again until the deadline. A key the read-back could not
   * reach before its deadline is an `error` naming the deadline, or its last failure.
   */
  readonly readBack: readonly ReadOp[];
}

export const isWrite = (op: LedgerOp): op is WriteOp => op.kind === 'write';
export const isRead = (op: LedgerOp): op is ReadOp => op.kind === 'read';
