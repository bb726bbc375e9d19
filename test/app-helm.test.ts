/**
 * `--app CHART`: where helm is found, and charts rendered by the real helm binary (`helm template`, no cluster):
 * examples/web-chart, its values, a packaged chart, charts that do not render, and the chart's --values and --set
 * reaching the app's scenario file. The rendering tests are skipped, with the reason, only when there is no helm
 * (`bash ci/build-helm.sh` builds it).
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubernetesObject, V1Container, V1StatefulSet } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTEXT_ENV } from '../src/context.ts';
import type { DeclaredAssertion } from '../src/discovery.ts';
import { applyOverlays } from '../src/manifests.ts';
import { PINS } from '../src/providers/pins.ts';
import { builtHelm, findHelm, helmError, releaseName, renderChart } from '../src/app/helm.ts';
import { classifyApp, type ChartApp } from '../src/app/input.ts';
import { appFixtureFiles, prepareApp, RENDER_NAMESPACE } from '../src/app/prepare.ts';
import { errorOf } from './one-line-error.ts';

const ROOT = path.join(import.meta.dirname, '..');
const CHART = path.join(ROOT, 'examples', 'web-chart');
const WEB_APP = path.join(ROOT, 'examples', 'web-app');
const KV_CHART = path.join(import.meta.dirname, 'fixtures', 'apps', 'chart');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stateful-e2e-app-helm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dir = (name: string): string => {
  const d = path.join(tmp, name);
  mkdirSync(d, { recursive: true });
  return d;
};
/** An executable stand-in for helm that prints its name. */
const fakeHelm = (d: string): string => {
  const f = path.join(d, 'helm');
  writeFileSync(f, '#!/bin/sh\necho fake\n');
  chmodSync(f, 0o755);
  return f;
};

const HELM = (() => {
  try {
    return findHelm();
  } catch {
    return undefined;
  }
})();
const NO_HELM = `no helm (E2E_HELM unset, no ${builtHelm()}, none on PATH): build it with \`bash ci/build-helm.sh\``;
if (!HELM) console.warn(`app-helm.test.ts: rendering tests skipped: ${NO_HELM}`);

const sts = (objects: readonly KubernetesObject[], name = 'web'): V1StatefulSet =>
  objects.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === name) as V1StatefulSet;
const container = (s: V1StatefulSet): V1Container => s.spec!.template.spec!.containers[0]!;
const byKindName = (objects: readonly KubernetesObject[]) =>
  [...objects].sort((a, b) => `${a.kind}/${a.metadata?.name}`.localeCompare(`${b.kind}/${b.metadata?.name}`));

describe('where helm is found', () => {
  const cache = dir('cache');
  const builtDir = path.join(cache, `helm-${PINS.helm}`);
  mkdirSync(builtDir, { recursive: true });
  const built = fakeHelm(builtDir);
  const onPath = fakeHelm(dir('bin'));
  const given = fakeHelm(dir('given'));
  const env = { E2E_CACHE: cache, PATH: `/nonexistent:${path.dirname(onPath)}` };

  it('E2E_HELM first, then the pinned build in the cache, then helm on PATH', () => {
    expect(findHelm({ ...env, E2E_HELM: given })).toBe(given);
    expect(findHelm(env)).toBe(built);
    expect(builtHelm(env)).toBe(built);
    expect(findHelm({ ...env, E2E_CACHE: dir('empty-cache') })).toBe(onPath);
    expect(findHelm({ E2E_CACHE: dir('empty-cache'), PATH: '/nonexistent' })).toBeUndefined();
  });

  it('the pinned version is the one ci/versions.sh builds', () => {
    const pin = /^HELM_VERSION=\$\{HELM_VERSION:-(v[0-9.]+)\}/m.exec(readFileSync(path.join(ROOT, 'ci', 'versions.sh'), 'utf8'))?.[1];
    expect(pin).toBeDefined();
    if (!process.env.HELM_VERSION) expect(PINS.helm).toBe(pin);
  });

  it('an E2E_HELM that is not there, or no helm at all: one line naming ci/build-helm.sh', () => {
    expect(errorOf(() => findHelm({ ...env, E2E_HELM: '/nonexistent/helm' }))).toBe(
      'E2E_HELM=/nonexistent/helm: no such executable file (unset it, or build helm with `bash ci/build-helm.sh`)',
    );
    const none = { E2E_CACHE: dir('empty-cache'), PATH: '/nonexistent' };
    const app = classifyApp(CHART) as ChartApp;
    expect(errorOf(() => renderChart(app, { namespace: 'default', values: [], set: [] }, none))).toBe(
      `--app ${CHART}: a Helm chart is rendered with \`helm template\`, and there is no helm (E2E_HELM unset, no ${builtHelm(none)}, none on PATH): build it with \`bash ci/build-helm.sh\``,
    );
  });

  it("helm's message: its first Error: line, else its first line", () => {
    expect(helmError('walk.go:75: found symbolic link\nError: open /x.yaml: no such file or directory\n')).toBe('open /x.yaml: no such file or directory');
    expect(helmError('\n  something odd\nmore\n')).toBe('something odd');
    expect(helmError('')).toBeUndefined();
  });

  it('the release is the chart name, as a DNS label', () => {
    expect(releaseName('web-chart')).toBe('web-chart');
    expect(releaseName('My_Chart')).toBe('my-chart');
    expect(releaseName('___')).toBe('app');
    expect(releaseName('a'.repeat(80))).toHaveLength(53);
  });
});

describe.skipIf(!HELM)(`helm template (${HELM ?? 'skipped: no helm; build it with bash ci/build-helm.sh'})`, () => {
  it('examples/web-chart with podAntiAffinityPreset=none renders the objects of examples/web-app, and the same plan with the same profile', () => {
    const chart = prepareApp({ path: CHART, values: [], set: ['podAntiAffinityPreset=none'] });
    const web = prepareApp({ path: WEB_APP, values: [], set: [] });
    expect(chart.input).toMatchObject({ kind: 'chart', packaged: false, chart: { name: 'web-chart', version: '0.1.0' } });
    expect(byKindName(chart.objects)).toEqual(byKindName(web.objects));
    expect(chart.objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).toEqual(['PodDisruptionBudget/web-pdb', 'Service/nginx', 'StatefulSet/web']);
    expect(chart.name).toBe('app-web-chart');
    expect(chart.profileFile).toBe(path.join(CHART, 'stateful-e2e.yaml'));
    expect(chart.clusterProfile).toBe('K2');
    expect(chart.assertions.map((a) => [a.name, a.skip])).toEqual(web.assertions.map((a) => [a.name, a.skip]));
  });

  it('by default (podAntiAffinityPreset soft) the chart adds a preferred anti-affinity, so A7.2 is checked as well', () => {
    const chart = prepareApp({ path: CHART, values: [], set: [] });
    const web = prepareApp({ path: WEB_APP, values: [], set: [] });
    expect(sts(chart.objects).spec?.template.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.weight).toBe(1);
    const running = (a: typeof chart) => a.assertions.filter((x) => x.skip === undefined).map((x) => x.id);
    expect(running(chart)).toEqual([...running(web), 'A7.2'].sort());
  });

  it('--set replicas=3 changes the StatefulSet; values files apply in order, --set last', () => {
    expect(sts(prepareApp({ path: CHART, values: [], set: [] }).objects).spec?.replicas).toBe(2);
    expect(sts(prepareApp({ path: CHART, values: [], set: ['replicas=3'] }).objects).spec?.replicas).toBe(3);
    const v1 = path.join(tmp, 'v1.yaml');
    const v2 = path.join(tmp, 'v2.yaml');
    writeFileSync(v1, 'replicas: 4\nimage:\n  tag: "0.25"\n');
    writeFileSync(v2, 'replicas: 5\npdb:\n  enabled: false\n');
    const a = prepareApp({ path: CHART, values: [v1, v2], set: [] });
    expect(sts(a.objects).spec?.replicas).toBe(5);
    expect(container(sts(a.objects)).image).toBe('registry.k8s.io/nginx-slim:0.25');
    expect(a.objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(a.assertions.find((x) => x.id === 'A5.1')?.skip).toMatch(/^not applicable/);
    expect(sts(prepareApp({ path: CHART, values: [v1, v2], set: ['replicas=1'] }).objects).spec?.replicas).toBe(1);
  });

  it('the objects the runner dry-runs and loads images from: the rendered chart, image map applied', () => {
    const files = appFixtureFiles({ path: CHART, values: [], set: ['image.tag=0.26'] }, { 'registry.k8s.io/nginx-slim:0.26': 'local/nginx:1' });
    expect(files.map((f) => f.file)).toEqual([path.join(CHART, 'Chart.yaml'), 'stateful-e2e/dns-probe.yaml']);
    expect(container(sts(files[0]!.objects)).image).toBe('local/nginx:1');
  });

  it('a packaged chart (helm package) renders the same objects; the profile is found beside the .tgz', () => {
    const out = dir('packaged');
    execFileSync(HELM!, ['package', CHART, '--destination', out], { stdio: 'ignore' });
    const tgz = path.join(out, 'web-chart-0.1.0.tgz');
    cpSync(path.join(CHART, 'stateful-e2e.yaml'), path.join(out, 'stateful-e2e.yaml'));
    const a = prepareApp({ path: tgz, values: [], set: ['replicas=3'] });
    expect(a.input).toMatchObject({ kind: 'chart', packaged: true });
    expect(a.name).toBe('app-web-chart-0-1-0');
    expect(a.profileFile).toBe(path.join(out, 'stateful-e2e.yaml'));
    expect(sts(a.objects).spec?.replicas).toBe(3);
    expect(appFixtureFiles({ path: tgz, values: [], set: [] }, {})[0]!.file).toBe(tgz);
  });

  it('the release is the chart name and the namespace is the one the run rewrites into its own', () => {
    const kv = prepareApp({ path: KV_CHART, values: [], set: [] });
    expect(sts(kv.objects, 'kv-kv').spec?.replicas).toBe(3);
    const d = dir('ns-chart');
    cpSync(CHART, d, { recursive: true });
    const f = path.join(d, 'templates', 'statefulset.yaml');
    writeFileSync(
      f,
      readFileSync(f, 'utf8').replace(
        '          ports:\n',
        '          env:\n            - name: PEER\n              value: web-0.nginx.{{ .Release.Namespace }}.svc.cluster.local\n          ports:\n',
      ),
    );
    const a = prepareApp({ path: d, values: [], set: [] });
    expect(container(sts(a.objects)).env).toEqual([{ name: 'PEER', value: `web-0.nginx.${RENDER_NAMESPACE}.svc.cluster.local` }]);
    const run = applyOverlays(a.objects, { namespace: 'app-web-1', imageMap: {}, pullPolicyOverlay: true });
    expect(container(sts(run.objects)).env).toEqual([{ name: 'PEER', value: 'web-0.nginx.app-web-1.svc.cluster.local' }]);
  });

  it("a chart that does not render: helm's own message, in one line", () => {
    const d = dir('broken');
    cpSync(CHART, d, { recursive: true });
    writeFileSync(path.join(d, 'templates', 'broken.yaml'), 'kind: ConfigMap\nmetadata:\n  name: {{ .Values.replicas }\n');
    expect(errorOf(() => prepareApp({ path: d, values: [], set: [] }))).toBe(
      `--app ${d}: helm template failed: parse error at (web-chart/templates/broken.yaml:3): unexpected "}" in operand`,
    );
    writeFileSync(path.join(d, 'templates', 'broken.yaml'), 'kind: ConfigMap\nmetadata:\n  name: {{ required "config.name is required" .Values.config }}\n');
    expect(errorOf(() => prepareApp({ path: d, values: [], set: [] }))).toBe(
      `--app ${d}: helm template failed: execution error at (web-chart/templates/broken.yaml:3:11): config.name is required`,
    );
    rmSync(path.join(d, 'templates'), { recursive: true });
    mkdirSync(path.join(d, 'templates'));
    writeFileSync(path.join(d, 'templates', 'empty.yaml'), '# nothing\n');
    expect(errorOf(() => prepareApp({ path: d, values: [], set: [] }))).toBe(`--app ${d}: the chart's output: no Kubernetes objects in file`);
  });

  it('a bad values file: one line, before helm runs (prepareApp) and from helm itself', () => {
    expect(errorOf(() => prepareApp({ path: CHART, values: ['/nonexistent/values.yaml'], set: [] }))).toBe('--values /nonexistent/values.yaml: no such file');
    const app = classifyApp(CHART) as ChartApp;
    expect(errorOf(() => renderChart(app, { namespace: 'default', values: ['/nonexistent/values.yaml'], set: [] }))).toBe(
      `--app ${CHART}: helm template failed: open /nonexistent/values.yaml: no such file or directory`,
    );
    const bad = path.join(tmp, 'bad-values.yaml');
    writeFileSync(bad, 'replicas: [3\n');
    expect(errorOf(() => prepareApp({ path: CHART, values: [bad], set: [] }))).toMatch(/^--values .*bad-values\.yaml: malformed YAML: /);
  });

  it("the app's scenario file renders the chart with the CLI's --values and --set", async () => {
    const d = dir('named-chart');
    cpSync(CHART, d, { recursive: true });
    rmSync(path.join(d, 'stateful-e2e.yaml'));
    const f = path.join(d, 'templates', 'statefulset.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('  name: web\n', '  name: {{ .Values.name | default "web" }}\n'));
    const args = { values: [], set: ['name=db'] };
    const expected = prepareApp({ path: d, ...args });
    expect(expected.assertions[0]?.name).toMatch(/^\[A1\.1\] db: /);
    const key = Symbol.for('stateful-e2e.discovering');
    const g = globalThis as Record<symbol, unknown>;
    const declared = new Map<string, readonly DeclaredAssertion[]>();
    g[key] = declared;
    process.env[CONTEXT_ENV] = JSON.stringify({ app: { path: d, ...args } });
    try {
      await import('../src/app/check.e2e.ts');
      expect(declared.get('app-named-chart')?.map((x) => x.name)).toEqual(expected.assertions.map((x) => x.name));
    } finally {
      delete g[key];
      delete process.env[CONTEXT_ENV];
    }
  });

  it('the CLI: --app CHART --set … --list prints the plan, no cluster; a broken chart is one line, exit 2', async () => {
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [path.join(ROOT, 'bin', 'e2e.mjs'), ...args],
          { cwd: ROOT, env: { ...process.env, E2E_STATE_DIR: path.join(tmp, 'state') }, timeout: 60_000 },
          (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
        ),
      );
    const list = await cli(['--app', CHART, '--set', 'replicas=3', '--list']);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    // Three pods under the chart's preferred anti-affinity: K3, so that A7.2 has a node per pod.
    expect(list.stdout).toMatch(/^app-web-chart +K3 /);
    expect(list.stdout).toContain('check [A1.1] web: ');
    // --list here too: no cluster even if the chart rendered.
    const d = dir('cli-broken');
    cpSync(CHART, d, { recursive: true });
    writeFileSync(path.join(d, 'templates', 'broken.yaml'), 'kind: ConfigMap\nmetadata:\n  name: {{ .Values.replicas }\n');
    const bad = await cli(['--app', d, '--list']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr.trim()).toBe(`error: --app ${d}: helm template failed: parse error at (web-chart/templates/broken.yaml:3): unexpected "}" in operand`);
  });
});
