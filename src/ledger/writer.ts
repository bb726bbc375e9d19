/**
 * The write ledger's client loop (issue 14), pure of any cluster: it drives an Adapter at a steady rate, starting
 * one write of a new key (or the next key of a fixed key space, at its next version) and one read per tick,
 * records every operation with monotonic start and end times, and reads every written key back at the end.
 *
 * Bounded: every operation by opTimeoutMs (then recorded as `timeout`; the adapter's promise is left to settle on
 * its own, its outcome ignored), the operations in flight by maxInFlight of each kind, the run by durationMs (or a
 * signal, or stop()) and always by maxDurationMs and maxWrites, the read-back by readBackTimeoutMs. It stops by
 * itself and never rejects because of the adapter: every adapter failure is a recorded outcome.
 */
import { errorMessage } from '../errors.ts';
import { LEDGER_SCHEMA, type FaultWindow, type Ledger, type LedgerOp, type ReadOp, type StopReason } from './record.ts';

/** How the ledger reaches an app (ZooKeeper, CQL, redis, MySQL, HTTP, exec): one key-value write and read. */
/** The pause before a read-back read that failed or timed out is tried again. */
const READ_BACK_RETRY_MS = 1000;

export interface Adapter {
  /** Resolves when the app acknowledged the write; rejects when it refused or failed. */
  write(key: string, value: string): Promise<void>;
  /** The key's value, or undefined when the app says it does not exist. */
  read(key: string): Promise<string | undefined>;
}

export interface LedgerOptions {
  /** Ticks per second (0 < rateHz <= 1000); each tick starts one write and one read. */
  readonly rateHz: number;
  /** Stop after this many ms (ticks are due at 0, 1/rateHz, ... before it). Give this, a signal, or both. */
  readonly durationMs?: number;
  /** Stop when this aborts. */
  readonly signal?: AbortSignal;
  /** Prefix of every key, unique to the run (keys are `${keyPrefix}000000`, `${keyPrefix}000001`, ...). */
  readonly keyPrefix: string;
  /**
   * Write this many distinct keys in turn, each at its next version, so that reads can return older data, not
   * only missing data. Default: every write has a new key (version 1).
   */
  readonly keySpace?: number;
  /** Per operation (default 2000 ms). */
  readonly opTimeoutMs?: number;
  /** Writes, and reads, in flight at once; a tick at the bound skips that operation (default 16). */
  readonly maxInFlight?: number;
  /** Hard bound on the run, whatever durationMs or the signal say (default 600 000 ms). */
  readonly maxDurationMs?: number;
  /** Hard bound on the writes started (default 100 000). */
  readonly maxWrites?: number;
  /** The whole read-back (default 60 000 ms); keys not read by then are recorded as errors naming the deadline. */
  readonly readBackTimeoutMs?: number;
  /** Keys read back at once (default 8). */
  readonly readBackConcurrency?: number;
  /** The monotonic clock in ms (default performance.now); a scenario passes its timeline's clock. */
  readonly now?: () => number;
}

/** A running ledger. */
export interface LedgerRun {
  /** Starts a fault window now, named uniquely; call the returned function when the fault ends (again: no-op). */
  fault(name: string): () => void;
  /** Runs fn as a fault window: it starts before fn and ends when fn settles. */
  during<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Stops starting operations; `done` resolves after the in-flight ones settle and the read-back. */
  stop(): void;
  readonly done: Promise<Ledger>;
}

export const ledgerKey = (prefix: string, n: number): string => `${prefix}${String(n).padStart(6, '0')}`;
/** The value of a key's version-th write: it names both, so a value read back identifies its write. */
export const ledgerValue = (key: string, version: number): string => `${key}#v${version}`;

const DEFAULTS = {
  opTimeoutMs: 2000,
  maxInFlight: 16,
  maxDurationMs: 600_000,
  maxWrites: 100_000,
  readBackTimeoutMs: 60_000,
  readBackConcurrency: 8,
} as const;

type Settlement<T> = { readonly outcome: 'ok'; readonly value: T } | { readonly outcome: 'error'; readonly message: string } | { readonly outcome: 'timeout' };

/** run()'s outcome within timeoutMs; never rejects (a throw, sync or async, is an `error`). */
async function settle<T>(run: () => Promise<T>, timeoutMs: number): Promise<Settlement<T>> {
  let timer: NodeJS.Timeout | undefined;
  const answer = Promise.resolve()
    .then(run)
    .then(
      (value): Settlement<T> => ({ outcome: 'ok', value }),
      (err: unknown): Settlement<T> => ({ outcome: 'error', message: errorMessage(err) }),
    );
  const timeout = new Promise<Settlement<T>>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: 'timeout' }), timeoutMs);
  });
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`ledger: ${what}`);
}

const positive = (x: number | undefined): boolean => x === undefined || (typeof x === 'number' && Number.isFinite(x) && x > 0);
const count = (x: number | undefined): boolean => x === undefined || (Number.isInteger(x) && x >= 1);

function validate(opts: LedgerOptions): void {
  check(typeof opts.rateHz === 'number' && opts.rateHz > 0 && opts.rateHz <= 1000, `rateHz must be in (0, 1000], not ${opts.rateHz}`);
  check(opts.durationMs !== undefined || opts.signal !== undefined, 'give durationMs or signal (or both)');
  check(typeof opts.keyPrefix === 'string' && opts.keyPrefix.length > 0, 'keyPrefix must be a non-empty string');
  for (const [name, v] of [
    ['durationMs', opts.durationMs],
    ['opTimeoutMs', opts.opTimeoutMs],
    ['maxDurationMs', opts.maxDurationMs],
    ['readBackTimeoutMs', opts.readBackTimeoutMs],
  ] as const) {
    check(positive(v), `${name} must be a number > 0, not ${v}`);
  }
  for (const [name, v] of [
    ['keySpace', opts.keySpace],
    ['maxInFlight', opts.maxInFlight],
    ['maxWrites', opts.maxWrites],
    ['readBackConcurrency', opts.readBackConcurrency],
  ] as const) {
    check(count(v), `${name} must be an integer >= 1, not ${v}`);
  }
}

/** Starts the ledger client; throws at once on bad options. */
export function startLedger(adapter: Adapter, opts: LedgerOptions): LedgerRun {
  validate(opts);
  const now = opts.now ?? (() => performance.now());
  const period = 1000 / opts.rateHz;
  const opTimeoutMs = opts.opTimeoutMs ?? DEFAULTS.opTimeoutMs;
  const maxInFlight = opts.maxInFlight ?? DEFAULTS.maxInFlight;
  const maxDurationMs = opts.maxDurationMs ?? DEFAULTS.maxDurationMs;
  const maxWrites = opts.maxWrites ?? DEFAULTS.maxWrites;
  const limitMs = Math.min(opts.durationMs ?? Number.POSITIVE_INFINITY, maxDurationMs);
  const limitReason: StopReason = opts.durationMs !== undefined && opts.durationMs <= maxDurationMs ? 'duration' : 'max-duration';

  const ops: LedgerOp[] = [];
  const windows: { name: string; start: number; end: number | null }[] = [];
  const inFlight = new Set<Promise<void>>();
  const busyKeys = new Set<string>();
  const versions = new Map<string, number>();
  const written: string[] = [];
  const skipped = { writes: 0, reads: 0 };
  let writesInFlight = 0;
  let readsInFlight = 0;
  let writesStarted = 0;
  let seq = 0;
  let lastAcked: { key: string; at: number } | undefined;
  let lastStarted: string | undefined;
  let stopReason: StopReason | undefined;
  let windowsClosed = false;

  let wake: (() => void) | undefined;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
  const halt = (reason: StopReason): void => {
    stopReason ??= reason;
    wake?.();
  };
  const onAbort = (): void => halt('signal');
  if (opts.signal?.aborted) halt('signal');
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const track = (p: Promise<void>): void => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const startWrite = (tick: number): void => {
    const key = ledgerKey(opts.keyPrefix, opts.keySpace ? tick % opts.keySpace : tick);
    if (writesInFlight >= maxInFlight || busyKeys.has(key)) {
      skipped.writes++;
      return;
    }
    const version = (versions.get(key) ?? 0) + 1;
    versions.set(key, version);
    if (version === 1) written.push(key);
    const value = ledgerValue(key, version);
    const base = { seq: seq++, kind: 'write' as const, key, value, version, start: now() };
    busyKeys.add(key);
    writesInFlight++;
    writesStarted++;
    lastStarted = key;
    track(
      settle(() => adapter.write(key, value), opTimeoutMs).then((s) => {
        const end = now();
        busyKeys.delete(key);
        writesInFlight--;
        if (s.outcome === 'ok') {
          ops.push({ ...base, end, outcome: 'ok' });
          if (!lastAcked || end >= lastAcked.at) lastAcked = { key, at: end };
        } else ops.push(s.outcome === 'error' ? { ...base, end, outcome: 'error', message: s.message } : { ...base, end, outcome: 'timeout' });
      }),
    );
  };

  /** Reads the key of the latest acknowledged write (else of the latest started one): where staleness shows first. */
  const startRead = (): void => {
    const key = lastAcked?.key ?? lastStarted;
    if (key === undefined || readsInFlight >= maxInFlight) {
      skipped.reads++;
      return;
    }
    const base = { seq: seq++, kind: 'read' as const, key, start: now() };
    readsInFlight++;
    track(
      settle(() => adapter.read(key), opTimeoutMs).then((s) => {
        const end = now();
        readsInFlight--;
        ops.push(toRead(base, end, s));
      }),
    );
  };

  const readBack = async (): Promise<ReadOp[]> => {
    const budget = opts.readBackTimeoutMs ?? DEFAULTS.readBackTimeoutMs;
    const deadline = now() + budget;
    const acked = new Set(ops.flatMap((o) => (o.kind === 'write' && o.outcome === 'ok' ? [o.key] : [])));
    const out: ReadOp[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < written.length) {
        const key = written[next++]!;
        const start = now();
        const left = deadline - start;
        if (left <= 0) {
          out.push({
            seq: -1,
            kind: 'read',
            key,
            start,
            end: start,
            outcome: 'error',
            message: `read-back deadline of ${budget} ms passed before this key was read`,
          });
          continue;
        }
        // A read that failed or timed out says nothing about the key (a port-forward to a member that just
        // restarted can hang): for a key with an acknowledged write it is tried again, a second apart, until one
        // answers or the deadline passes. An answer, even "missing" or an old value, is final. A key never
        // acknowledged is read once: nothing is owed for it, and an exec read of a missing key fails every time.
        const retry = acked.has(key);
        let tries = 0;
        for (;;) {
          const at = now();
          const s = await settle(() => adapter.read(key), Math.min(opTimeoutMs, Math.max(1, deadline - at)));
          tries++;
          const op = toRead({ seq: -1, kind: 'read', key, start: at }, now(), s);
          if (s.outcome === 'ok' || !retry || now() + READ_BACK_RETRY_MS >= deadline) {
            out.push(tries > 1 ? { ...op, tries } : op);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, READ_BACK_RETRY_MS));
        }
      }
    };
    await Promise.all(Array.from({ length: opts.readBackConcurrency ?? DEFAULTS.readBackConcurrency }, worker));
    const order = new Map(written.map((k, i) => [k, i]));
    return out.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
  };

  const run = async (): Promise<Ledger> => {
    const start = now();
    let tick = 0;
    try {
      while (stopReason === undefined) {
        const due = tick * period;
        if (writesStarted >= maxWrites) halt('max-writes');
        else if (due >= limitMs) {
          // No tick left: the run still lasts its whole duration (a signal or stop() ends the wait).
          const left = start + limitMs - now();
          if (left > 0) await sleep(left);
          halt(limitReason);
        }
        if (stopReason !== undefined) break;
        const wait = start + due - now();
        if (wait > 0) await sleep(wait);
        if (stopReason !== undefined) break;
        // Fell behind by whole periods (a blocked event loop): skip those ticks rather than burst.
        const behind = Math.floor((now() - start - due) / period);
        if (behind > 0) {
          tick += behind;
          skipped.writes += behind;
          skipped.reads += behind;
          continue;
        }
        startWrite(tick);
        startRead();
        tick++;
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    const stop = now();
    while (inFlight.size > 0) await Promise.all([...inFlight]);
    const end = now();
    windowsClosed = true;
    const faults: FaultWindow[] = windows.map((w) => ({ ...w }));
    const back = await readBack();
    return {
      schema: LEDGER_SCHEMA,
      keyPrefix: opts.keyPrefix,
      rateHz: opts.rateHz,
      ...(opts.keySpace ? { keySpace: opts.keySpace } : {}),
      opTimeoutMs,
      start,
      stop,
      end,
      stopReason: stopReason ?? 'stopped',
      skipped: { ...skipped },
      ops: ops.sort((a, b) => a.seq - b.seq),
      windows: faults,
      readBack: back,
    };
  };

  const fault = (name: string): (() => void) => {
    check(!windowsClosed, `fault ${name} started after the ledger stopped`);
    check(!windows.some((w) => w.name === name), `fault window ${JSON.stringify(name)} already exists`);
    const w = { name, start: now(), end: null as number | null };
    windows.push(w);
    return () => {
      if (w.end === null && !windowsClosed) w.end = now();
    };
  };

  return {
    fault,
    async during<T>(name: string, fn: () => Promise<T>): Promise<T> {
      const end = fault(name);
      try {
        return await fn();
      } finally {
        end();
      }
    },
    stop: () => halt('stopped'),
    done: run(),
  };
}

function toRead(base: { seq: number; kind: 'read'; key: string; start: number }, end: number, s: Settlement<string | undefined>): ReadOp {
  if (s.outcome === 'ok') return { ...base, end, outcome: 'ok', value: s.value ?? null };
  return s.outcome === 'error' ? { ...base, end, outcome: 'error', message: s.message } : { ...base, end, outcome: 'timeout' };
}

/** Runs the ledger until durationMs, the signal, or a hard bound, and returns what it recorded. */
export function runLedger(adapter: Adapter, opts: LedgerOptions): Promise<Ledger> {
  return startLedger(adapter, opts).done;
}
