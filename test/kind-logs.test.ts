/**
 * `kind export logs` in failure diagnostics: bounded in time, and a failure is one line, never an exception.
 * The export itself needs a kind cluster (not run here); runBounded is what bounds it, and the HTML report links
 * what diagnostics wrote.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportKindLogs, runBounded } from '../src/providers/kind/logs.ts';
import { writeHtmlReport } from '../src/reporting/html.ts';

describe('runBounded', () => {
  it('reports success, a non-zero exit with the last stderr line, a missing binary, and a timeout', async () => {
    expect(await runBounded(['true'], 5000)).toEqual({ ok: true, detail: '' });
    expect(await runBounded(['sh', '-c', 'echo first >&2; echo "ERROR: unknown cluster" >&2; exit 3'], 5000)).toEqual({
      ok: false,
      detail: 'exit 3: ERROR: unknown cluster',
    });
    expect((await runBounded(['/nonexistent/kind'], 5000)).detail).toMatch(/ENOENT/);
    const t0 = Date.now();
    expect(await runBounded(['sleep', '30'], 300)).toEqual({ ok: false, detail: 'timed out after 0 s' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
  it('exportKindLogs returns one line when kind fails, instead of throwing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kind-logs-'));
    try {
      const fake = path.join(dir, 'kind');
      writeFileSync(fake, '#!/bin/sh\necho "ERROR: unknown cluster \\"$5\\"" >&2\nexit 1\n', { mode: 0o755 });
      const saved = process.env.KIND_BINARY;
      process.env.KIND_BINARY = fake;
      try {
        expect(await exportKindLogs('se2e-x-k2', path.join(dir, 'out'), 5000)).toBe('exit 1: ERROR: unknown cluster "se2e-x-k2"');
      } finally {
        if (saved === undefined) delete process.env.KIND_BINARY;
        else process.env.KIND_BINARY = saved;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the HTML report links the diagnostics', () => {
  it('lists diagnostics/<scenario>/ files and the kind-logs directory, and shows the Kubernetes version', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'report-diag-'));
    try {
      const results = [
        {
          scenario: 'statefulset-basics',
          name: '[1.2] order',
          id: '1.2',
          outcome: 'failed',
          durationMs: 1,
          provider: 'kind',
          message: 'boom',
          k8sVersion: 'v1.34.4',
        },
      ];
      writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ runId: 'r', provider: 'kind', versions: { 'statefulset-basics': 'v1.34.4' }, results }));
      const d = path.join(dir, 'diagnostics', 'statefulset-basics');
      mkdirSync(path.join(d, 'kind-logs', 'se2e-r-k2-worker'), { recursive: true });
      writeFileSync(path.join(d, 'pods.yaml'), '[]\n');
      writeFileSync(path.join(d, 'events.txt'), '\n');
      writeFileSync(path.join(dir, 'conformance.html'), '<html></html>');
      const html = readFileSync(writeHtmlReport(dir), 'utf8');
      expect(html).toContain('<a href="diagnostics/statefulset-basics/kind-logs/">kind-logs/</a> (kind export logs');
      expect(html).toContain('<a href="diagnostics/statefulset-basics/pods.yaml">pods.yaml</a>');
      expect(html).toContain('Kubernetes <code>v1.34.4</code>');
      expect(html).toContain('<a href="conformance.html">conformance verdict</a>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
