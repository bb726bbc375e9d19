/**
 * Conformance across versions through the real CLI: the errors of repeated --k8s-version and --merge (one line,
 * exit 2, before any cluster), and `--merge` building one verdict from two runs' results.json.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stateful-e2e-conformance-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin/e2e.mjs'), ...args],
      { cwd: root, env: { ...process.env, E2E_STATE_DIR: path.join(tmp, 'state'), CI: 'true', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
      },
    );
  });
}

const oneLine = (r: { code: number | null; stderr: string }, pattern: RegExp): void => {
  const lines = r.stderr.trim().split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.code).toBe(2);
};

describe('repeated --k8s-version', () => {
  it('needs --conformance', async () =>
    oneLine(
      await cli(['--provider', 'kwok', '--k8s-version', 'v1.34.4', '--k8s-version', 'v1.33.4']),
      /--k8s-version given 2 times: several versions are a conformance run/,
    ));
  it('is refused on an existing cluster', async () => {
    const kc = path.join(tmp, 'kubeconfig');
    writeFileSync(kc, 'apiVersion: v1\nkind: Config\n');
    oneLine(
      await cli([
        '--provider',
        'existing',
        '--kubeconfig',
        kc,
        '--conformance',
        '--fixtures',
        'fixtures',
        '--k8s-version',
        'v1.34.4',
        '--k8s-version',
        'v1.33.4',
      ]),
      /one cluster of one version/,
    );
  });
  it('names a kwok version that was not built, and how to build it, before any cluster', async () => {
    const cache = path.join(tmp, 'cache');
    mkdirSync(path.join(cache, 'kubernetes-v1.34.4'), { recursive: true });
    for (const b of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) writeFileSync(path.join(cache, 'kubernetes-v1.34.4', b), '');
    mkdirSync(path.join(cache, 'kubernetes-v1.32.0'));
    const r = await cli(
      [
        '--provider',
        'kwok',
        '--scenario',
        'statefulset-basics',
        '--conformance',
        '--fixtures',
        'fixtures',
        '--k8s-version',
        'v1.34.4',
        '--k8s-version',
        'v1.33.0',
      ],
      { E2E_CACHE: cache },
    );
    oneLine(
      r,
      /--k8s-version v1\.33\.0: kwok has no control plane of that version \(built in .*: v1\.34\.4\); build it with `K8S_VERSION=v1\.33\.0 bash ci\/build-kube\.sh`/,
    );
    expect(r.stdout).not.toMatch(/creating|apiserver/);
  });
});

describe('--merge', () => {
  const run = (dir: string, version: string, outcome: string): void => {
    mkdirSync(dir, { recursive: true });
    const results = [
      { scenario: 'statefulset-basics', name: '[1.1] svc', id: '1.1', outcome: 'passed', durationMs: 1, provider: 'kind', k8sVersion: version },
      {
        scenario: 'statefulset-basics',
        name: '[1.2] order',
        id: '1.2',
        outcome,
        durationMs: 1,
        provider: 'kind',
        k8sVersion: version,
        ...(outcome === 'failed' ? { message: 'web-1 first' } : {}),
      },
    ];
    writeFileSync(
      path.join(dir, 'results.json'),
      JSON.stringify({ runId: version, provider: 'kind', fixturesDir: '/mine', versions: { 'statefulset-basics': version }, results }),
    );
  };

  it('errors: no directory, a directory without results.json, the output among the inputs, stray arguments', async () => {
    oneLine(await cli(['--merge']), /--merge: name the report directories/);
    oneLine(await cli(['--merge', path.join(tmp, 'nope')]), /--merge: no results\.json in/);
    run(path.join(tmp, 'same'), 'v1.34.0', 'passed');
    oneLine(await cli(['--merge', path.join(tmp, 'same'), '--report-dir', path.join(tmp, 'same')]), /is one of the merged directories/);
    oneLine(await cli(['reports/a']), /Unexpected argument 'reports\/a'/);
    oneLine(await cli(['--merge', path.join(tmp, 'same'), '--k8s-version', 'v1.34.0']), /--merge runs nothing/);
  });

  it('builds one verdict with a column per version from the CI jobs’ report directories (npm run conformance -- --merge …)', async () => {
    run(path.join(tmp, 'jobs', 'kind-v1.33.4'), 'v1.33.4', 'failed');
    run(path.join(tmp, 'jobs', 'kind-v1.34.0'), 'v1.34.0', 'passed');
    const out = path.join(tmp, 'merged');
    const r = await cli(['--conformance', '--merge', path.join(tmp, 'jobs', 'kind-v1.34.0'), path.join(tmp, 'jobs', 'kind-v1.33.4'), '--report-dir', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // an assertion failed in one version
    expect(r.stdout).toMatch(/conformance verdict: .*conformance\.md .*v1\.33\.4 FAIL, v1\.34\.0 pass/);
    const md = readFileSync(path.join(out, 'conformance.md'), 'utf8');
    expect(md).toContain('| assertion | v1.33.4 | v1.34.0 | detail |');
    expect(md).toContain('| [1.2] order | **FAIL** | pass | v1.33.4: web-1 first |');
    for (const f of ['conformance.html', 'junit.xml', 'results.json']) expect(existsSync(path.join(out, f)), f).toBe(true);
    // the merged results.json can itself be merged again (a verdict over verdicts)
    const again = await cli(['--merge', out, '--report-dir', path.join(tmp, 'again')]);
    expect(again.code).toBe(1);
    expect(readFileSync(path.join(tmp, 'again', 'conformance.md'), 'utf8')).toContain('| [1.2] order | **FAIL** | pass | v1.33.4: web-1 first |');
  });
});
