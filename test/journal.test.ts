import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, cleanupLeftovers } from '../src/journal.ts';

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
    expect(await cleanupLeftovers(log)).toBe(1);
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
    expect(await cleanupLeftovers(log)).toBe(0);
    expect(existsSync(dir)).toBe(true);
    expect(await cleanupLeftovers(log, { kept: true })).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(state)).toEqual([]);
    expect(lines.join('\n')).toMatch(/kept \(--keep\) workdir; removing/);
  });

  it('a run-objects entry whose kubeconfig is gone is a no-op, not an error', async () => {
    const j = new Journal('dddddd');
    j.add({ type: 'cluster-objects', kubeconfig: path.join(scratch, 'missing', 'kubeconfig'), runId: 'dddddd' });
    j.keep([{ type: 'cluster-objects', kubeconfig: path.join(scratch, 'missing', 'kubeconfig'), runId: 'dddddd' }]);
    expect(await cleanupLeftovers(log, { kept: true })).toBe(1);
    expect(lines.join('\n')).not.toMatch(/failed/);
  });
});
