/**
 * `--app PATH`: the app prepared before any cluster (prepare.ts), the scenario built for it, the generic check file
 * declaring the same assertions, the options, and the verdicts the check file applies to what the watches saw
 * (verdicts.ts), each on sequences that must pass and sequences that must fail. No cluster is started.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTEXT_ENV } from '../src/context.ts';
import { scenarioNameOf, type DeclaredAssertion } from '../src/discovery.ts';
import { parseOptions } from '../src/options.ts';
import type { PodEvent } from '../src/ordering.ts';
import type { ObservedEvent } from '../src/kube/watch.ts';
import { GUARANTEES } from '../src/app/guarantees.ts';
import { factsOf } from '../src/app/objects.ts';
import { CHECKED, CHECK_FILE, appFixtureFiles, appScenario, appScenarioName, planLines, prepareApp, skipOf } from '../src/app/prepare.ts';
import {
  claimsVerdict,
  createdWithoutWaiting,
  fillTemplate,
  identityVerdict,
  minReadyBeforeNext,
  pdbExpectation,
  pdbVerdict,
  readVerdict,
  requiredSpread,
  scaleClaimsVerdict,
  spreadCapacity,
  spreadVerdict,
  statusVerdict,
  type ClaimState,
} from '../src/app/verdicts.ts';

const ROOT = path.join(import.meta.dirname, '..');
const APPS = path.join(import.meta.dirname, 'fixtures', 'apps');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stateful-e2e-app-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const app = (dir: string, profile?: string) => prepareApp({ path: path.join(APPS, dir), ...(profile ? { profile } : {}), values: [], set: [] });
const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();

describe('prepareApp: the app, its profile and the plan, before any cluster', () => {
  it('the tutorial web app: one scenario app-web on K2, every guarantee reported, what does not apply skipped with the reason', () => {
    const a = app('web');
    expect(a.name).toBe('app-web');
    expect(a.clusterProfile).toBe('K2');
    expect(a.profileFile).toBe(path.join(APPS, 'web', 'stateful-e2e.yaml'));
    expect(a.assertions.map((x) => x.id)).toEqual(GUARANTEES.map((g) => g.id));
    const by = (id: string) => a.assertions.find((x) => x.id === id)!;
    expect(by('A1.1').name).toBe('[A1.1] web: pods have stable names and are owned by the StatefulSet');
    expect(by('A1.1').skip).toBeUndefined();
    expect(by('A2.3').skip).toBe('not applicable: OrderedReady policy: pods start and stop one at a time (A2.1, A2.2)');
    expect(by('A4.2').skip).toMatch(/^not applicable \(check the manifests\): no readinessProbe/);
    expect(by('A1.3').skip).toBeUndefined();
    expect(by('A7.2').skip).toMatch(/^not applicable: no preferred pod anti-affinity/);
    expect(by('A8.1').skip).toMatch(/no new version/);
    // Whatever runs is one of the checked guarantees; nothing unchecked can pass.
    for (const x of a.assertions) if (x.skip === undefined) expect(CHECKED).toContain(x.check.id);
  });
  it('examples/web-app (README "Check your own app"): nineteen guarantees checked, A5.1 and A5.2 on its PDB, A3.3, A5.4 and A8.5 on its exec datum, A1.3, A4.3 and A6.2 on its Service', () => {
    const a = prepareApp({ path: path.join(ROOT, 'examples', 'web-app'), values: [], set: [] });
    expect(a.name).toBe('app-web-app');
    expect(a.assertions.filter((x) => x.skip === undefined).map((x) => x.id)).toEqual([
      'A1.1',
      'A1.2',
      'A1.3',
      'A2.1',
      'A2.2',
      'A3.1',
      'A3.2',
      'A3.3',
      'A3.4',
      'A3.5',
      'A4.1',
      'A4.3',
      'A5.1',
      'A5.2',
      'A5.4',
      'A6.1',
      'A6.2',
      'A8.2',
      'A8.5',
    ]);
    expect(a.assertions.filter((x) => x.skip !== undefined)).toHaveLength(8);
    expect(a.profile?.datum).toMatchObject({ kind: 'exec', scope: 'pod', container: 'nginx' });
  });
  it('examples/redis-app: eighteen guarantees checked, the data checks (A3.3, A4.2 on its PONG probe, A5.4, A8.5) through the redis adapter, each pod its own primary', () => {
    const a = prepareApp({ path: path.join(ROOT, 'examples', 'redis-app'), values: [], set: [] });
    expect(a.name).toBe('app-redis-app');
    expect(a.clusterProfile).toBe('K2');
    expect(a.profile?.datum).toEqual({ kind: 'adapter', scope: 'pod', adapter: 'redis', port: 'redis', options: { db: 0 } });
    expect(a.assertions.filter((x) => x.skip === undefined).map((x) => x.id)).toEqual([
      'A1.1',
      'A1.2',
      'A1.3',
      'A2.1',
      'A2.2',
      'A3.1',
      'A3.2',
      'A3.3',
      'A3.4',
      'A3.5',
      'A4.1',
      'A4.2',
      'A4.3',
      'A5.4',
      'A6.1',
      'A6.2',
      'A8.2',
      'A8.5',
    ]);
    for (const id of ['A3.3', 'A5.4', 'A8.5']) expect(a.assertions.find((x) => x.id === id)?.check.needs).toEqual(['network']);
    expect(a.assertions.find((x) => x.id === 'A4.2')?.check.needs).toEqual(['probes', 'network']);
    // No PDB, no quorum, no spread: A5.1-A5.3 and A7 do not apply.
    expect(a.assertions.filter((x) => x.skip !== undefined)).toHaveLength(9);
    expect(a.assertions.find((x) => x.id === 'A5.1')?.skip).toMatch(/^not applicable: no PDB declared/);
  });
  it("examples/mysql-app: the same eighteen guarantees as redis-app, its datum through the mysql adapter with the password from the app's own Secret", () => {
    const a = prepareApp({ path: path.join(ROOT, 'examples', 'mysql-app'), values: [], set: [] });
    const redis = prepareApp({ path: path.join(ROOT, 'examples', 'redis-app'), values: [], set: [] });
    expect(a.name).toBe('app-mysql-app');
    expect(a.profile?.datum).toMatchObject({
      kind: 'adapter',
      scope: 'pod',
      adapter: 'mysql',
      port: 'mysql',
      options: { database: 'stateful_e2e', user: 'root', passwordSecret: { name: 'mysql-pass', key: 'password' } },
    });
    const running = (x: typeof a) => x.assertions.filter((y) => y.skip === undefined).map((y) => y.id);
    expect(running(a)).toEqual(running(redis));
    expect(a.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Secret/mysql-pass', 'Service/mysql', 'StatefulSet/mysql']);
  });
  it('kv-parallel: K3 for its required anti-affinity over 3 pods; A2.3, A5.1-A5.3, A7.1 and A8.3 (partition 1) run, and the data checks through its redis datum', () => {
    const a = app('kv-parallel');
    expect(a.clusterProfile).toBe('K3');
    const running = a.assertions.filter((x) => x.skip === undefined).map((x) => x.id);
    expect(running).toEqual([
      'A1.1',
      'A1.2',
      'A1.3',
      'A2.3',
      'A3.1',
      'A3.2',
      'A3.3',
      'A3.4',
      'A3.5',
      'A4.1',
      'A4.2',
      'A4.3',
      'A5.1',
      'A5.2',
      'A5.3',
      'A5.4',
      'A6.1',
      'A6.2',
      'A7.1',
      'A8.2',
      'A8.3',
      'A8.5',
    ]);
  });
  it.skipIf(!hasKubectl)('a kustomization is rendered with kubectl kustomize', () => {
    const a = app('kustomize');
    expect(a.input.kind).toBe('kustomization');
    const sts = a.objects.find((o) => o.kind === 'StatefulSet') as V1StatefulSet;
    expect(sts.metadata?.labels?.tier).toBe('web');
    expect(a.name).toBe('app-kustomize');
    const files = appFixtureFiles({ path: path.join(APPS, 'kustomize'), values: [], set: [] }, {});
    expect(files.map((f) => path.basename(f.file))).toEqual(['kustomization.yaml', 'dns-probe.yaml']);
    expect(files[0]!.objects.map((o) => o.kind)).toEqual(['Service', 'StatefulSet']);
  });
  it('a Helm chart: --values is checked before helm runs (rendering: test/app-helm.test.ts)', () => {
    expect(() => prepareApp({ path: path.join(APPS, 'chart'), values: ['/nonexistent/v.yaml'], set: [] })).toThrow(
      /^--values \/nonexistent\/v\.yaml: no such file$/,
    );
  });
  it('bad input is one line: not an app, --values on manifests, a profile naming what the app lacks, an unknown adapter', () => {
    expect(() => app('not-an-app')).toThrow(/^--app .*not-an-app: neither manifests nor a chart: /);
    expect(() => prepareApp({ path: path.join(APPS, 'web'), values: [path.join(APPS, 'chart', 'values.yaml')], set: [] })).toThrow(
      /^--values: only a Helm chart takes values; --app .* is plain manifests$/,
    );
    const p1 = path.join(tmp, 'zk.yaml');
    writeFileSync(p1, 'statefulSets: [web, zk]\n');
    expect(() => app('web', p1)).toThrow(/zk\.yaml: statefulSets\[1\]: no StatefulSet 'zk' in the app \(it has: web\)$/);
    const p2 = path.join(tmp, 'pg.yaml');
    writeFileSync(p2, 'datum:\n  adapter: postgres\n');
    expect(() => app('web', p2)).toThrow(/pg\.yaml: datum\.adapter: unknown adapter 'postgres' \(known: zookeeper, cql, redis, mysql, http\)$/);
    expect(() => app('web', path.join(tmp, 'missing.yaml'))).toThrow(/^--profile .*missing\.yaml: no such file$/);
  });
  it('a Namespace in the manifests is left out (the app runs in the scenario namespace); a file app is named after the file', () => {
    const dir = path.join(tmp, 'with-ns');
    cpSync(path.join(APPS, 'web'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n');
    const a = prepareApp({ path: dir, values: [], set: [] });
    expect(a.namespacesLeftOut).toEqual(['shop']);
    expect(a.objects.some((o) => o.kind === 'Namespace')).toBe(false);
    expect(appFixtureFiles({ path: dir, values: [], set: [] }, {}).flatMap((f) => f.objects.map((o) => o.kind))).toEqual(['Service', 'StatefulSet', 'Pod']);
    expect(prepareApp({ path: path.join(dir, 'web.yaml'), values: [], set: [] }).name).toBe('app-web');
  });
  it('a quorum and no spread at all: A7.1 is a finding (one node may hold a quorum of members)', () => {
    const p = path.join(tmp, 'quorum.yaml');
    writeFileSync(p, 'quorum: majority\n');
    const a = app('web', p);
    expect(a.assertions.find((x) => x.id === 'A7.1')?.skip).toBe(
      "not applicable (check the manifests): no required pod anti-affinity or DoNotSchedule topology spread on web's own pods: pods may share a node, and with quorum 2 nothing keeps 2 of the 2 members off one node (one node's failure would stop the app)",
    );
  });
  it('scenario names are DNS labels', () => {
    expect(appScenarioName('/x/My App_v2')).toBe('app-my-app-v2');
    expect(appScenarioName('/x/web.yaml')).toBe('app-web');
    expect(appScenarioName('/x/___')).toBe('app');
    expect(appScenarioName(`/x/${'a'.repeat(60)}`)).toBe(`app-${'a'.repeat(26)}`);
  });
  it('one replica has no order to show; replicas 0 no pod', () => {
    const a = app('web');
    const c = a.checks.find((x) => x.id === 'A2.2')!;
    const f = factsOf(a.statefulSets[0]!);
    expect(skipOf(c, f)).toBeUndefined();
    expect(skipOf(c, { ...f, replicas: 1 })).toBe('web has 1 replica: there is no second pod, so no order to show');
    expect(skipOf(a.checks.find((x) => x.id === 'A1.1')!, { ...f, replicas: 0 })).toBe('web has replicas 0: no pod to check');
  });
  it("the manifests the runner dry-runs and loads images from, with the image map applied, and A1.3's DNS helper pod", () => {
    const files = appFixtureFiles({ path: path.join(APPS, 'web'), values: [], set: [] }, { 'registry.k8s.io/nginx-slim:0.24': 'local/nginx:1' });
    expect(files.map((f) => path.basename(f.file))).toEqual(['web.yaml', 'dns-probe.yaml']);
    expect(files[1]!.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Pod/stateful-e2e-dns']);
    const sts = files[0]!.objects.find((o) => o.kind === 'StatefulSet') as V1StatefulSet;
    expect(sts.spec?.template.spec?.containers[0]?.image).toBe('local/nginx:1');
  });
});

describe('the scenario built for the app', () => {
  it('runs the generic check file under the name app-<basename>, with the app as fixtures root', () => {
    const a = app('web');
    const s = appScenario(a);
    expect(s.file).toBe(CHECK_FILE);
    expect(existsSync(s.file)).toBe(true);
    expect(s.fixturesRoot).toBe(path.join(APPS, 'web'));
    expect(s.assertions.map((x) => x.name)).toEqual(a.assertions.map((x) => x.name));
    expect(scenarioNameOf(path.relative(ROOT, CHECK_FILE))).toBe('app-web');
  });
  it('the check file declares exactly those assertions (read as the CLI reads scenario files)', async () => {
    const a = app('kv-parallel');
    const key = Symbol.for('stateful-e2e.discovering');
    const g = globalThis as Record<symbol, unknown>;
    const declared = new Map<string, readonly DeclaredAssertion[]>();
    g[key] = declared;
    process.env[CONTEXT_ENV] = JSON.stringify({ app: { path: a.path, profile: a.profileFile } });
    try {
      const mod = (await import('../src/app/check.e2e.ts')) as { scenario: { name: string; profile: string } };
      expect(mod.scenario.name).toBe('app-kv-parallel');
      expect(mod.scenario.profile).toBe('K3');
      expect(declared.get('app-kv-parallel')?.map((x) => x.name)).toEqual(a.assertions.map((x) => x.name));
    } finally {
      delete g[key];
      delete process.env[CONTEXT_ENV];
    }
  });
  it('several StatefulSets: IDs carry the set name, so they stay unique', () => {
    const dir = path.join(tmp, 'two-sets');
    cpSync(path.join(APPS, 'web'), dir, { recursive: true });
    const web = readFileSync(path.join(dir, 'web.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'api.yaml'), web.replaceAll('name: web\n', 'name: api\n').replace(/name: nginx\n/g, 'name: api-svc\n'));
    rmSync(path.join(dir, 'stateful-e2e.yaml'));
    const a = prepareApp({ path: dir, values: [], set: [] });
    const ids = a.assertions.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('A1.1/web');
    expect(ids).toContain('A1.1/api');
  });
});

describe('options: --app and its companions', () => {
  it('takes --app, --profile, --values and --set, paths made absolute', () => {
    const o = parseOptions(['--app', 'test/fixtures/apps/web', '--profile', 'p.yaml', '--list'], ROOT, {});
    expect(o.app).toEqual({ path: path.resolve('test/fixtures/apps/web'), profile: path.resolve('p.yaml'), values: [], set: [] });
    expect(parseOptions(['--app', 'x', '--values', 'v.yaml', '--set', 'a=b', '--list'], ROOT, {}).app?.set).toEqual(['a=b']);
  });
  it('--profile, --values, --set only with --app; --app replaces the scenarios', () => {
    expect(() => parseOptions(['--profile', 'p.yaml'], ROOT, {})).toThrow('--profile goes with --app PATH (the app it describes)');
    expect(() => parseOptions(['--set', 'a=b'], ROOT, {})).toThrow('--set goes with --app PATH (the app it describes)');
    expect(() => parseOptions(['--app', 'x', '--scenario', 'statefulset-basics'], ROOT, {})).toThrow(
      "--app runs the app's own checks instead of the scenarios: leave out --scenario",
    );
    expect(() => parseOptions(['--app', 'x', '--conformance'], ROOT, {})).toThrow(/leave out --conformance/);
  });
});

describe('--app --list: the plan without a cluster', () => {
  it('prints the scenario and one check or skip line per guarantee', async () => {
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) =>
      execFile(process.execPath, [path.join(ROOT, 'bin/e2e.mjs'), '--app', path.join(APPS, 'web'), '--list'], { cwd: ROOT, timeout: 60_000 }, (err, stdout) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout }),
      ),
    );
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^app-web +K2 +src\/app\/check\.e2e\.ts {2}the guarantees of docs\/app-guarantees\.md on manifests: 2 object\(s\)/);
    expect(lines).toHaveLength(1 + GUARANTEES.length);
    expect(lines).toContain(
      '  skip  [A2.3] web: Parallel pods do not wait for each other: not applicable: OrderedReady policy: pods start and stop one at a time (A2.1, A2.2)',
    );
    expect(lines.filter((l) => l.startsWith('  check ')).map((l) => /\[([^\]]+)\]/.exec(l)![1])).toEqual([
      'A1.1',
      'A1.2',
      'A1.3',
      'A2.1',
      'A2.2',
      'A3.1',
      'A3.2',
      'A3.3',
      'A3.4',
      'A3.5',
      'A4.1',
      'A4.3',
      'A5.4',
      'A6.1',
      'A6.2',
      'A8.2',
      'A8.5',
    ]);
    expect(lines).toContain(
      '  check [A3.3] web: the datum survives pod re-creation: a datum written on each pod is read back on that same pod (datum.scope: pod), also after each pod in turn is deleted and re-created (needs exec)',
    );
    expect(planLines(app('web'))).toEqual(lines.slice(1).map((l) => l.slice(2)));
  });
});

// ---- verdicts ----

let seq = 0;
const ev = (type: PodEvent['type'], name: string, o: Partial<PodEvent> = {}): PodEvent => ({
  seq: seq++,
  t: seq * 100,
  type,
  name,
  uid: `${name}-uid`,
  phase: 'Pending',
  ready: false,
  deleting: false,
  ...o,
});
const ready = (name: string, o: Partial<PodEvent> = {}): PodEvent => ev('MODIFIED', name, { phase: 'Running', ready: true, ...o });

describe('verdicts: Parallel creation and minReadySeconds', () => {
  it('a pod ADDED before its predecessor is Ready shows the controller did not wait', () => {
    seq = 0;
    const parallel = [ev('ADDED', 'kv-0'), ev('ADDED', 'kv-1'), ready('kv-0'), ready('kv-1')];
    expect(createdWithoutWaiting(parallel, ['kv-0', 'kv-1'], 0).ok).toBe(true);
    const ordered = [ev('ADDED', 'kv-0'), ready('kv-0'), ev('ADDED', 'kv-1'), ready('kv-1')];
    const v = createdWithoutWaiting(ordered, ['kv-0', 'kv-1'], 0);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/every pod waited for its predecessor/);
    expect(createdWithoutWaiting(parallel, ['kv-0'], 0).ok).toBe(false);
  });
  it('minReadySeconds: the next pod is created that long after its predecessor turned Ready (1 s of rounding allowed)', () => {
    seq = 0;
    const events = (gapS: number) => [
      ev('ADDED', 'web-0', { creationTimestamp: '2026-01-01T00:00:00Z' }),
      ready('web-0', { readyTransition: '2026-01-01T00:00:02Z' }),
      ev('ADDED', 'web-1', { creationTimestamp: new Date(Date.parse('2026-01-01T00:00:02Z') + gapS * 1000).toISOString() }),
    ];
    expect(minReadyBeforeNext(events(10), ['web-0', 'web-1'], 0, 10).ok).toBe(true);
    expect(minReadyBeforeNext(events(9), ['web-0', 'web-1'], 0, 10).ok).toBe(true);
    const v = minReadyBeforeNext(events(3), ['web-0', 'web-1'], 0, 10);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/web-1 was created .* 3 s after web-0 turned Ready .*minReadySeconds is 10/);
  });
});

const pod = (
  name: string,
  o: { node?: string; labels?: Record<string, string>; owner?: string; hostname?: string; subdomain?: string; claims?: Record<string, string> } = {},
): V1Pod => ({
  metadata: {
    name,
    uid: `${name}-uid`,
    labels: o.labels ?? { app: 'nginx', 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': name.split('-').at(-1)! },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: o.owner ?? 'web', uid: 'sts-uid', controller: true }],
  },
  spec: {
    containers: [],
    hostname: o.hostname ?? name,
    subdomain: o.subdomain ?? 'nginx',
    ...(o.node ? { nodeName: o.node } : {}),
    volumes: Object.entries(o.claims ?? {}).map(([v, claimName]) => ({ name: v, persistentVolumeClaim: { claimName } })),
  },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});

describe('verdicts: the exec datum (A3.3)', () => {
  it('fills {key} and {value}, leaving ${…} to the shell', () => {
    expect(fillTemplate('echo {value} > /d/{key}.txt; echo ${HOME}', 'k1', 'v1')).toBe('echo v1 > /d/k1.txt; echo ${HOME}');
    expect(fillTemplate('/e2e-{key}', 'k1')).toBe('/e2e-k1');
  });
  it('a read finds the value on a line, or exactly', () => {
    expect(readVerdict({ exitCode: 0, stdout: 'header\n v1 \n', stderr: '' }, 'v1', 'line').ok).toBe(true);
    expect(readVerdict({ exitCode: 0, stdout: 'header\nv1\n', stderr: '' }, 'v1', 'exact').reason).toBe("read 'header\nv1', expected 'v1'");
    expect(readVerdict({ exitCode: 0, stdout: 'v10\n', stderr: '' }, 'v1', 'line').ok).toBe(false);
    expect(readVerdict({ exitCode: 1, stdout: '', stderr: 'cat: no such file\n' }, 'v1', 'line').reason).toBe('exit 1: cat: no such file');
  });
  it('an exec datum is checked where exec is, a datum through an adapter (redis) where a port-forward is', () => {
    expect(app('web').assertions.find((x) => x.id === 'A3.3')?.skip).toBeUndefined();
    expect(app('web').assertions.find((x) => x.id === 'A3.3')?.check.needs).toEqual(['exec']);
    expect(app('kv-parallel').assertions.find((x) => x.id === 'A3.3')?.skip).toBeUndefined();
    expect(app('kv-parallel').assertions.find((x) => x.id === 'A3.3')?.check.needs).toEqual(['network']);
  });
});

describe('verdicts: identity (A1.1)', () => {
  const f = factsOf(app('web').statefulSets[0]!);
  it('passes on the declared pods with owner, labels, hostname and subdomain', () => {
    expect(identityVerdict([pod('web-0'), pod('web-1')], f, { setUid: 'sts-uid', podIndexLabel: true }).ok).toBe(true);
  });
  it('fails on a missing pod, another owner, a wrong hostname or subdomain', () => {
    expect(identityVerdict([pod('web-0')], f, { podIndexLabel: true }).reason).toBe('the pods of web are [web-0], expected exactly [web-0, web-1]');
    const v = identityVerdict([pod('web-0', { owner: 'other' }), pod('web-1', { hostname: 'x', subdomain: 'y' })], f, { podIndexLabel: false });
    expect(v.ok).toBe(false);
    expect(v.reason).toBe('web-0: controller StatefulSet/other, expected StatefulSet/web; web-1: spec.hostname=x; web-1: spec.subdomain=y, expected nginx');
    expect(identityVerdict([pod('web-0'), pod('web-1')], f, { setUid: 'another-uid', podIndexLabel: false }).ok).toBe(false);
  });
});

const pvc = (name: string, o: { phase?: string; modes?: string[]; capacity?: string } = {}): V1PersistentVolumeClaim => ({
  metadata: { name, uid: `${name}-uid` },
  spec: { accessModes: o.modes ?? ['ReadWriteOnce'], volumeName: `pv-${name}` },
  status: { phase: o.phase ?? 'Bound', capacity: { storage: o.capacity ?? '1Gi' } },
});

describe('verdicts: PVCs (A3.1, A3.4)', () => {
  const a = app('web');
  const templates = a.statefulSets[0]!.spec!.volumeClaimTemplates!;
  const pods = [pod('web-0', { claims: { www: 'www-web-0' } }), pod('web-1', { claims: { www: 'www-web-1' } })];
  it('one Bound PVC per pod and template, with the template access modes and at least its storage, mounted', () => {
    const ok = new Map([
      ['www-web-0', pvc('www-web-0')],
      ['www-web-1', pvc('www-web-1', { capacity: '2Gi' })],
    ]);
    expect(claimsVerdict(pods, ok, templates).ok).toBe(true);
    const bad = new Map([['www-web-0', pvc('www-web-0', { phase: 'Pending', modes: ['ReadWriteMany'], capacity: '512Mi' })]]);
    const v = claimsVerdict(pods, bad, templates);
    expect(v.reason).toBe(
      'www-web-0 is Pending, not Bound; www-web-0: access modes ReadWriteMany, the template asks ReadWriteOnce; www-web-0: capacity 512Mi < requested 1Gi; www-web-1 does not exist',
    );
  });
  const st = (uid: string, phase = 'Bound'): ClaimState => ({ uid, phase, volume: `pv-${uid}` });
  const f = factsOf(a.statefulSets[0]!);
  const base = {
    removed: ['web-2', 'web-1'],
    kept: ['web-0'],
    before: new Map([
      ['www-web-0', st('a')],
      ['www-web-1', st('b')],
      ['www-web-2', st('c')],
    ]),
  };
  it('whenScaled Retain: the removed PVCs stay Bound and are re-used', () => {
    const afterDown = base.before;
    expect(scaleClaimsVerdict(f, { ...base, afterDown, afterUp: base.before }).ok).toBe(true);
    const v = scaleClaimsVerdict(f, {
      ...base,
      afterDown: new Map([
        ['www-web-0', st('a')],
        ['www-web-1', st('b')],
      ]),
      afterUp: new Map([...base.before, ['www-web-1', st('z')]]),
    });
    expect(v.reason).toBe('www-web-2 was deleted by the scale-down (whenScaled: Retain); www-web-1 has a new UID after the scale-up (b → z): not re-used');
  });
  it('whenScaled Delete: the removed PVCs go with their pods, the kept stay', () => {
    const del = { ...f, whenScaled: 'Delete' as const };
    expect(scaleClaimsVerdict(del, { ...base, afterDown: new Map([['www-web-0', st('a')]]), afterUp: new Map() }).ok).toBe(true);
    const v = scaleClaimsVerdict(del, { ...base, afterDown: new Map([['www-web-1', st('b')]]), afterUp: new Map() });
    expect(v.reason).toBe('www-web-0 of a kept pod was deleted by the scale-down; www-web-1 still exists (Bound) after its pod was gone (whenScaled: Delete)');
  });
});

describe('verdicts: status counts (A4.1)', () => {
  let s = 0;
  const podEv = (t: number, name: string, isReady: boolean, type: ObservedEvent<V1Pod>['type'] = 'MODIFIED'): ObservedEvent<V1Pod> => ({
    seq: s++,
    t,
    type,
    object: { metadata: { name }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False' }] } },
  });
  const stsEv = (t: number, readyReplicas: number, availableReplicas = readyReplicas): ObservedEvent<V1StatefulSet> => ({
    seq: s++,
    t,
    type: 'MODIFIED',
    object: { metadata: { name: 'web' }, status: { replicas: 2, readyReplicas, availableReplicas } },
  });
  it('passes when the status follows the Ready pods within 5 s', () => {
    s = 0;
    const pods = [podEv(100, 'web-0', true), podEv(3000, 'web-1', true), podEv(3100, 'other-0', true)];
    const sets = [stsEv(0, 0), stsEv(500, 1), stsEv(4000, 2)];
    expect(statusVerdict(pods, sets, 'web', { minReadySeconds: 0, now: 10_000 }).ok).toBe(true);
  });
  it('fails when the status lags more than 5 s, or is off at the end', () => {
    s = 0;
    const v = statusVerdict([podEv(100, 'web-0', true)], [stsEv(0, 0), stsEv(6000, 1)], 'web', { minReadySeconds: 0, now: 10_000 });
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/status\.readyReplicas was 0 while 1 pod\(s\) of web were Running\+Ready \(more than 5 s\)/);
    s = 0;
    expect(statusVerdict([podEv(100, 'web-0', true)], [stsEv(0, 0)], 'web', { minReadySeconds: 0, now: 10_000 }).reason).toMatch(/until the end$/);
  });
  it('availableReplicas: never above readyReplicas, equal with minReadySeconds 0, else only pods Ready long enough', () => {
    s = 0;
    expect(statusVerdict([podEv(0, 'web-0', true)], [stsEv(100, 1, 0)], 'web', { minReadySeconds: 0, now: 200 }).reason).toMatch(
      /availableReplicas 0 ≠ readyReplicas 1/,
    );
    s = 0;
    expect(statusVerdict([podEv(0, 'web-0', true)], [stsEv(100, 1, 1)], 'web', { minReadySeconds: 10, now: 200 }).reason).toMatch(
      /availableReplicas 1, but only 0 pod\(s\) had been Ready for 10 s/,
    );
    s = 0;
    expect(statusVerdict([podEv(0, 'web-0', true)], [stsEv(100, 1, 0), stsEv(9500, 1, 1)], 'web', { minReadySeconds: 10, now: 9600 }).ok).toBe(true);
  });
});

describe('verdicts: PDB (A5.1) and spread (A7.1)', () => {
  const kv = app('kv-parallel');
  it('the PDB expectation and its status', () => {
    const x = pdbExpectation(kv.objects, 'kv')!;
    expect(x).toEqual({ name: 'kv-pdb', sets: ['kv'], expected: 3, desiredHealthy: 2 });
    expect(pdbVerdict({ expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1, currentHealthy: 3 }, x).ok).toBe(true);
    expect(pdbVerdict({ expectedPods: 3, desiredHealthy: 3, disruptionsAllowed: 0, currentHealthy: 3 }, x).reason).toBe(
      'PDB kv-pdb reports expectedPods 3, desiredHealthy 3, disruptionsAllowed 0; expected 3, 2 and 1',
    );
    expect(pdbVerdict({ expectedPods: 3, desiredHealthy: 3, disruptionsAllowed: 0, currentHealthy: 3 }, { ...x, desiredHealthy: 3 }).reason).toMatch(
      /allows no disruption/,
    );
    expect(pdbExpectation(app('web').objects, 'web')).toBeUndefined();
  });
  const nodes = ['w1', 'w2', 'w3'].map((n) => ({ name: n, labels: { 'kubernetes.io/hostname': n } }));
  const kvPod = (name: string, node?: string): V1Pod => pod(name, { labels: { 'app.kubernetes.io/name': 'kv' }, ...(node ? { node } : {}) });
  it('required anti-affinity: one pod per domain, capacity = the domains', () => {
    const terms = requiredSpread(kv.statefulSets[0]!);
    expect(terms.map((t) => t.text)).toEqual(['required pod anti-affinity on kubernetes.io/hostname']);
    expect(spreadCapacity(terms, nodes)).toBe(3);
    expect(spreadCapacity([], nodes)).toBe(Number.POSITIVE_INFINITY);
    const spread = [kvPod('kv-0', 'w1'), kvPod('kv-1', 'w2'), kvPod('kv-2', 'w3')];
    expect(spreadVerdict(spread, spread, nodes, terms).ok).toBe(true);
    const shared = [kvPod('kv-0', 'w1'), kvPod('kv-1', 'w1'), kvPod('kv-2')];
    expect(spreadVerdict(shared, shared, nodes, terms).reason).toBe(
      'required pod anti-affinity on kubernetes.io/hostname: kv-0 and kv-1 share kubernetes.io/hostname=w1',
    );
    expect(spreadVerdict(spread, spread, [{ name: 'w1', labels: {} }], terms).reason).toMatch(/no worker node has the label kubernetes\.io\/hostname/);
  });
  it('a DoNotSchedule topology spread: the skew between domains at most maxSkew; ScheduleAnyway and no-op terms are not required spread', () => {
    const sts = structuredClone(kv.statefulSets[0]!);
    const spec = sts.spec!.template.spec!;
    delete spec.affinity;
    const sel = { matchLabels: { 'app.kubernetes.io/name': 'kv' } };
    spec.topologySpreadConstraints = [
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: sel },
      { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: sel },
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'other' } } },
    ];
    const terms = requiredSpread(sts);
    expect(terms.map((t) => t.text)).toEqual(['topology spread (DoNotSchedule, maxSkew 1) on kubernetes.io/hostname']);
    const even = [kvPod('kv-0', 'w1'), kvPod('kv-1', 'w2'), kvPod('kv-2', 'w3'), kvPod('kv-3', 'w1')];
    expect(spreadVerdict(even, even, nodes, terms).ok).toBe(true);
    const skewed = [kvPod('kv-0', 'w1'), kvPod('kv-1', 'w1'), kvPod('kv-2', 'w2')];
    expect(spreadVerdict(skewed, skewed, nodes, terms).reason).toMatch(/per domain w1=2, w2=1, w3=0: skew 2 > 1$/);
  });
});
