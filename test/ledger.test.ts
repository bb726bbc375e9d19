import { afterEach, describe, expect, it, vi } from 'vitest';
import { LEDGER_SCHEMA, type FaultWindow, type Ledger, type LedgerOp, type ReadOp, type WriteOp } from '../src/ledger/record.ts';
import {
  checkFailedInFaults,
  checkLostWrites,
  checkRecovery,
  checkStaleReads,
  checkUnavailability,
  gaps,
  ledgerVerdicts,
  lostWrites,
  recovery,
  staleReads,
  unavailability,
} from '../src/ledger/verdict.ts';
import { ledgerKey, ledgerValue, runLedger, startLedger, type Adapter } from '../src/ledger/writer.ts';

// ---------------------------------------------------------------------------------------------------------------
// Recorded sequences, built by hand

let nextSeq = 0;
type Outcome = 'ok' | 'error' | 'timeout';

function W(key: string, version: number, start: number, end: number, outcome: Outcome = 'ok'): WriteOp {
  const base = { seq: nextSeq++, kind: 'write' as const, key, value: ledgerValue(key, version), version, start, end };
  if (outcome === 'ok') return { ...base, outcome };
  return outcome === 'error' ? { ...base, outcome, message: 'NOT_LEADER' } : { ...base, outcome };
}

/** A read that answered `got` (a value, or null for missing), or failed. */
function R(key: string, start: number, end: number, got: string | null | { fail: 'error' | 'timeout' }): ReadOp {
  const base = { seq: nextSeq++, kind: 'read' as const, key, start, end };
  if (got === null || typeof got === 'string') return { ...base, outcome: 'ok', value: got };
  return got.fail === 'error' ? { ...base, outcome: 'error', message: 'connection refused' } : { ...base, outcome: 'timeout' };
}

const B = (key: string, value: string | null, at: number): ReadOp => ({ seq: -1, kind: 'read', key, start: at, end: at + 1, outcome: 'ok', value });

/**
 * A ledger of `ops`; by default its read-back is what a correct store holds: each key's newest acknowledged
 * version, and missing for keys no write of which was acknowledged.
 */
function ledgerOf(ops: LedgerOp[], parts: { windows?: FaultWindow[]; readBack?: ReadOp[]; start?: number; stop?: number; end?: number } = {}): Ledger {
  const sorted = [...ops].sort((a, b) => a.seq - b.seq);
  const end = parts.end ?? Math.max(0, ...ops.map((o) => o.end));
  const stop = parts.stop ?? Math.max(0, ...ops.map((o) => o.start));
  const newest = new Map<string, WriteOp | undefined>();
  for (const op of sorted) {
    if (op.kind !== 'write') continue;
    const cur = newest.get(op.key);
    if (op.outcome === 'ok' && (!cur || op.version > cur.version)) newest.set(op.key, op);
    else if (!newest.has(op.key)) newest.set(op.key, undefined);
  }
  const readBack = parts.readBack ?? [...newest].map(([key, w]) => B(key, w?.value ?? null, end + 1));
  return {
    schema: LEDGER_SCHEMA,
    keyPrefix: 'k',
    rateHz: 10,
    opTimeoutMs: 2000,
    start: parts.start ?? 0,
    stop,
    end,
    stopReason: 'duration',
    skipped: { writes: 0, reads: 0 },
    ops: sorted,
    windows: parts.windows ?? [],
    readBack,
  };
}

type Span = readonly [number, number];
const inside = (t: number, spans: readonly Span[]): boolean => spans.some(([a, b]) => t >= a && t < b);

/**
 * A steady client against a store that is correct except while "down": every `every` ms from 0 to `until`, a
 * write of a new key (acknowledged `latency` ms later, or failing while writes are down) and, 1 ms later, a read
 * of the newest key acknowledged before it, which returns its value (or fails while reads are down).
 */
function steady(until: number, o: { every?: number; latency?: number; writesDown?: Span[]; readsDown?: Span[] } = {}): LedgerOp[] {
  const every = o.every ?? 100;
  const latency = o.latency ?? 10;
  const ops: LedgerOp[] = [];
  const acked: WriteOp[] = [];
  for (let t = 0, n = 0; t < until; t += every, n++) {
    const w = W(`k${n}`, 1, t, t + latency, inside(t, o.writesDown ?? []) ? 'error' : 'ok');
    ops.push(w);
    const last = acked.filter((a) => a.end < t + 1).at(-1);
    if (last) ops.push(R(last.key, t + 1, t + 1 + latency, inside(t, o.readsDown ?? []) ? { fail: 'error' } : last.value));
    if (w.outcome === 'ok') acked.push(w);
  }
  return ops;
}

const window = (name: string, start: number, end: number | null): FaultWindow => ({ name, start, end });
const budgets = { maxUnavailableMs: 1500, maxRecoveryMs: 1000 };

describe('ledger verdicts: sequences that must pass', () => {
  it('a fault that stops writes and reads for 500 ms, within budgets: all four checks pass, with the numbers', () => {
    const l = ledgerOf(steady(5000, { writesDown: [[1000, 1500]], readsDown: [[1000, 1500]] }), { windows: [window('kill zk-0', 1000, 2000)] });
    const v = ledgerVerdicts(l, budgets);
    for (const check of Object.values(v)) expect(check.ok, check.reason).toBe(true);
    expect(v.lostWrites.numbers).toMatchObject({ acknowledged: 45, lost: 0, unacknowledged: 5, unacknowledgedApplied: 0 });
    expect(v.staleReads.numbers).toMatchObject({ stale: 0, checked: 44 });
    // The last write acknowledged before the fault at 910, the next at 1510.
    expect(v.unavailability.numbers).toMatchObject({ writeGapMs: 600, writeGapFrom: 910, writeGapTo: 1510, readGapMs: 600, 'kill zk-0:writeGapMs': 600 });
    expect(v.recovery.numbers).toMatchObject({ 'kill zk-0:writeRecoveryMs': 10, 'kill zk-0:readRecoveryMs': 11 });
    expect(v.recovery.reason).toMatch(/first write after fault kill zk-0 \(ended 2000 ms\) succeeded 10 ms later/);
  });

  it('a gap exactly at the budget passes (the budget is inclusive)', () => {
    const l = ledgerOf(steady(5000, { writesDown: [[1000, 1500]] }), { windows: [window('f', 1000, 1200)] });
    expect(checkUnavailability(l, 600).ok).toBe(true);
    expect(checkUnavailability(l, 599).ok).toBe(false);
  });

  it('a verdict survives the JSON round trip the report directory gives it', () => {
    const l = ledgerOf(steady(3000, { writesDown: [[1000, 1300]] }), { windows: [window('f', 1000, 1300)] });
    const copy = JSON.parse(JSON.stringify(l)) as Ledger;
    expect(copy).toEqual(l);
    expect(ledgerVerdicts(copy, budgets)).toEqual(ledgerVerdicts(l, budgets));
  });

  it('a read of an older version written by an unacknowledged (indeterminate) write is ambiguous, reported, not failed', () => {
    const ops = [W('a', 1, 0, 10, 'timeout'), W('a', 2, 20, 30), R('a', 40, 50, ledgerValue('a', 1)), R('a', 60, 70, ledgerValue('a', 2))];
    const v = checkStaleReads(ledgerOf(ops));
    expect(v.ok, v.reason).toBe(true);
    expect(v.numbers).toMatchObject({ checked: 2, stale: 0, ambiguous: 1 });
    expect(v.reason).toMatch(/1 returned an earlier unacknowledged version/);
  });

  it('a read that returns a newer version than required, or one overwritten later, is fresh', () => {
    const ops = [W('a', 1, 0, 10), W('a', 2, 20, 30), R('a', 15, 40, ledgerValue('a', 2)), R('a', 45, 50, ledgerValue('a', 2))];
    const l = ledgerOf(ops);
    expect(checkStaleReads(l).ok).toBe(true);
    // v1 was overwritten by v2: it survived.
    expect(checkLostWrites(l).ok).toBe(true);
  });

  it('a read concurrent with the first acknowledgement of its key is not checked', () => {
    const ops = [W('a', 1, 0, 10), R('a', 5, 15, null), R('a', 20, 25, ledgerValue('a', 1))];
    expect(staleReads(ledgerOf(ops))).toMatchObject({ reads: 2, answered: 2, checked: 1, stale: [] });
  });
});

describe('ledger verdicts: sequences that must fail', () => {
  it('a lost write: acknowledged, then missing from the read-back', () => {
    const ops = steady(2000);
    const l = ledgerOf(ops);
    const lost = ops.find((o): o is WriteOp => o.kind === 'write' && o.key === 'k7')!;
    const broken = { ...l, readBack: l.readBack.map((b) => (b.key === 'k7' ? B('k7', null, b.start) : b)) };
    const v = checkLostWrites(broken);
    expect(v.ok).toBe(false);
    expect(v.reason).toBe(`1 of 20 acknowledged writes lost: write #${lost.seq} k7 v1 (started 700 ms, acknowledged at 710 ms) read back as missing`);
    expect(v.numbers).toMatchObject({ acknowledged: 20, lost: 1, lostMissing: 1 });
  });

  it('a lost write: the read-back returns an older acknowledged version, or a value nobody wrote', () => {
    const ops = [W('a', 1, 0, 10), W('a', 2, 20, 30), W('b', 1, 40, 50)];
    const older = checkLostWrites(ledgerOf(ops, { readBack: [B('a', ledgerValue('a', 1), 100), B('b', 'garbage', 100)] }));
    expect(older.ok).toBe(false);
    expect(older.numbers).toMatchObject({ lost: 2, lostOlder: 1, lostForeign: 1 });
    expect(older.reason).toMatch(/k?a v2 .* read back as older "a#v1"/);
    expect(older.reason).toMatch(/b v1 .* read back as "garbage"/);
  });

  it('asynchronous replication: the same lost write is counted and reported, not failed', () => {
    const l = ledgerOf(steady(2000));
    const broken = { ...l, readBack: l.readBack.map((b) => (b.key === 'k7' || b.key === 'k8' ? B(b.key, null, b.start) : b)) };
    const v = checkLostWrites(broken, { asyncReplication: true });
    expect(v.ok).toBe(true);
    expect(v.numbers).toMatchObject({ acknowledged: 20, lost: 2, asyncReplication: 1 });
    expect(v.reason).toMatch(/^2 of 20 acknowledged writes lost: .*k7.*k8.*\(asynchronous replication declared: counted, not failed\)/);
    expect(ledgerVerdicts(broken, { ...budgets, asyncReplication: false }).lostWrites.ok).toBe(false);
  });

  it('a stale read: missing after the write was acknowledged', () => {
    const ops = steady(2000).map((o) => (o.kind === 'read' && o.key === 'k5' ? { ...o, value: null } : o));
    const v = checkStaleReads(ledgerOf(ops));
    expect(v.ok).toBe(false);
    expect(v.numbers).toMatchObject({ stale: 1, staleMissing: 1 });
    expect(v.reason).toMatch(
      /^1 of 19 checked reads returned missing or older data: read #\d+ of k5 \(started 601 ms, answered at 611 ms, returned missing\): expected v1 or later/,
    );
  });

  it('a stale read: an older acknowledged version (keys rewritten), or a value nobody wrote', () => {
    const ops = [W('a', 1, 0, 10), W('a', 2, 20, 30), R('a', 40, 50, ledgerValue('a', 1)), R('a', 60, 70, 'garbage')];
    const v = checkStaleReads(ledgerOf(ops));
    expect(v.ok).toBe(false);
    expect(v.numbers).toMatchObject({ checked: 2, stale: 2, staleOlder: 1, staleForeign: 1 });
    expect(v.reason).toMatch(/expected v2 or later .* got older v1/);
    expect(v.reason).toMatch(/got "garbage", a value no write of the key had/);
  });

  it('a gap over budget: 2.1 s with no successful write and no successful read against a 1.5 s budget', () => {
    const l = ledgerOf(steady(5000, { writesDown: [[1000, 3000]], readsDown: [[1000, 3000]] }), { windows: [window('partition', 1000, 2000)] });
    const v = checkUnavailability(l, 1500);
    expect(v.ok).toBe(false);
    expect(v.reason).toBe(
      'no successful write for 2100 ms (910 ms to 3010 ms, overlapping fault partition); no successful read for 2100 ms (911 ms to 3011 ms, overlapping fault partition): over the budget of 1500 ms',
    );
    expect(v.numbers).toMatchObject({ budgetMs: 1500, writeGapMs: 2100, readGapMs: 2100, 'partition:writeGapMs': 2100 });
    // And recovery after the window's end (2000) took 1010 ms, over a 1000 ms budget.
    const r = checkRecovery(l, 1000);
    expect(r.ok).toBe(false);
    expect(r.numbers).toMatchObject({ 'partition:writeRecoveryMs': 1010, 'partition:readRecoveryMs': 1011 });
    expect(r.reason).toMatch(/first write after fault partition \(ended 2000 ms\) succeeded 1010 ms later .*: the budget is 1000 ms$/);
  });

  it('a write acknowledged after the fault window counts when it was acknowledged, not when it started', () => {
    // Writes fail from 1000 to 2500, except one started at 1100 that hung through the window [1000, 2000] and was
    // acknowledged at 2550. Reads are unaffected. Judged by start time, that write would show writes in the window.
    const ops = steady(5000, { writesDown: [[1000, 2600]] });
    const late = W('late', 1, 1100, 2550);
    const l = ledgerOf([...ops, late], { windows: [window('kill primary', 1000, 2000)] });
    const u = unavailability(l);
    expect(u.write.longest).toEqual({ from: 910, to: 2550, ms: 1640 });
    expect(u.write.windows).toEqual([{ name: 'kill primary', longest: { from: 910, to: 2550, ms: 1640 } }]);
    const v = checkUnavailability(l, 1600);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/^no successful write for 1640 ms \(910 ms to 2550 ms, overlapping fault kill primary\): over the budget of 1600 ms$/);
    // It is also the first write after the window, so the write recovery is its acknowledgement: 550 ms.
    expect(recovery(l)[0]!.write).toEqual({ ms: 550, op: late });
    const r = checkRecovery(l, 500);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(
      /first write after fault kill primary \(ended 2000 ms\) succeeded 550 ms later \(write #\d+ late v1 \(started 1100 ms, acknowledged at 2550 ms\)\)/,
    );
    // Acknowledged is acknowledged: lost afterwards, it fails the lost-writes check like any other.
    const lost = checkLostWrites({ ...l, readBack: l.readBack.map((b) => (b.key === 'late' ? B('late', null, b.start) : b)) });
    expect(lost.ok).toBe(false);
    expect(lost.reason).toMatch(/late v1/);
  });

  it('a write acknowledged after the ledger stopped starting operations still counts: in the span and in the read-back', () => {
    const ops = [...steady(5000), W('tail', 1, 4990, 5400)];
    const l = ledgerOf(ops, { stop: 4990, end: 5400, windows: [window('f', 1000, 1100)] });
    expect(unavailability(l).to).toBe(5400);
    expect(unavailability(l).write.longest).toEqual({ from: 4910, to: 5400, ms: 490 });
    expect(lostWrites(l).acknowledged).toBe(51);
    const v = checkLostWrites({ ...l, readBack: l.readBack.filter((b) => b.key !== 'tail') });
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/write #\d+ tail v1 \(started 4990 ms, acknowledged at 5400 ms\): tail was not read back/);
  });

  it('a read-back that failed, or started before the acknowledgement, shows nothing: the check fails', () => {
    const ops = [W('a', 1, 0, 10), W('b', 1, 20, 300)];
    const failed: ReadOp = { seq: -1, kind: 'read', key: 'a', start: 400, end: 2400, outcome: 'timeout' };
    const v = checkLostWrites(ledgerOf(ops, { readBack: [failed, B('b', null, 200)] }));
    expect(v.ok).toBe(false);
    expect(v.numbers).toMatchObject({ acknowledged: 2, unverified: 2, lost: 0 });
    expect(v.reason).toMatch(/read-back of a \(started 400 ms, timed out at 2400 ms\)/);
    expect(v.reason).toMatch(/read-back of b \(started 200 ms.*started before the acknowledgement/);
  });

  it('nothing shown is never a pass: no acknowledged write, no checkable read, no fault window, an open window', () => {
    const down = ledgerOf(steady(1000, { writesDown: [[0, 1000]] }), { windows: [window('f', 100, 200)] });
    expect(checkLostWrites(down).reason).toBe('no write was acknowledged (10 writes attempted): durability was not shown');
    expect(checkLostWrites(down).ok).toBe(false);
    expect(checkStaleReads(down).ok).toBe(false);
    expect(checkStaleReads(down).reason).toMatch(/^no read started after a write of its key was acknowledged \(0 of 0 reads answered\)/);
    const l = ledgerOf(steady(1000));
    expect(checkRecovery(l, 1000)).toMatchObject({ ok: false, reason: 'no fault window was recorded: recovery was not shown' });
    const open = ledgerOf(steady(1000), { windows: [window('f', 100, null)] });
    expect(checkRecovery(open, 1000).reason).toMatch(/fault f had not ended when the ledger stopped/);
    expect(checkUnavailability(open, 1000).ok).toBe(false);
    const early = ledgerOf(steady(1000), { windows: [window('f', -10, 100)] });
    expect(checkRecovery(early, 1000).reason).toMatch(/^the ledger cannot be judged: fault f started at -10 ms, before the ledger's first tick at 0 ms$/);
    const afterStop = ledgerOf(steady(1000), { windows: [window('f', 500, 950)] });
    expect(checkRecovery(afterStop, 1000).reason).toMatch(/fault f ended at 950 ms, after the ledger stopped starting operations at 901 ms/);
  });

  it('no successful write or read after a fault ended fails recovery, naming it', () => {
    const l = ledgerOf(steady(3000, { writesDown: [[2000, 3000]] }), { windows: [window('f', 1500, 1800)] });
    expect(checkRecovery(l, 1000).ok).toBe(true);
    const never = ledgerOf(steady(3000, { writesDown: [[1500, 3000]] }), { windows: [window('f', 1500, 1800)] });
    const v = checkRecovery(never, 1000);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/^no successful write after fault f ended at 1800 ms \(ledger ran until 2911 ms\)/);
    expect(v.numbers).not.toHaveProperty('f:writeRecoveryMs');
  });

  it('a malformed ledger cannot be judged: overlapping versions of a key, duplicate windows, bad budgets', () => {
    const overlap = ledgerOf([W('a', 1, 0, 50), W('a', 2, 20, 30), R('a', 60, 70, ledgerValue('a', 2))]);
    for (const v of Object.values(ledgerVerdicts(overlap, budgets))) {
      expect(v.ok).toBe(false);
      expect(v.reason).toMatch(/^the ledger cannot be judged: write #\d+ a v2 .* started before write #\d+ a v1 .* settled/);
    }
    const twice = ledgerOf(steady(1000), { windows: [window('f', 100, 200), window('f', 300, 400)] });
    expect(checkRecovery(twice, 1000).reason).toMatch(/fault window name "f" appears twice/);
    expect(checkUnavailability(ledgerOf(steady(1000)), Number.NaN)).toMatchObject({
      ok: false,
      reason: 'budget maxUnavailableMs is NaN, not a number of ms >= 0',
    });
    expect(checkLostWrites({ ...ledgerOf(steady(1000)), schema: 2 as 1 }).reason).toMatch(/schema 2 is not 1/);
  });
});

describe('failed operations during the faults (checkFailedInFaults)', () => {
  /** Every third write fails inside [from, to): the keys whose only replica is down. */
  function someKeysDown(until: number, from: number, to: number): LedgerOp[] {
    const ops: LedgerOp[] = [];
    for (let t = 0, n = 0; t < until; t += 100, n++) {
      const down = t >= from && t < to && n % 3 === 0;
      const w = W(`k${n}`, 1, t, t + 10, down ? 'error' : 'ok');
      ops.push(w, R(`k${n}`, t + 1, t + 11, down ? { fail: 'error' } : null));
    }
    return ops;
  }

  it('some keys unavailable while the others answer: no gap over budget, but the failed share fails it', () => {
    const l = ledgerOf(someKeysDown(5000, 1000, 3000), { windows: [window('stop node', 1000, 3000)] });
    expect(checkUnavailability(l, 1500).ok).toBe(true);
    const v = checkFailedInFaults(l, 0.01);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(
      /^6 of 21 writes started during the faults failed \(28\.6 %\): write #\d+ k12 v1 .*; 6 of 20 reads .*: over the budget of 1\.0 %$/,
    );
    expect(v.numbers).toMatchObject({ writesInFaults: 21, failedWritesInFaults: 6, readsInFaults: 20, failedReadsInFaults: 6, maxFailedSharePct: 1 });
  });

  it('every operation during the fault answered: passes; a failure outside the windows does not count', () => {
    const l = ledgerOf(someKeysDown(5000, 3500, 4000), { windows: [window('stop node', 1000, 3000)] });
    const v = checkFailedInFaults(l, 0);
    expect(v.ok, v.reason).toBe(true);
    expect(v.reason).toBe(
      '0 of 21 writes started during the faults failed (0.0 %); 0 of 20 reads started during the faults failed (0.0 %); within the budget of 0.0 %',
    );
  });

  it('fails on what was not shown, and on a budget that is not a share', () => {
    expect(checkFailedInFaults(ledgerOf(someKeysDown(2000, 0, 0)), 0.5).reason).toMatch(/^no fault window was recorded/);
    expect(checkFailedInFaults(ledgerOf(someKeysDown(2000, 0, 0), { windows: [window('f', 5000, 5100)], stop: 5200, end: 5200 }), 0.5).reason).toMatch(
      /^(the fault window|fault window|no write was started during the faults)/,
    );
    expect(checkFailedInFaults(ledgerOf(someKeysDown(2000, 0, 0), { windows: [window('f', 100, 200)] }), 2).reason).toBe(
      'budget maxFailedShare is 2, not a share from 0 to 1',
    );
  });
});

describe('gaps', () => {
  it('splits the span at each instant, edges included, ignoring instants outside it', () => {
    expect(gaps([30, 10, 80, 200], 0, 100)).toEqual([
      { from: 0, to: 10, ms: 10 },
      { from: 10, to: 30, ms: 20 },
      { from: 30, to: 80, ms: 50 },
      { from: 80, to: 100, ms: 20 },
    ]);
    expect(gaps([], 5, 15)).toEqual([{ from: 5, to: 15, ms: 10 }]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The client loop, against an in-memory store (a fake for unit tests of the loop only)

class MemoryStore implements Adapter {
  readonly data = new Map<string, string>();
  /** What reads see: the data `lagMs` after each acknowledgement (a lagging replica). */
  readonly replica = new Map<string, string>();
  writeDelayMs = 1;
  readDelayMs = 1;
  lagMs = 0;
  failWrites: string | undefined;
  hangWrites = false;
  /** Keys whose writes are acknowledged but dropped. */
  readonly lose = new Set<string>();
  readonly calls: string[] = [];

  async write(key: string, value: string): Promise<void> {
    this.calls.push(`write ${key} ${value}`);
    if (this.hangWrites) return new Promise<void>(() => undefined);
    await sleep(this.writeDelayMs);
    if (this.failWrites) throw new Error(`${this.failWrites}\nsecond line`);
    if (this.lose.has(key)) return;
    this.data.set(key, value);
    if (this.lagMs > 0) setTimeout(() => this.replica.set(key, value), this.lagMs);
    else this.replica.set(key, value);
  }

  async read(key: string): Promise<string | undefined> {
    this.calls.push(`read ${key}`);
    await sleep(this.readDelayMs);
    return this.replica.get(key);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('runLedger with fake timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const fake = (): void => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  };

  it('runs at the configured rate: 20 Hz for 1 s is 20 writes of new keys and 20 reads, then reads every key back', async () => {
    fake();
    const store = new MemoryStore();
    const done = runLedger(store, { rateHz: 20, durationMs: 1000, keyPrefix: 'run1-' });
    await vi.advanceTimersByTimeAsync(2000);
    const l = await done;
    const writes = l.ops.filter((o) => o.kind === 'write');
    const reads = l.ops.filter((o) => o.kind === 'read');
    expect(writes).toHaveLength(20);
    expect(reads).toHaveLength(20);
    expect(writes.map((w) => w.start - l.start)).toEqual(Array.from({ length: 20 }, (_, i) => i * 50));
    expect(new Set(writes.map((w) => w.key)).size).toBe(20);
    expect(writes[0]).toMatchObject({ key: 'run1-000000', value: 'run1-000000#v1', version: 1, outcome: 'ok' });
    expect(writes.every((w) => w.outcome === 'ok' && w.end - w.start === 1)).toBe(true);
    expect(l).toMatchObject({ stopReason: 'duration', skipped: { writes: 0, reads: 0 }, keyPrefix: 'run1-', rateHz: 20 });
    expect(l.stop - l.start).toBe(1000);
    expect(l.readBack).toHaveLength(20);
    expect(l.readBack.every((b) => b.outcome === 'ok' && b.start >= l.end)).toBe(true);
    expect(l.ops.map((o) => o.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(checkLostWrites(l).ok).toBe(true);
    expect(checkStaleReads(l)).toMatchObject({ ok: true, numbers: { checked: 19, stale: 0 } });
  });

  it('stops when the signal aborts, and when stop() is called', async () => {
    fake();
    const ac = new AbortController();
    const done = runLedger(new MemoryStore(), { rateHz: 10, signal: ac.signal, keyPrefix: 'sig-' });
    await vi.advanceTimersByTimeAsync(350);
    ac.abort();
    await vi.advanceTimersByTimeAsync(100);
    const l = await done;
    expect(l.stopReason).toBe('signal');
    expect(l.ops.filter((o) => o.kind === 'write')).toHaveLength(4); // ticks at 0, 100, 200, 300
    const run = startLedger(new MemoryStore(), { rateHz: 10, durationMs: 60_000, keyPrefix: 'stop-' });
    await vi.advanceTimersByTimeAsync(250);
    run.stop();
    await vi.advanceTimersByTimeAsync(100);
    expect(await run.done).toMatchObject({ stopReason: 'stopped' });
    const aborted = AbortSignal.abort();
    const none = runLedger(new MemoryStore(), { rateHz: 10, signal: aborted, keyPrefix: 'none-' });
    await vi.advanceTimersByTimeAsync(10);
    expect(await none).toMatchObject({ stopReason: 'signal', ops: [], readBack: [] });
  });

  it('is bounded: maxWrites, and maxDurationMs when only a signal that never aborts is given', async () => {
    fake();
    const capped = runLedger(new MemoryStore(), { rateHz: 100, durationMs: 10_000, maxWrites: 5, keyPrefix: 'cap-' });
    await vi.advanceTimersByTimeAsync(1000);
    const c = await capped;
    expect(c.stopReason).toBe('max-writes');
    expect(c.ops.filter((o) => o.kind === 'write')).toHaveLength(5);
    const forever = runLedger(new MemoryStore(), { rateHz: 10, signal: new AbortController().signal, maxDurationMs: 1000, keyPrefix: 'max-' });
    await vi.advanceTimersByTimeAsync(2000);
    const f = await forever;
    expect(f.stopReason).toBe('max-duration');
    expect(f.ops.filter((o) => o.kind === 'write')).toHaveLength(10);
  });

  it('bounds hanging writes by opTimeoutMs and maxInFlight, and still stops on time', async () => {
    fake();
    const store = new MemoryStore();
    store.hangWrites = true;
    const done = runLedger(store, { rateHz: 10, durationMs: 1000, keyPrefix: 'hang-', opTimeoutMs: 250, maxInFlight: 2 });
    let finished = false;
    void done.then(() => {
      finished = true;
    });
    await vi.advanceTimersByTimeAsync(1000 + 250 + 1);
    expect(finished).toBe(true);
    const l = await done;
    const writes = l.ops.filter((o) => o.kind === 'write');
    // Each write times out after 250 ms, so at most 2 are in flight: ticks 0, 100 start; 200 is skipped; 300 ...
    expect(writes.every((w) => w.outcome === 'timeout' && w.end - w.start === 250)).toBe(true);
    expect(writes.length + l.skipped.writes).toBe(10);
    expect(l.skipped.writes).toBeGreaterThan(0);
    expect(l.end - l.stop).toBeLessThanOrEqual(250);
    // Nothing acknowledged: the lost-writes check fails rather than pass on nothing.
    expect(checkLostWrites(l).ok).toBe(false);
  });

  it('records an adapter error with its first line, a synchronous throw included', async () => {
    fake();
    const store = new MemoryStore();
    store.failWrites = 'NOT_LEADER';
    const done = runLedger(store, { rateHz: 10, durationMs: 200, keyPrefix: 'err-' });
    await vi.advanceTimersByTimeAsync(500);
    const l = await done;
    expect(l.ops.filter((o) => o.kind === 'write')).toEqual([
      expect.objectContaining({ outcome: 'error', message: 'NOT_LEADER' }),
      expect.objectContaining({ outcome: 'error', message: 'NOT_LEADER' }),
    ]);
    const throwing: Adapter = {
      write: () => {
        throw new Error('boom');
      },
      read: async () => undefined,
    };
    const t = runLedger(throwing, { rateHz: 10, durationMs: 100, keyPrefix: 'sync-' });
    await vi.advanceTimersByTimeAsync(200);
    expect((await t).ops[0]).toMatchObject({ kind: 'write', outcome: 'error', message: 'boom' });
  });

  it('a store that acknowledges a write and drops it fails the lost-writes check', async () => {
    fake();
    const store = new MemoryStore();
    store.lose.add(ledgerKey('lose-', 3));
    const done = runLedger(store, { rateHz: 10, durationMs: 1000, keyPrefix: 'lose-' });
    await vi.advanceTimersByTimeAsync(2000);
    const v = checkLostWrites(await done);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/^1 of 10 acknowledged writes lost: write #6 lose-000003 v1 .* read back as missing$/);
  });

  it('a replica lagging behind acknowledgements fails the stale-reads check', async () => {
    fake();
    const store = new MemoryStore();
    store.lagMs = 150;
    const done = runLedger(store, { rateHz: 10, durationMs: 1000, keyPrefix: 'lag-' });
    await vi.advanceTimersByTimeAsync(2000);
    const l = await done;
    const v = checkStaleReads(l);
    expect(v.ok).toBe(false);
    expect(v.numbers.staleMissing).toBeGreaterThan(0);
    expect(v.reason).toMatch(/returned missing\): expected v1 or later/);
  });

  it('the read-back tries a read that failed or timed out again, until it answers; an answer (even missing) is final', async () => {
    fake();
    const store = new MemoryStore();
    const done = runLedger(store, { rateHz: 10, durationMs: 300, keyPrefix: 'rb-', opTimeoutMs: 500, readBackTimeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(250);
    // From here on (the loop's last reads and the read-back), the first read of each key hangs past its timeout, the second throws, the third answers.
    const seen = new Map<string, number>();
    const read = store.read.bind(store);
    store.read = async (key: string) => {
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n === 1) return new Promise<string | undefined>(() => undefined);
      if (n === 2) throw new Error('port-forward reset');
      return read(key);
    };
    await vi.advanceTimersByTimeAsync(20_000);
    const l = await done;
    expect(l.readBack.length).toBeGreaterThan(0);
    for (const b of l.readBack) expect(b).toMatchObject({ outcome: 'ok', tries: 3 });
    expect(checkLostWrites(l).ok).toBe(true);
  });

  it('the read-back reads a key whose writes were never acknowledged once, even when that read fails', async () => {
    fake();
    const store = new MemoryStore();
    store.failWrites = 'READONLY';
    const done = runLedger(store, { rateHz: 10, durationMs: 200, keyPrefix: 'un-', opTimeoutMs: 500, readBackTimeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(150);
    store.read = async () => {
      throw new Error('cat: no such file');
    };
    await vi.advanceTimersByTimeAsync(3000);
    const l = await done;
    expect(l.readBack.length).toBeGreaterThan(0);
    for (const b of l.readBack) expect(b).toMatchObject({ outcome: 'error' });
    expect(l.readBack.every((b) => b.tries === undefined)).toBe(true);
    expect(l.end - l.stop).toBeLessThan(3000);
  });

  it('the read-back gives up on a key at its deadline, with the last failure', async () => {
    fake();
    const store = new MemoryStore();
    const done = runLedger(store, { rateHz: 10, durationMs: 200, keyPrefix: 'rd-', opTimeoutMs: 500, readBackTimeoutMs: 3000, readBackConcurrency: 1 });
    await vi.advanceTimersByTimeAsync(150);
    store.read = async () => {
      throw new Error('connection refused');
    };
    await vi.advanceTimersByTimeAsync(20_000);
    const l = await done;
    expect(l.readBack.every((b) => b.outcome === 'error')).toBe(true);
    expect(l.readBack.some((b) => b.outcome === 'error' && /connection refused|deadline/.test(b.message))).toBe(true);
    expect(checkLostWrites(l).ok).toBe(false);
  });

  it('keySpace rewrites keys at rising versions, never two writes of a key in flight', async () => {
    fake();
    const store = new MemoryStore();
    store.writeDelayMs = 150; // longer than a tick: the next write of a busy key is skipped
    const done = runLedger(store, { rateHz: 20, durationMs: 1000, keyPrefix: 'ks-', keySpace: 2 });
    await vi.advanceTimersByTimeAsync(3000);
    const l = await done;
    expect(l.keySpace).toBe(2);
    const writes = l.ops.filter((o): o is WriteOp => o.kind === 'write');
    expect(new Set(writes.map((w) => w.key))).toEqual(new Set(['ks-000000', 'ks-000001']));
    for (const key of ['ks-000000', 'ks-000001']) {
      const mine = writes.filter((w) => w.key === key);
      expect(mine.map((w) => w.version)).toEqual(mine.map((_, i) => i + 1));
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end);
    }
    expect(l.skipped.writes).toBeGreaterThan(0);
    expect(l.readBack).toHaveLength(2);
    const v = ledgerVerdicts(l, { maxUnavailableMs: 1000, maxRecoveryMs: 1000 });
    expect(v.lostWrites.ok, v.lostWrites.reason).toBe(true);
    expect(v.staleReads.ok, v.staleReads.reason).toBe(true);
  });

  it('records fault windows on its clock; a window still open at the end has end null', async () => {
    fake();
    const store = new MemoryStore();
    const run = startLedger(store, { rateHz: 10, durationMs: 2000, keyPrefix: 'win-' });
    await vi.advanceTimersByTimeAsync(500);
    const faulted = run.during('writes refused', async () => {
      store.failWrites = 'READONLY';
      await sleep(400);
      store.failWrites = undefined;
    });
    await vi.advanceTimersByTimeAsync(600);
    await faulted;
    expect(() => run.fault('writes refused')).toThrow(/already exists/);
    run.fault('never ended');
    await vi.advanceTimersByTimeAsync(2000);
    const l = await run.done;
    expect(l.windows).toEqual([
      { name: 'writes refused', start: l.start + 500, end: l.start + 900 },
      { name: 'never ended', start: l.start + 1100, end: null },
    ]);
    expect(() => run.fault('late')).toThrow(/after the ledger stopped/);
    const v = ledgerVerdicts({ ...l, windows: [l.windows[0]!] }, { maxUnavailableMs: 1000, maxRecoveryMs: 200 });
    for (const check of Object.values(v)) expect(check.ok, check.reason).toBe(true);
    expect(v.unavailability.numbers['writes refused:writeGapMs']).toBe(500); // acknowledged at 401, next at 901
    expect(checkRecovery(l, 200).reason).toMatch(/fault never ended had not ended when the ledger stopped/);
  });

  it('bounds the read-back by its deadline', async () => {
    fake();
    const store = new MemoryStore();
    const run = startLedger(store, { rateHz: 10, durationMs: 500, keyPrefix: 'rb-', opTimeoutMs: 100, readBackTimeoutMs: 150, readBackConcurrency: 1 });
    await vi.advanceTimersByTimeAsync(450); // the last tick (400) has settled; the read-back starts at 500
    store.readDelayMs = 1000; // every read-back read times out at 100 ms
    await vi.advanceTimersByTimeAsync(1000);
    const l = await run.done;
    expect(l.readBack).toHaveLength(5);
    expect(l.readBack.slice(0, 2).map((b) => b.outcome)).toEqual(['timeout', 'timeout']); // 100 ms, then the 50 ms left
    expect(l.readBack.slice(2)).toEqual(
      Array.from({ length: 3 }, () => expect.objectContaining({ outcome: 'error', message: 'read-back deadline of 150 ms passed before this key was read' })),
    );
    expect(checkLostWrites(l).ok).toBe(false);
  });

  it('rejects bad options at once', () => {
    const store = new MemoryStore();
    expect(() => startLedger(store, { rateHz: 0, durationMs: 1, keyPrefix: 'x' })).toThrow('ledger: rateHz must be in (0, 1000], not 0');
    expect(() => startLedger(store, { rateHz: 1, keyPrefix: 'x' })).toThrow('give durationMs or signal');
    expect(() => startLedger(store, { rateHz: 1, durationMs: 1, keyPrefix: '' })).toThrow('keyPrefix');
    expect(() => startLedger(store, { rateHz: 1, durationMs: 1, keyPrefix: 'x', keySpace: 1.5 })).toThrow('keySpace must be an integer >= 1');
    expect(() => startLedger(store, { rateHz: 1, durationMs: -5, keyPrefix: 'x' })).toThrow('durationMs must be a number > 0');
  });
});

describe('runLedger in real time', () => {
  it('runs 100 Hz for 200 ms: no more ticks than the duration allows, and it stops by itself', async () => {
    const t0 = performance.now();
    const l = await runLedger(new MemoryStore(), { rateHz: 100, durationMs: 200, keyPrefix: 'rt-' });
    const writes = l.ops.filter((o) => o.kind === 'write').length;
    expect(writes + l.skipped.writes).toBeLessThanOrEqual(20);
    expect(writes).toBeGreaterThanOrEqual(5);
    expect(l.stopReason).toBe('duration');
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(checkLostWrites(l).ok).toBe(true);
  });
});
