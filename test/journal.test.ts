import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, cleanupLeftovers, faultJournalPrefix, undoJournals, type JournalEntry } from '../src/journal.ts';
import { UNDOERS, undo } from '../src/providers/index.ts';
import { kindProvider } from '../src/providers/kind/index.ts';
import { kwokProvider } from '../src/providers/kwok/index.ts';
import { existingProvider } from '../src/providers/existing/index.ts';

describe('cleanup journal', () => {
  let state: string;
  let scratch: string;
  const lines: string[] = [];
  const log = (l: string): void => void lines.push(l);

  beforeEach(() => {
    state = mkdtempSync(path.join(os.tmpdir(), 'journal-test-state-'));
    scratch = mkdtempSync(path.join(os.tmpdir(), 'journal-test-work-'));
    process.env.E2E_STATE_DIR = state;
    lines.length = 0;
  });
  afterEach(() => {
    delete process.env.E2E_STATE_DIR;
    rmSync(state, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it("a run's teardown undoes its workers' fault journals in one cluster, whether or not the worker lives, and no other's", async () => {
    const mine = new Journal(`${faultJournalPrefix('abc123', 'se2e-abc123-k3')}${process.pid}`);
    mine.add({ type: 'test-fault', node: 'n1' });
    mine.add({ type: 'test-fault', node: 'n2' });
    const other = new Journal(`${faultJournalPrefix('abc123', 'se2e-abc123-k2')}${process.pid}`);
    other.add({ type: 'test-fault', node: 'n9' });
    const undone: string[] = [];
    await undoJournals(faultJournalPrefix('abc123', 'se2e-abc123-k3'), log, async (e) => void undone.push(String(e.node)));
    expect(undone).toEqual(['n2', 'n1']); // last applied, first reverted
    expect(readdirSync(state)).toEqual([`abc123-faults-se2e-abc123-k2-${process.pid}.json`]);
  });

  const workdir = (name: string): string => {
    const d = path.join(scratch, name);
    mkdirSync(d);
    return d;
  };

  it('lists an entry before it exists and crosses it out when done', () => {
    const j = new Journal('aaaaaa');
    const e = { type: 'workdir', path: workdir('w') } as const;
    j.add(e);
    expect(readdirSync(state)).toEqual(['aaaaaa.json']);
    j.done(e);
    expect(readdirSync(state)).toEqual([]);
  });

  it('a dead run is finished by the next run; a live one is left alone', async () => {
    const dir = workdir('dead');
    const j = new Journal('bbbbbb');
    j.add({ type: 'workdir', path: dir });
    // as if written by a run that died: a pid that cannot be alive
    const file = path.join(state, 'bbbbbb.json');
    const data = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
    data.pid = 2 ** 22 + 12345; // above pid_max on Linux: never alive
    writeFileSync(file, JSON.stringify(data));
    expect(await cleanupLeftovers(log, undo)).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(state)).toEqual([]);
    expect(lines.join('\n')).toMatch(/run bbbbbb .* left workdir; removing/);
  });

  it('what --keep kept survives the next run and goes only with --cleanup', async () => {
    const dir = workdir('kept');
    const j = new Journal('cccccc');
    const e = { type: 'workdir', path: dir } as const;
    j.add(e);
    j.keep([e]);
    expect(readdirSync(state)).toHaveLength(1);
    expect(readdirSync(state)[0]).toMatch(/^cccccc-kept-.*\.json$/);
    expect(await cleanupLeftovers(log, undo)).toBe(0);
    expect(existsSync(dir)).toBe(true);
    expect(await cleanupLeftovers(log, undo, { kept: true })).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(state)).toEqual([]);
    expect(lines.join('\n')).toMatch(/kept \(--keep\) workdir; removing/);
  });

  it('a run-objects entry whose kubeconfig is gone is a no-op, not an error', async () => {
    const j = new Journal('dddddd');
    j.add({ type: 'cluster-objects', kubeconfig: path.join(scratch, 'missing', 'kubeconfig'), runId: 'dddddd' });
    j.keep([{ type: 'cluster-objects', kubeconfig: path.join(scratch, 'missing', 'kubeconfig'), runId: 'dddddd' }]);
    expect(await cleanupLeftovers(log, undo, { kept: true })).toBe(1);
    expect(lines.join('\n')).not.toMatch(/failed/);
  });

  /** A journal file as a dead run left it (the on-disk format, written by hand). */
  const deadRun = (runId: string, entries: readonly JournalEntry[]): void =>
    writeFileSync(path.join(state, `${runId}.json`), JSON.stringify({ runId, pid: 2 ** 22 + 12345, startedAt: '2025-01-01T00:00:00.000Z', entries }));

  it('undoes a dead run last entry first, through the undo it is given, and goes on after a failure', async () => {
    const entries: JournalEntry[] = [
      { type: 'workdir', path: '/nonexistent/w' },
      { type: 'kwok-cluster', pidsFile: '/nonexistent/w/pids.json' },
      { type: 'docker-container', name: 'c' },
    ];
    deadRun('eeeeee', entries);
    const undone: string[] = [];
    const fake = async (e: JournalEntry): Promise<void> => {
      undone.push(e.type);
      if (e.type === 'kwok-cluster') throw new Error('boom');
    };
    expect(await cleanupLeftovers(log, fake)).toBe(1);
    expect(undone).toEqual(['docker-container', 'kwok-cluster', 'workdir']);
    expect(lines.join('\n')).toMatch(/cleanup: kwok-cluster failed: boom/);
    expect(readdirSync(state)).toEqual([]);
  });

  it('an entry type nobody undoes is reported, not fatal', async () => {
    const dir = workdir('unknown');
    deadRun('ffffff', [
      { type: 'workdir', path: dir },
      { type: 'no-such-thing', name: 'x' },
    ]);
    expect(await cleanupLeftovers(log, undo)).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(lines.join('\n')).toMatch(/cleanup: no-such-thing failed: no undo for journal entry type 'no-such-thing'/);
  });

  it('a kwok entry whose pid file is gone is a no-op', async () => {
    await expect(undo({ type: 'kwok-cluster', pidsFile: path.join(scratch, 'gone', 'pids.json') })).resolves.toBeUndefined();
  });
});

describe('journal entries of the providers', () => {
  const target = { name: 'se2e-abc123-k2', workDir: '/tmp/stateful-e2e-abc123-x', runId: 'abc123' };
  const providers = [kindProvider('/nonexistent'), kwokProvider(), existingProvider('/nonexistent/kubeconfig')];

  it('keep the on-disk format of earlier versions', () => {
    expect(providers.map((p) => p.journalEntries(target))).toEqual([
      [{ type: 'kind-cluster', name: 'se2e-abc123-k2' }],
      [{ type: 'kwok-cluster', pidsFile: '/tmp/stateful-e2e-abc123-x/pids.json' }],
      [{ type: 'cluster-objects', kubeconfig: '/tmp/stateful-e2e-abc123-x/kubeconfig', runId: 'abc123' }],
    ]);
  });

  it('every entry type a run writes has an undo', () => {
    const written = ['workdir', 'docker-container', 'kind-node-fault', ...providers.flatMap((p) => p.journalEntries(target).map((e) => e.type))];
    for (const type of written) expect(UNDOERS.get(type)?.type, type).toBe(type);
    expect([...UNDOERS.keys()].sort()).toEqual(['cluster-objects', 'docker-container', 'kind-cluster', 'kind-node-fault', 'kwok-cluster', 'workdir']);
  });
});
