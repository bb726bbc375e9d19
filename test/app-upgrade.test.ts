/**
 * `--app A --upgrade-to B` (docs/app-guarantees.md §A8): what is decided before a cluster. Which StatefulSets B's
 * rollout updates and which get a rollout restart, what B must keep, what the upgrade deletes, when helm install and
 * helm upgrade apply exactly what the run would, helm's command lines and environment (a stand-in helm records them),
 * the plan (A8.1 checked, A8.2-A8.5 from B, every A8 check last), the options, and the check file declaring the same
 * assertions. No cluster; the chart cases need helm and are skipped, with the reason, without it.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubernetesObject, V1StatefulSet } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTEXT_ENV } from '../src/context.ts';
import type { DeclaredAssertion } from '../src/discovery.ts';
import { parseManifests } from '../src/manifests.ts';
import { parseOptions } from '../src/options.ts';
import { Timeline } from '../src/timeline.ts';
import { planGuarantees, templateChange, type GuaranteeCheck } from '../src/app/guarantees.ts';
import { findHelm, helmEnv, helmRelease, helmReleaseArgs } from '../src/app/helm.ts';
import { statefulSetsOf } from '../src/app/objects.ts';
import { appFixtureFiles, checkedStatefulSet, describePrepared, planLines, prepareApp, skipOf, upgradePlan } from '../src/app/prepare.ts';
import { checkUpgradeSets, comparedText, helmRefusal, prunedObjects, setUpgrades, updateText } from '../src/app/upgrade.ts';
import { factsOf } from '../src/app/objects.ts';
import { errorOf } from './one-line-error.ts';

const ROOT = path.join(import.meta.dirname, '..');
const WEB_APP = path.join(ROOT, 'examples', 'web-app');
const WEB_NEXT = path.join(ROOT, 'examples', 'web-app-next');
const CHART = path.join(ROOT, 'examples', 'web-chart');
const KV = path.join(import.meta.dirname, 'fixtures', 'apps', 'kv-parallel');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stateful-e2e-app-upgrade-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const objectsIn = (dir: string): KubernetesObject[] =>
  ['web.yaml', 'pdb.yaml'].flatMap((f) => parseManifests(readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f)));
const webOf = (objects: readonly KubernetesObject[]): V1StatefulSet => statefulSetsOf(objects)[0]!;
/** A copy of examples/web-app-next with `edit` applied to its web.yaml. */
const nextWith = (name: string, edit: (text: string) => string): string => {
  const d = path.join(tmp, name);
  cpSync(WEB_NEXT, d, { recursive: true });
  const f = path.join(d, 'web.yaml');
  const text = readFileSync(f, 'utf8');
  const edited = edit(text);
  expect(edited).not.toBe(text);
  writeFileSync(f, edited);
  return d;
};
const upgrade = (to: string, more: { upgradeValues?: string[]; upgradeSet?: string[] } = {}) =>
  prepareApp({ path: WEB_APP, values: [], set: [], upgradeTo: to, ...more });

describe('which StatefulSets the new version updates', () => {
  it("templateChange: the first path where B's pod template differs, or none", () => {
    const a = webOf(objectsIn(WEB_APP));
    expect(templateChange(a, a)).toBeUndefined();
    expect(templateChange(a, webOf(objectsIn(WEB_NEXT)))).toBe('spec.containers[0].env');
    // Not the template: replicas, the update strategy, an empty list against none.
    const b = structuredClone(a);
    b.spec!.replicas = 5;
    b.spec!.updateStrategy = { type: 'OnDelete' };
    b.spec!.template.spec!.volumes = [];
    expect(templateChange(a, b)).toBeUndefined();
    b.spec!.template.metadata!.annotations = { revision: '2' };
    expect(templateChange(a, b)).toBe('metadata.annotations');
  });

  it("setUpgrades, updateText and comparedText: B's rollout where it changes the template, a restart where it does not", () => {
    const a = objectsIn(WEB_APP);
    const [changed] = setUpgrades(statefulSetsOf(a), objectsIn(WEB_NEXT));
    expect(changed).toEqual({ name: 'web', templateChange: 'spec.containers[0].env' });
    expect(updateText(changed!, 'NEXT')).toBe('the upgrade to NEXT (it changes the pod template of web at spec.containers[0].env)');
    const [same] = setUpgrades(statefulSetsOf(a), a);
    expect(same).toEqual({ name: 'web' });
    expect(updateText(same!, 'NEXT')).toBe(
      'kubectl rollout restart sts/web after the upgrade to NEXT, which leaves the pod template of web as it is (so it would replace no pod)',
    );
    expect(comparedText(changed!, 'A', 'B')).toBe(
      "StatefulSet web in A and in B: no field that cannot change in place changes (spec.selector, spec.serviceName, spec.volumeClaimTemplates, spec.podManagementPolicy compared before anything was applied); its pod template changes (spec.containers[0].env), so the new version's rollout is the update of A8.2-A8.5",
    );
    expect(comparedText(same!, 'A', 'B')).toMatch(/its pod template does not change, so A8\.2-A8\.5 judge a rollout restart after the upgrade$/);
  });

  it('checkUpgradeSets: B keeps every checked StatefulSet, its replicas and first ordinal; one line otherwise', () => {
    const sets = statefulSetsOf(objectsIn(WEB_APP));
    expect(() => checkUpgradeSets('B', sets, objectsIn(WEB_NEXT))).not.toThrow();
    expect(
      errorOf(() =>
        checkUpgradeSets(
          'B',
          sets,
          objectsIn(WEB_NEXT).filter((o) => o.kind !== 'StatefulSet'),
        ),
      ),
    ).toBe(
      '--upgrade-to B: no StatefulSet web, which the run checks: the upgrade would delete it, and A8.2-A8.5 follow its pods through the update (leave it out with statefulSets in the profile)',
    );
    const more = objectsIn(WEB_NEXT);
    webOf(more).spec!.replicas = 3;
    expect(errorOf(() => checkUpgradeSets('B', sets, more))).toBe(
      '--upgrade-to B: StatefulSet web: replicas 2 → 3: A8.2-A8.5 follow each pod through the update, so the new version must keep its pods (scale in a step of its own)',
    );
    const shifted = objectsIn(WEB_NEXT);
    webOf(shifted).spec!.ordinals = { start: 1 };
    expect(errorOf(() => checkUpgradeSets('B', sets, shifted))).toMatch(/^--upgrade-to B: StatefulSet web: ordinals\.start 0 → 1: /);
  });
});

describe('what the upgrade deletes, and when helm applies it', () => {
  it('prunedObjects: what A has and B does not, by API group, kind and name (a new API version is the same object)', () => {
    const a = objectsIn(WEB_APP);
    expect(prunedObjects(a, objectsIn(WEB_NEXT))).toEqual([]);
    const noPdb = objectsIn(WEB_NEXT).filter((o) => o.kind !== 'PodDisruptionBudget');
    expect(prunedObjects(a, noPdb).map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['PodDisruptionBudget/web-pdb']);
    const beta = objectsIn(WEB_NEXT).map((o) => (o.kind === 'PodDisruptionBudget' ? { ...o, apiVersion: 'policy/v1beta1' } : o));
    expect(prunedObjects(a, beta)).toEqual([]);
    // A core Service is not an object of another group with the same kind and name.
    const other = objectsIn(WEB_NEXT).map((o) => (o.kind === 'Service' ? { ...o, apiVersion: 'example.com/v1' } : o));
    expect(prunedObjects(a, other).map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(['v1 Service']);
  });

  it('helmRefusal: helm is used only when it applies exactly what the run would', () => {
    const objs = objectsIn(WEB_APP);
    expect(helmRefusal(objs, [], 'run-ns')).toBeUndefined();
    expect(
      helmRefusal(
        objs.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'run-ns' } })),
        [],
        'run-ns',
      ),
    ).toBeUndefined();
    expect(helmRefusal([...objs, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], [], 'run-ns')).toBe(
      "the chart renders Namespace shop, which the run leaves out (the app runs in the run's own namespace)",
    );
    expect(helmRefusal([{ ...objs[0]!, metadata: { name: 'nginx', namespace: 'default' } }], [], 'run-ns')).toBe(
      "Service/nginx names namespace default, where helm would install it (outside the run's namespace)",
    );
    expect(helmRefusal(objs, [{ object: 'StatefulSet/web container nginx', change: 'image a -> b (image map)' }], 'run-ns')).toBe(
      'the run changes what the chart renders (StatefulSet/web container nginx: image a -> b (image map)), and helm v4 takes a post-renderer only as a plugin, not an executable, so helm cannot apply that change',
    );
  });

  it('helmReleaseArgs: install, then upgrade with exactly the values given; helm does not wait for the objects', () => {
    const o = { release: 'web-chart', chart: '/c', values: ['/v.yaml'], set: ['a=b'] };
    expect(helmReleaseArgs('install', o)).toEqual([
      'install',
      'web-chart',
      '/c',
      '--wait=hookOnly',
      '--timeout',
      '300s',
      '--values',
      '/v.yaml',
      '--set',
      'a=b',
    ]);
    expect(helmReleaseArgs('upgrade', { ...o, set: [] })).toEqual([
      'upgrade',
      'web-chart',
      '/c',
      '--wait=hookOnly',
      '--timeout',
      '300s',
      '--reset-values',
      '--force-conflicts',
      '--values',
      '/v.yaml',
    ]);
  });

  it("helmEnv: nothing that points helm elsewhere than the run's kubeconfig; the release record a Secret in its namespace", () => {
    expect(helmEnv({ PATH: '/bin', HELM_KUBECONTEXT: 'prod', HELM_KUBETOKEN: 't', HELM_DRIVER: 'sql', HELM_CACHE_HOME: '/c', X: undefined })).toEqual({
      PATH: '/bin',
      HELM_CACHE_HOME: '/c',
      HELM_DRIVER: 'secret',
    });
  });

  it('helmRelease: runs helm in the run namespace with the run kubeconfig, records it, and says a failure in one line', async () => {
    const d = path.join(tmp, 'fake-helm');
    mkdirSync(d);
    const log = path.join(d, 'argv');
    const helm = path.join(d, 'helm');
    writeFileSync(
      helm,
      `#!/bin/sh\necho "$* DRIVER=$HELM_DRIVER CONTEXT=\${HELM_KUBECONTEXT:-none}" > ${log}\nif [ "$1" = upgrade ]; then echo 'Error: UPGRADE FAILED: conflict' >&2; exit 1; fi\necho 'STATUS: deployed'\n`,
    );
    chmodSync(helm, 0o755);
    const env = { PATH: process.env.PATH, E2E_HELM: helm, HELM_KUBECONTEXT: 'prod' };
    const w = { ctx: { kubeconfig: '/run/kubeconfig' }, ns: 'app-web-1', timeline: new Timeline() };
    await helmRelease(w, ['install', 'web-chart', '/c'], env);
    expect(readFileSync(log, 'utf8').trim()).toBe('install web-chart /c --namespace app-web-1 --kubeconfig /run/kubeconfig DRIVER=secret CONTEXT=none');
    expect(w.timeline.entries.map((e) => e.text)).toEqual([expect.stringMatching(/^helm install web-chart \/c: exit 0 \(/), 'STATUS: deployed']);
    await expect(helmRelease(w, ['upgrade', 'web-chart', '/c'], env)).rejects.toThrow(/^helm upgrade web-chart \/c exited 1: UPGRADE FAILED: conflict$/);
  });
});

describe('the plan with --upgrade-to', () => {
  it('examples/web-app → examples/web-app-next: A8.1 checked, A8.2 and A8.5 judged on the new version', () => {
    const a = upgrade(WEB_NEXT);
    expect(a.upgrade?.path).toBe(WEB_NEXT);
    expect(a.upgrade?.sets).toEqual([{ name: 'web', templateChange: 'spec.containers[0].env' }]);
    const by = (id: string) => a.assertions.find((x) => x.id === id)!;
    expect(by('A8.1').skip).toBeUndefined();
    expect(by('A8.2').skip).toBeUndefined();
    expect(by('A8.5').skip).toBeUndefined();
    expect(checkedStatefulSet(a, by('A8.2').check)?.spec?.template.spec?.containers[0]?.env).toEqual([{ name: 'WEB_APP_VERSION', value: '2' }]);
    expect(checkedStatefulSet(a, by('A1.1').check)?.spec?.template.spec?.containers[0]?.env).toBeUndefined();
    expect(planLines(a)).toContain(
      'check [A8.1] web: a change to an immutable field is reported before anything is applied: before a new version is applied, a change to spec.selector, spec.serviceName, spec.volumeClaimTemplates, spec.podManagementPolicy of StatefulSet web is reported in one line naming the field, and nothing is applied',
    );
    expect(describePrepared(a)).toContain(
      `; upgrade to ${WEB_NEXT}: no StatefulSet field that cannot change in place changes; the update of A8.2-A8.5 is the upgrade to ${WEB_NEXT} (it changes the pod template of web at spec.containers[0].env)`,
    );
    // Without --upgrade-to, A8.1 says what to give.
    const plain = prepareApp({ path: WEB_APP, values: [], set: [] });
    expect(plain.assertions.find((x) => x.id === 'A8.1')?.skip).toBe('no new version given: --upgrade-to PATH');
    expect(plain.upgrade).toBeUndefined();
  });

  it('skipOf: A8.1 runs only with an upgrade', () => {
    const a = upgrade(WEB_NEXT);
    const c = a.checks.find((x) => x.id === 'A8.1')!;
    const f = factsOf(a.statefulSets[0]!);
    expect(skipOf(c, f)).toBe('no new version given: --upgrade-to PATH');
    expect(skipOf(c, f, true)).toBeUndefined();
  });

  it('the same version again: no template change, so a rollout restart is the update, and the plan says so', () => {
    const a = upgrade(WEB_APP);
    expect(a.upgrade?.sets).toEqual([{ name: 'web' }]);
    expect(describePrepared(a)).toContain('the update of A8.2-A8.5 is kubectl rollout restart sts/web after the upgrade to');
  });

  it('upgradePlan: A8.2-A8.5 as the new version declares them, every A8 check after every other one', () => {
    const objs = [...objectsIn(WEB_APP), ...parseManifests(readFileSync(path.join(KV, 'kv.yaml'), 'utf8'), 'kv.yaml')];
    const checks = planGuarantees(objs);
    const next = structuredClone(objs);
    webOf(next).spec!.updateStrategy = { type: 'OnDelete' };
    const plan = upgradePlan(checks, planGuarantees(next));
    const key = (c: GuaranteeCheck) => `${c.id}/${c.statefulSet}`;
    expect(plan.map(key).sort()).toEqual(checks.map(key).sort());
    const firstA8 = plan.findIndex((c) => c.id.startsWith('A8.'));
    expect(plan.slice(0, firstA8).every((c) => !c.id.startsWith('A8.'))).toBe(true);
    expect(plan.slice(firstA8).every((c) => c.id.startsWith('A8.'))).toBe(true);
    const at = (id: string, set: string) => plan.find((c) => c.id === id && c.statefulSet === set)!;
    expect(at('A8.4', 'web').applies).toBe(true);
    expect(at('A8.2', 'web').applies).toBe(false);
    expect(at('A2.1', 'web')).toEqual(checks.find((c) => c.id === 'A2.1' && c.statefulSet === 'web'));
    expect(upgradePlan(checks)).toEqual(checks);
  });

  it('bad upgrades are one line naming --upgrade-to: a StatefulSet gone, other replicas, a profile that no longer fits', () => {
    const noWeb = path.join(tmp, 'no-web');
    cpSync(WEB_NEXT, noWeb, { recursive: true });
    rmSync(path.join(noWeb, 'web.yaml'));
    writeFileSync(path.join(noWeb, 'other.yaml'), readFileSync(path.join(WEB_NEXT, 'web.yaml'), 'utf8').replace(/^ {2}name: web$/m, '  name: other'));
    expect(errorOf(() => upgrade(noWeb))).toMatch(new RegExp(`^--upgrade-to ${noWeb}: no StatefulSet web, which the run checks: `));
    expect(errorOf(() => upgrade(nextWith('three', (t) => t.replace('replicas: 2', 'replicas: 3'))))).toMatch(/: StatefulSet web: replicas 2 → 3: /);
    const renamed = nextWith('renamed', (t) => t.replace('- name: nginx\n', '- name: web-server\n'));
    expect(errorOf(() => upgrade(renamed))).toBe(
      `--upgrade-to ${renamed}: ${path.join(WEB_APP, 'stateful-e2e.yaml')}: datum.exec.container: no container 'nginx' in StatefulSet web (it has: web-server)`,
    );
    expect(errorOf(() => upgrade('/nonexistent/next'))).toBe('--upgrade-to /nonexistent/next: no such file or directory');
  });

  it('--upgrade-values and --upgrade-set go with a chart only', () => {
    expect(errorOf(() => upgrade(WEB_NEXT, { upgradeSet: ['a=b'] }))).toBe(
      `--upgrade-set: only a Helm chart takes values; --upgrade-to ${WEB_NEXT} is plain manifests`,
    );
  });

  it("appFixtureFiles: the new version's files too (their images must be on the nodes before the upgrade)", () => {
    const files = appFixtureFiles({ path: WEB_APP, values: [], set: [], upgradeTo: WEB_NEXT }, {});
    expect(files.map((f) => (path.isAbsolute(f.file) ? path.relative(ROOT, f.file) : f.file))).toEqual([
      'examples/web-app/pdb.yaml',
      'examples/web-app/web.yaml',
      'stateful-e2e/dns-probe.yaml',
      'examples/web-app-next/pdb.yaml',
      'examples/web-app-next/web.yaml',
    ]);
  });

  it('the check file declares the same assertions from the run context, the A8 checks on the new version', async () => {
    const a = upgrade(WEB_NEXT);
    const key = Symbol.for('stateful-e2e.discovering');
    const g = globalThis as Record<symbol, unknown>;
    const declared = new Map<string, readonly DeclaredAssertion[]>();
    g[key] = declared;
    process.env[CONTEXT_ENV] = JSON.stringify({ app: { path: WEB_APP, values: [], set: [], upgradeTo: WEB_NEXT, upgradeValues: [], upgradeSet: [] } });
    try {
      await import('../src/app/check.e2e.ts');
      expect(declared.get('app-web-app')?.map((x) => x.name)).toEqual(a.assertions.map((x) => x.name));
    } finally {
      delete g[key];
      delete process.env[CONTEXT_ENV];
    }
  });
});

describe('options: --upgrade-values and --upgrade-set', () => {
  it('take values for --upgrade-to, paths made absolute', () => {
    const o = parseOptions(['--app', 'c', '--upgrade-to', 'c', '--upgrade-values', 'v.yaml', '--upgrade-set', 'a=b', '--list'], ROOT, {});
    expect(o.app).toMatchObject({ upgradeTo: path.resolve('c'), upgradeValues: [path.resolve('v.yaml')], upgradeSet: ['a=b'] });
  });
  it('only with --upgrade-to, and that only with --app', () => {
    expect(() => parseOptions(['--app', 'c', '--upgrade-set', 'a=b'], ROOT, {})).toThrow(
      '--upgrade-set goes with --upgrade-to PATH (the version they are values of)',
    );
    expect(() => parseOptions(['--upgrade-values', 'v.yaml'], ROOT, {})).toThrow('--upgrade-values goes with --app PATH (the app it describes)');
  });
});

const HELM = (() => {
  try {
    return findHelm();
  } catch {
    return undefined;
  }
})();
if (!HELM) console.warn('app-upgrade.test.ts: chart cases skipped: no helm (build it with `bash ci/build-helm.sh`)');

describe.skipIf(!HELM)('a chart upgraded to itself with other values (needs helm)', () => {
  it('--upgrade-to the same chart with --upgrade-set podAnnotations.revision=2 changes the pod template', () => {
    const a = prepareApp({ path: CHART, values: [], set: [], upgradeTo: CHART, upgradeSet: ['podAnnotations.revision=2'] });
    expect(a.upgrade?.chartArgs).toEqual({ values: [], set: ['podAnnotations.revision=2'] });
    expect(a.upgrade?.sets).toEqual([{ name: 'web', templateChange: 'metadata.annotations' }]);
    expect(webOf(a.upgrade!.objects).spec?.template.metadata?.annotations).toEqual({ revision: '2' });
    // Without podAnnotations the chart renders web-app's StatefulSet, annotations and all.
    expect(webOf(a.objects).spec?.template.metadata?.annotations).toBeUndefined();
    expect(prepareApp({ path: CHART, values: [], set: [], upgradeTo: CHART }).upgrade?.sets).toEqual([{ name: 'web' }]);
  });
  it('--upgrade-values and --upgrade-set: their files and syntax are checked, in one line naming the flag', () => {
    expect(errorOf(() => prepareApp({ path: CHART, values: [], set: [], upgradeTo: CHART, upgradeValues: ['/nonexistent/v.yaml'] }))).toBe(
      '--upgrade-values /nonexistent/v.yaml: no such file',
    );
    expect(errorOf(() => prepareApp({ path: CHART, values: [], set: [], upgradeTo: CHART, upgradeSet: ['novalue'] }))).toBe(
      '--upgrade-set novalue: expected key=value (or key=value,key2=value2)',
    );
  });
  it("--set applies to both versions, --upgrade-set only to the new one; another chart is rendered as the first chart's release", () => {
    const other = path.join(tmp, 'web-chart-renamed');
    cpSync(CHART, other, { recursive: true });
    const meta = path.join(other, 'Chart.yaml');
    writeFileSync(meta, readFileSync(meta, 'utf8').replace('name: web-chart', 'name: shop'));
    const f = path.join(other, 'templates', 'statefulset.yaml');
    writeFileSync(
      f,
      readFileSync(f, 'utf8').replace('      labels:\n        app: nginx\n', '      labels:\n        app: nginx\n        release: {{ .Release.Name }}\n'),
    );
    const a = prepareApp({ path: CHART, values: [], set: ['replicas=3'], upgradeTo: other });
    expect(webOf(a.upgrade!.objects).spec?.replicas).toBe(3);
    expect(webOf(a.upgrade!.objects).spec?.template.metadata?.labels).toEqual({ app: 'nginx', release: 'web-chart' });
  });
});
