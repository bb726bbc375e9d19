import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LedgerOp } from '../src/ledger/record.ts';
import { failedStretches, ledgerOnTimeline, ledgerSummary, type FaultData } from '../src/ledger/on-timeline.ts';
import type { Adapter } from '../src/ledger/writer.ts';
import { writeLedger } from '../src/reporting/artifacts.ts';
import { Timeline } from '../src/timeline.ts';

const op = (kind: 'write' | 'read', start: number, end: number, ok: boolean): LedgerOp =>
  kind === 'write'
    ? ok
      ? { seq: start, kind, key: 'k', value: 'k#v1', version: 1, start, end, outcome: 'ok' }
      : { seq: start, kind, key: 'k', value: 'k#v1', version: 1, start, end, outcome: 'timeout' }
    : ok
      ? { seq: start, kind, key: 'k', start, end, outcome: 'ok', value: null }
      : { seq: start, kind, key: 'k', start, end, outcome: 'error', message: 'CONNECTION_LOSS' };

describe('failedStretches', () => {
  it('groups consecutive failures of one kind, broken by a success of that kind only', () => {
    const ops = [
      op('write', 0, 5, true),
      op('write', 10, 2010, false),
      op('read', 12, 20, true), // a read's success does not end a write stretch
      op('write', 60, 2060, false),
      op('write', 110, 120, true),
      op('write', 160, 2160, false),
    ];
    expect(failedStretches(ops, 'write')).toEqual([
      { startMs: 10, endMs: 2060, failed: 2 },
      { startMs: 160, endMs: 2160, failed: 1 },
    ]);
    expect(failedStretches(ops, 'read')).toEqual([]);
  });
});

/** A store that refuses everything while `down`. */
class FlakyStore implements Adapter {
  down = false;
  readonly data = new Map<string, string>();
  async write(key: string, value: string): Promise<void> {
    if (this.down) throw new Error('CONNECTION_LOSS');
    this.data.set(key, value);
  }
  async read(key: string): Promise<string | undefined> {
    if (this.down) throw new Error('CONNECTION_LOSS');
    return this.data.get(key);
  }
}

describe('ledgerOnTimeline', () => {
  it('puts the fault window, the failed stretches and the run on the timeline, and saves the record', async () => {
    const tl = new Timeline();
    const store = new FlakyStore();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ledger-tl-'));
    const run = ledgerOnTimeline(tl, 'kill-leader', store, { rateHz: 200, durationMs: 5000, keyPrefix: 'r1-kill-leader-' }, (l) =>
      writeLedger(dir, 'zookeeper-faults', 'kill leader', l),
    );
    await new Promise((r) => setTimeout(r, 60));
    await run.during('kill zk-1', async () => {
      store.down = true;
      await new Promise((r) => setTimeout(r, 80));
      store.down = false;
    });
    await new Promise((r) => setTimeout(r, 60));
    run.stop();
    const ledger = await run.done;

    const fault = tl.entries.find((e) => e.source === 'fault' && e.text.startsWith('fault kill zk-1: end'));
    const data = fault?.data as FaultData | undefined;
    expect(data?.fault).toBe('kill zk-1');
    expect(data!.endMs - data!.startMs).toBeGreaterThanOrEqual(70);
    expect(ledger.windows).toEqual([{ name: 'kill zk-1', start: expect.any(Number), end: expect.any(Number) }]);
    // Failures during the fault show as stretches; the run itself as a window span naming the saved file.
    expect(tl.entries.some((e) => e.source === 'ledger' && / writes failed from /.test(e.text))).toBe(true);
    const span = tl.entries.find((e) => e.source === 'ledger' && (e.data as { span?: string } | undefined)?.span === 'window');
    const file = path.join(dir, 'ledgers', 'zookeeper-faults-kill-leader.json');
    expect(span?.text).toContain(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ keyPrefix: 'r1-kill-leader-', windows: [{ name: 'kill zk-1' }] });
    expect(ledgerSummary(ledger)).toMatch(/^writes \d+ acknowledged, [1-9]\d* failed, 0 timed out; reads .*; stopped by stopped$/);
  });
});
