/**
 * Bad input gets one clear line and a non-zero exit, never a hang or a stack trace: each case runs the real CLI
 * (`node bin/e2e.mjs`) with a timeout. The README's bad-input table lists the same cases.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findHelm } from '../src/app/helm.ts';

const root = path.resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stateful-e2e-badinput-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin/e2e.mjs'), ...args],
      { cwd: root, env: { ...process.env, E2E_STATE_DIR: path.join(tmp, 'state'), ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

/** One `error: …` line on stderr, no stack trace, the expected exit code. */
function oneLine(r: Run, pattern: RegExp, code = 2): void {
  const lines = r.stderr.trim().split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code).toBe(code);
}

function fixturesCopy(name: string, edit?: (dir: string) => void): string {
  const dir = path.join(tmp, name);
  cpSync(path.join(root, 'fixtures'), dir, { recursive: true });
  edit?.(dir);
  return dir;
}

const helmFound = (() => {
  try {
    return findHelm() !== undefined;
  } catch {
    return false;
  }
})();
const kwokBuilt = existsSync(path.join(process.env.E2E_CACHE ?? '/var/cache/stateful-e2e', 'kwok-v0.8.0', 'kwok'));
const dockerUp = (() => {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();

describe('bad input: one line, non-zero exit', () => {
  it('unknown option', async () => oneLine(await cli(['--bogus']), /Unknown option '--bogus'/));
  it('unknown provider', async () => oneLine(await cli(['--provider', 'minikube']), /--provider: unknown value 'minikube' \(expected kind, kwok, existing\)/));
  it('unknown scenario', async () => oneLine(await cli(['--scenario', 'redis']), /unknown scenario 'redis' \(known: .*statefulset-basics/));
  it('bad --keep value', async () => oneLine(await cli(['--keep', 'sometimes']), /--keep: unknown value/));
  it('fixtures directory missing', async () => oneLine(await cli(['--fixtures', '/nonexistent/fixtures']), /--fixtures: no such directory/));
  it('fixtures directory missing a file', async () => {
    const dir = fixturesCopy('missing-file', (d) => execFileSync('rm', [path.join(d, 'statefulset-basics', 'web-parallel.yaml')]));
    oneLine(await cli(['--fixtures', dir, '--scenario', 'statefulset-basics']), /statefulset-basics needs .*web-parallel\.yaml, which does not exist/);
  });
  it('malformed YAML in a fixture', async () => {
    const dir = fixturesCopy('malformed', (d) =>
      writeFileSync(path.join(d, 'statefulset-basics', 'web.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  labels: [a\n'),
    );
    oneLine(await cli(['--fixtures', dir, '--scenario', 'statefulset-basics', '--provider', 'kwok']), /web\.yaml.*malformed YAML/);
  });
  it('a YAML document that is not a Kubernetes object', async () => {
    const dir = fixturesCopy('not-object', (d) => writeFileSync(path.join(d, 'statefulset-basics', 'web.yaml'), '- just\n- a list\n'));
    oneLine(await cli(['--fixtures', dir, '--scenario', 'statefulset-basics', '--provider', 'kwok']), /web\.yaml: a document is not a Kubernetes object/);
  });
  it('invalid --k8s-version', async () => oneLine(await cli(['--k8s-version', '1.34']), /--k8s-version: '1\.34' is not of the form vX\.Y\.Z/));
  it('--image-map file missing', async () => oneLine(await cli(['--image-map', '/nonexistent.yaml']), /--image-map: no such file/));
  it('--image-map not a mapping', async () => {
    const f = path.join(tmp, 'map.yaml');
    writeFileSync(f, '- a\n- b\n');
    oneLine(await cli(['--image-map', f]), /--image-map .*expected a mapping/);
  });
  it('invalid --grep regular expression', async () => oneLine(await cli(['--grep', '[1.2']), /--grep: invalid regular expression/));
  it('TIMEOUT_SCALE not a positive number', async () => oneLine(await cli([], { TIMEOUT_SCALE: 'fast' }), /TIMEOUT_SCALE must be a positive number/));
  it('--provider existing without --kubeconfig', async () => oneLine(await cli(['--provider', 'existing']), /--provider existing needs --kubeconfig/));
  it('--kubeconfig file missing', async () =>
    oneLine(await cli(['--provider', 'existing', '--kubeconfig', '/nonexistent/kubeconfig']), /--kubeconfig: no such file/));
  it('unreachable API server', async () => {
    const kc = path.join(tmp, 'unreachable.kubeconfig');
    writeFileSync(
      kc,
      `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
    );
    const r = await cli(['--provider', 'existing', '--kubeconfig', kc, '--scenario', 'statefulset-basics']);
    oneLine(r, /cluster https:\/\/127\.0\.0\.1:1 unreachable/);
    expect(r.ms).toBeLessThan(30_000);
  });
  it('unknown --context', async () => {
    const kc = path.join(tmp, 'ctx.kubeconfig');
    writeFileSync(kc, readFileSync(path.join(tmp, 'unreachable.kubeconfig'), 'utf8'));
    oneLine(
      await cli(['--provider', 'existing', '--kubeconfig', kc, '--context', 'nope', '--scenario', 'statefulset-basics']),
      /--context nope: not in .* \(has: x\)/,
    );
  });
  it('Docker not reachable (kind provider)', async () => {
    oneLine(
      await cli(['--provider', 'kind', '--scenario', 'statefulset-basics'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }),
      /Docker daemon not reachable|docker not found/,
    );
  });
  it.skipIf(!dockerUp)('kind binary missing (kind provider)', async () => {
    oneLine(await cli(['--provider', 'kind', '--scenario', 'statefulset-basics'], { KIND_BINARY: '/nonexistent/kind' }), /kind not found/);
  });
  it('--report-dir that cannot be written names the option', async () => {
    writeFileSync(path.join(tmp, 'a-file'), 'x');
    oneLine(await cli(['--report-dir', path.join(tmp, 'a-file', 'reports')]), /^error: --report-dir: cannot write to .*a-file\/reports: a parent is a file$/);
    oneLine(await cli(['--report-dir', path.join(tmp, 'a-file')]), /^error: --report-dir: cannot write to .*: it is a file, not a directory$/);
  });
  it('--image-map and --kubeconfig that are directories name the option', async () => {
    oneLine(await cli(['--image-map', tmp]), /^error: --image-map: .* is a directory, not a file$/);
    oneLine(await cli(['--provider', 'existing', '--kubeconfig', tmp]), /^error: --kubeconfig: .* is a directory, not a file$/);
  });
  it('--retries out of range', async () => oneLine(await cli(['--retries', '9']), /--retries: expected a whole number from 0 to 5/));
  it('--parallel 0', async () => oneLine(await cli(['--parallel', '0']), /--parallel: expected a whole number from 1 to 16, got '0'/));
  it('--clusters two', async () => oneLine(await cli(['--clusters', 'two']), /--clusters: expected a whole number from 1 to 16, got 'two'/));
  it('disruptive scenarios on an existing cluster without --allow-disruptive', async () => {
    const kc = path.join(tmp, 'disruptive.kubeconfig');
    writeFileSync(kc, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    oneLine(
      await cli(['--provider', 'existing', '--kubeconfig', kc, '--scenario', 'zookeeper-maintenance']),
      /zookeeper-maintenance cordon and drain nodes; on your own cluster pass --allow-disruptive/,
    );
  });
  it('kwok binaries not built', async () => {
    oneLine(
      await cli(['--provider', 'kwok', '--scenario', 'statefulset-basics'], { E2E_CACHE: path.join(tmp, 'empty-cache'), E2E_BUILD: 'never' }),
      /run `bash ci\/build-kube\.sh && bash ci\/build-kwok\.sh`/,
    );
  });
  it('--rerun-failed: the plan in one line before anything starts', async () => {
    const d = path.join(tmp, 'earlier');
    execFileSync('mkdir', ['-p', d]);
    writeFileSync(path.join(d, 'results.json'), JSON.stringify({ results: [{ scenario: 'statefulset-basics', id: '1.9', outcome: 'failed' }] }));
    const r = await cli(['--provider', 'kwok', '--rerun-failed', d], { E2E_CACHE: path.join(tmp, 'empty-cache'), E2E_BUILD: 'never' });
    expect(r.stdout).toContain('--rerun-failed: statefulset-basics, assertions \\[(?:1\\.9)\\]');
    oneLine(r, /kwok: \d+ built file\(s\) missing/);
    writeFileSync(path.join(d, 'results.json'), JSON.stringify({ results: [{ scenario: 'statefulset-basics', id: '1.9', outcome: 'passed' }] }));
    const ok = await cli(['--provider', 'kwok', '--rerun-failed', d]);
    expect(ok.stdout).toContain('nothing failed');
    expect(ok.code).toBe(0);
  });
  it('no Docker and no --provider: falls back to kwok, saying so in one line (then kwok has its own prerequisites)', async () => {
    const r = await cli(['--scenario', 'statefulset-basics'], {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      E2E_CACHE: path.join(tmp, 'empty-cache'),
      E2E_BUILD: 'never',
    });
    expect(r.stdout).toMatch(/(Docker daemon not reachable|docker not found).*: running on kwok instead, .*pass --provider kind to make this an error/);
    oneLine(r, /kwok: \d+ built file\(s\) missing/);
  });
  // --app: everything is checked before any cluster (kwok binaries or not).
  const apps = path.join(root, 'test', 'fixtures', 'apps');
  const appProfile = (name: string, text: string): string => {
    const f = path.join(tmp, name);
    writeFileSync(f, text);
    return f;
  };
  it('app: --app neither manifests nor a chart', async () =>
    oneLine(
      await cli(['--provider', 'kwok', '--app', path.join(apps, 'not-an-app')]),
      /--app .*not-an-app: neither manifests nor a chart: .*settings\.yaml: a document lacks apiVersion, kind or metadata\.name$/,
    ));
  it('app: --app path missing', async () =>
    oneLine(await cli(['--provider', 'kwok', '--app', '/nonexistent/app']), /^error: --app \/nonexistent\/app: no such file or directory$/));
  it('app: a profile naming a StatefulSet the app does not have', async () => {
    const f = appProfile('zk-profile.yaml', 'statefulSets: [web, zk]\n');
    oneLine(
      await cli(['--provider', 'kwok', '--app', path.join(apps, 'web'), '--profile', f]),
      /zk-profile\.yaml: statefulSets\[1\]: no StatefulSet 'zk' in the app \(it has: web\)$/,
    );
  });
  it('app: an unknown adapter in the profile', async () => {
    const f = appProfile('pg-profile.yaml', 'datum:\n  adapter: postgres\n');
    oneLine(
      await cli(['--provider', 'kwok', '--app', path.join(apps, 'web'), '--profile', f]),
      /pg-profile\.yaml: datum\.adapter: unknown adapter 'postgres' \(known: zookeeper, cql, redis, mysql, http\)$/,
    );
  });
  it('app: an upgrade that changes volumeClaimTemplates is refused before anything is applied, naming the field', async () => {
    const next = path.join(tmp, 'web-next');
    cpSync(path.join(apps, 'web'), next, { recursive: true });
    const f = path.join(next, 'web.yaml');
    const text = readFileSync(f, 'utf8');
    expect(text).toMatch(/storage: 1Gi/);
    writeFileSync(f, text.replace(/storage: 1Gi/, 'storage: 2Gi'));
    const r = await cli(['--provider', 'kwok', '--app', path.join(apps, 'web'), '--upgrade-to', next]);
    oneLine(
      r,
      /^error: upgrade: StatefulSet web: spec\.volumeClaimTemplates \(claim www: spec\.resources\.requests\.storage 1Gi → 2Gi\): this field cannot change in place; nothing was applied /,
    );
    expect(r.stdout).not.toMatch(/kwok: (creating|starting)/);
  });
  it('app: --upgrade-to path missing', async () =>
    oneLine(
      await cli(['--provider', 'kwok', '--app', path.join(apps, 'web'), '--upgrade-to', '/nonexistent/next']),
      /^error: --upgrade-to \/nonexistent\/next: no such file or directory$/,
    ));
  it('app: an upgrade that drops the checked StatefulSet, and --upgrade-set for plain manifests', async () => {
    const next = path.join(tmp, 'web-next-gone');
    cpSync(path.join(apps, 'web'), next, { recursive: true });
    const f = path.join(next, 'web.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/^ {2}name: web$/m, '  name: web2'));
    oneLine(
      await cli(['--provider', 'kwok', '--app', path.join(apps, 'web'), '--upgrade-to', next]),
      /^error: --upgrade-to .*web-next-gone: no StatefulSet web, which the run checks: the upgrade would delete it/,
    );
    oneLine(
      await cli(['--provider', 'kwok', '--app', path.join(apps, 'web'), '--upgrade-to', path.join(apps, 'web'), '--upgrade-set', 'a=b']),
      /^error: --upgrade-set: only a Helm chart takes values; --upgrade-to .*web is plain manifests$/,
    );
  });
  it('app: --upgrade-to without --app', async () =>
    oneLine(await cli(['--provider', 'kwok', '--upgrade-to', path.join(apps, 'web')]), /^error: --upgrade-to goes with --app PATH \(the app it describes\)$/));
  it('app: --profile file missing', async () =>
    oneLine(
      await cli(['--provider', 'kwok', '--app', path.join(apps, 'web'), '--profile', '/nonexistent/p.yaml']),
      /^error: --profile \/nonexistent\/p\.yaml: no such file$/,
    ));
  it('app: a Helm chart and no helm', async () => {
    const env = { E2E_HELM: '', E2E_CACHE: path.join(tmp, 'no-cache'), PATH: path.dirname(process.execPath) };
    oneLine(
      await cli(['--provider', 'kwok', '--app', path.join(apps, 'chart')], env),
      /chart: a Helm chart is rendered with `helm template`, and there is no helm \(.*\): build it with `bash ci\/build-helm\.sh`$/,
    );
  });
  it.skipIf(!helmFound)("app: a Helm chart that does not render: helm's first error line", async () => {
    const dir = path.join(tmp, 'broken-chart');
    cpSync(path.join(apps, 'chart'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'templates', 'broken.yaml'), 'kind: ConfigMap\nmetadata:\n  name: {{ .Values.x }\n');
    oneLine(
      await cli(['--provider', 'kwok', '--app', dir]),
      /broken-chart: helm template failed: parse error at \(kv\/templates\/broken\.yaml:3\): unexpected "}" in operand$/,
    );
  });
  it('app: --values for plain manifests', async () =>
    oneLine(
      await cli(['--provider', 'kwok', '--app', path.join(apps, 'web'), '--values', path.join(apps, 'chart', 'values.yaml')]),
      /^error: --values: only a Helm chart takes values; --app .*web is plain manifests$/,
    ));
  it('app: --profile without --app, --app with --scenario', async () => {
    oneLine(await cli(['--profile', 'p.yaml']), /^error: --profile goes with --app PATH \(the app it describes\)$/);
    oneLine(
      await cli(['--app', path.join(apps, 'web'), '--scenario', 'statefulset-basics']),
      /^error: --app runs the app's own checks instead of the scenarios: leave out --scenario$/,
    );
  });
  it.skipIf(!kwokBuilt)('a manifest the API server rejects (storage: 1Gib) fails before any scenario runs', async () => {
    const dir = fixturesCopy('1gib', (d) => {
      const f = path.join(d, 'statefulset-basics', 'web.yaml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('storage: 1Gi\n', 'storage: 1Gib\n'));
    });
    const r = await cli(['--provider', 'kwok', '--scenario', 'statefulset-basics', '--fixtures', dir, '--report-dir', path.join(tmp, 'r')], {}, 120_000);
    oneLine(r, /web\.yaml: StatefulSet\/web: the API server rejects it: .*quantities must match/);
  });
});
