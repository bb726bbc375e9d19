import { describe, expect, it } from 'vitest';
import { LEDGER_SCHEMA, type FaultWindow, type Ledger, type LedgerOp, type ReadOp } from '../src/ledger/record.ts';
import { ledgerValue } from '../src/ledger/writer.ts';
import { datumAvailabilityVerdict, type DatumAvailabilityRecord } from '../src/app/verdicts.ts';
import { execValue } from '../src/app/datum.ts';

/**
 * A ledger of one write of a new key and one read of it every second from 0 to `until` ms; writes and reads fail in
 * `down` (ms spans); the read-back returns every acknowledged write but those in `lose`.
 */
function ledger(until: number, o: { down?: [number, number][]; readsOnlyDown?: boolean; lose?: number[]; windows?: FaultWindow[] } = {}): Ledger {
  const ops: LedgerOp[] = [];
  const back: ReadOp[] = [];
  let seq = 0;
  for (let t = 0, n = 0; t <= until; t += 1000, n++) {
    const key = `k${n}`;
    const down = (o.down ?? []).some(([a, b]) => t >= a && t < b);
    const wDown = down && !o.readsOnlyDown;
    ops.push(
      wDown
        ? { seq: seq++, kind: 'write', key, value: ledgerValue(key, 1), version: 1, start: t, end: t + 50, outcome: 'error', message: 'no Ready pod' }
        : { seq: seq++, kind: 'write', key, value: ledgerValue(key, 1), version: 1, start: t, end: t + 50, outcome: 'ok' },
    );
    ops.push(
      down
        ? { seq: seq++, kind: 'read', key, start: t + 60, end: t + 100, outcome: 'error', message: 'exit 1' }
        : { seq: seq++, kind: 'read', key, start: t + 60, end: t + 100, outcome: 'ok', value: ledgerValue(key, 1) },
    );
    if (!wDown)
      back.push({
        seq: -1,
        kind: 'read',
        key,
        start: until + 500,
        end: until + 510,
        outcome: 'ok',
        value: (o.lose ?? []).includes(t) ? null : ledgerValue(key, 1),
      });
  }
  return {
    schema: LEDGER_SCHEMA,
    keyPrefix: 'k',
    rateHz: 1,
    opTimeoutMs: 5000,
    start: 0,
    stop: until,
    end: until + 100,
    stopReason: 'stopped',
    skipped: { writes: 0, reads: 0 },
    ops,
    windows: o.windows ?? [{ name: 'drain n1', start: 10_000, end: 30_000 }],
    readBack: back,
  };
}

const record = (l: Ledger, over: Partial<DatumAvailabilityRecord> = {}): DatumAvailabilityRecord => ({
  ledgers: [{ name: 'drains', ledger: l }],
  judgeWrites: true,
  maxUnavailableMs: 30_000,
  asyncReplication: false,
  drains: [
    { node: 'n1', exitCode: 0, seconds: 12, errors: [] },
    { node: 'n2', exitCode: 0, seconds: 40, errors: [] },
  ],
  quorum: 2,
  fewestReady: 2,
  ...over,
});

describe('datumAvailabilityVerdict (A5.4)', () => {
  it('passes a short outage with every write kept and the quorum Ready', () => {
    const v = datumAvailabilityVerdict(record(ledger(60_000, { down: [[12_000, 20_000]] })));
    expect(v.reason).toMatch(/n1 drained in 12 s, n2 drained in 40 s; drains: longest without a read 9\d\d\d ms, without a write 9\d\d\d ms/);
    expect(v.ok).toBe(true);
    expect(v.numbers['drains:lost']).toBe(0);
  });
  it('fails when the Ready pods fell under the quorum (a drain not paced by a PDB)', () => {
    const v = datumAvailabilityVerdict(record(ledger(60_000), { fewestReady: 1, fewestAt: 'event #40, MODIFIED zk-1' }));
    expect(v.ok).toBe(false);
    expect(v.reason).toContain('only 1 pod(s) were Ready (at event #40, MODIFIED zk-1) while the nodes were drained, fewer than the quorum 2');
  });
  it('fails a read or write gap over the budget, and judges writes only when told to', () => {
    const l = ledger(90_000, { down: [[10_000, 50_000]] });
    expect(datumAvailabilityVerdict(record(l)).reason).toMatch(/drains: no successful read for 4\d\d\d\d ms.*drains: no successful write for 4\d\d\d\d ms/);
    const readsOnly = ledger(90_000, { down: [[10_000, 50_000]], readsOnlyDown: true });
    const v = datumAvailabilityVerdict(record(readsOnly, { judgeWrites: false }));
    expect(v.ok).toBe(false);
    expect(v.reason).not.toContain('no successful write');
    const writesOnly = { ...readsOnly, ops: readsOnly.ops.map((op) => (op.kind === 'read' ? { ...op, outcome: 'ok' as const, value: null } : op)) };
    expect(datumAvailabilityVerdict(record(writesOnly, { judgeWrites: false })).ok).toBe(true);
  });
  it('fails a lost acknowledged write; with asyncReplication only one acknowledged outside the drains', () => {
    const during = ledger(60_000, { lose: [15_000] });
    expect(datumAvailabilityVerdict(record(during)).reason).toContain('drains: 1 acknowledged write(s) lost, e.g. write #30 k15 v1');
    const tolerated = datumAvailabilityVerdict(record(during, { asyncReplication: true }));
    expect(tolerated.ok).toBe(true);
    expect(tolerated.reason).toContain('1 write(s) acknowledged during a drain lost (asyncReplication: counted, not failed)');
    const before = ledger(60_000, { lose: [5_000] });
    expect(datumAvailabilityVerdict(record(before, { asyncReplication: true })).reason).toContain('1 acknowledged write(s) lost outside the drains');
  });
  it('fails a failed drain, no drain, and a ledger that showed nothing', () => {
    const l = ledger(60_000);
    expect(datumAvailabilityVerdict(record(l, { drains: [{ node: 'n1', exitCode: 1, seconds: 150, errors: ['timed out'] }] })).reason).toContain(
      'drain n1 failed after 150 s: timed out',
    );
    expect(datumAvailabilityVerdict(record(l, { drains: [] })).reason).toContain('no node was drained');
    const nothing = ledger(20_000, { down: [[0, 30_000]] });
    const v = datumAvailabilityVerdict(record(nothing, { maxUnavailableMs: 60_000 }));
    expect(v.ok).toBe(false);
    expect(v.reason).toContain('drains: no read succeeded');
    expect(v.reason).toContain('drains: no write was acknowledged');
  });
  it('judges each pod ledger of scope pod on its own', () => {
    const v = datumAvailabilityVerdict({
      ...record(ledger(60_000)),
      ledgers: [
        { name: 'drains-web-0', ledger: ledger(60_000, { down: [[10_000, 20_000]] }) },
        { name: 'drains-web-1', ledger: ledger(60_000, { down: [[20_000, 55_000]] }) },
      ],
    });
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/^drains-web-1: no successful read for 3\d\d\d\d ms/);
  });
});

describe('execValue (an exec read as a ledger value)', () => {
  it('takes all of stdout with match exact, and the line of the key with match line', () => {
    expect(execValue(' k1#v2 \n', 'k1', 'exact')).toBe('k1#v2');
    expect(execValue('header\nk1#v2\n', 'k1', 'line')).toBe('k1#v2');
    expect(execValue('\nsomething else\n', 'k1', 'line')).toBe('something else');
    expect(execValue('', 'k1', 'line')).toBe('');
  });
});

describe('datumAvailabilityVerdict without drains (A8.5: an update)', () => {
  it('judges the ledgers alone: no drain is required and none is named', () => {
    const {
      drains: _,
      quorum: __,
      ...update
    } = record(ledger(60_000, { down: [[12_000, 15_000]], windows: [{ name: 'rolling update', start: 10_000, end: 40_000 }] }));
    const v = datumAvailabilityVerdict(update);
    expect(v.ok).toBe(true);
    expect(v.reason).toMatch(/^drains: longest without a read \d+ ms, without a write \d+ ms, 58 writes kept; within the budget of 30 s$/);
  });
});
