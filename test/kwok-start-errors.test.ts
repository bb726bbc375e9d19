import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logTail } from '../src/providers/kwok/index.ts';

describe('logTail: a failed kwok start carries its evidence in the message', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kwok-tail-'));

  it('gives the last non-empty lines, indented, under the log file name', () => {
    const log = path.join(dir, 'kube-controller-manager.log');
    writeFileSync(log, `${Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n')}\n\nfailed to listen on 127.0.0.1:10257: address already in use\n\n`);
    const tail = logTail(log, 3);
    expect(tail).toBe(
      '; last lines of kube-controller-manager.log:\n    line 18\n    line 19\n    failed to listen on 127.0.0.1:10257: address already in use',
    );
  });

  it('says so when the log is empty or missing', () => {
    const empty = path.join(dir, 'etcd.log');
    writeFileSync(empty, '');
    expect(logTail(empty)).toBe('; etcd.log is empty');
    expect(logTail(path.join(dir, 'nope.log'))).toBe(`; no log at ${path.join(dir, 'nope.log')}`);
  });

  it('reads only the end of a long log', () => {
    const big = path.join(dir, 'kube-apiserver.log');
    writeFileSync(big, `${'x'.repeat(100_000)}\nthe end\n`);
    expect(logTail(big, 1)).toBe('; last lines of kube-apiserver.log:\n    the end');
  });
});
