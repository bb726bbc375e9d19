/**
 * `--app PATH [--profile FILE]`: the app made ready to check, before any cluster exists. The CLI calls prepareApp to
 * reject bad input in one line (exit 2) and to build the one scenario that checks the app (the generic
 * check.e2e.ts beside this file, named `app-<basename>`); that scenario file calls it again in its vitest worker,
 * from the app, profile, --values and --set of the RunContext. Plain manifests
 * are read here, a kustomization is rendered with `kubectl kustomize` and a Helm chart with `helm template` (helm.ts),
 * both local, no cluster.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject, V1StatefulSet } from '@kubernetes/client-node';
import { HarnessError, errorMessage } from '../errors.ts';
import { aliasScenarioFile, type DiscoveredScenario } from '../discovery.ts';
import { applyOverlays, parseManifests } from '../manifests.ts';
import type { ClusterProfile } from '../providers/provider.ts';
import type { FixtureFile } from '../validate.ts';
import { checkUpgrade, formatCheck, planGuarantees, type GuaranteeCheck } from './guarantees.ts';
import { chartFile, renderChart } from './helm.ts';
import { checkChartArgs, classifyApp, describeApp, objectsFromRendered, renderCommand, selectStatefulSets, type AppInput, type ChartArgs } from './input.ts';
import { factsOf, nameOf, statefulSetsOf, type StatefulSetFacts } from './objects.ts';
import { findProfile, loadProfile, type AppProfile } from './profile.ts';
import { DNS_PROBE_FILE, dnsProbePod } from './dns-probe.ts';

/** `--app` and what goes with it, as given on the command line (paths absolute). */
export interface AppArgs extends ChartArgs {
  readonly path: string;
  /** --profile FILE; once prepared, the profile file in use (given, or found beside the app). */
  readonly profile?: string;
  /** --upgrade-to PATH: the app's next version, checked against this one before anything is applied. */
  readonly upgradeTo?: string;
}

/** The generic scenario file that checks an app: `check.e2e.ts` in the repository, `check.e2e.js` in the package. */
export const CHECK_FILE = path.join(import.meta.dirname, `check.e2e${path.extname(import.meta.filename)}`);

/** The guarantees check.e2e.ts checks on a cluster so far; every other one is reported skipped, with the reason. */
export const CHECKED: readonly string[] = [
  'A1.1',
  'A1.2',
  'A1.3',
  'A2.1',
  'A2.2',
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
  'A7.2',
  'A8.2',
  'A8.3',
  'A8.4',
  'A8.5',
];

/**
 * Why an assertion is skipped on every provider, or undefined when it runs (then only its `needs` can still skip
 * it): it does not apply to the app, this version does not check it yet, or the StatefulSet has too few pods to
 * show it.
 */
export function skipOf(c: GuaranteeCheck, f: StatefulSetFacts): string | undefined {
  if (!c.applies) return `not applicable${c.finding ? ' (check the manifests)' : ''}: ${c.reason}`;
  if (c.id === 'A8.1') return 'no new version of the app to compare with: --app does not take one yet';
  if (!CHECKED.includes(c.id)) return 'not checked yet: this version of --app does not implement it';
  if (c.id === 'A8.5' && f.updateStrategy === 'OnDelete')
    return 'not checked yet: with OnDelete the pods must be deleted one by one under the ledger, which this version does not do (A8.4 checks the update itself)';
  if (f.replicas === 0) return `${f.name} has replicas 0: no pod to check`;
  if (f.replicas === 1 && (c.id === 'A2.1' || c.id === 'A2.2' || c.id === 'A2.3'))
    return `${f.name} has 1 replica: there is no second pod, so no ${c.id === 'A2.3' ? 'parallel start or stop' : 'order'} to show`;
  return undefined;
}

/** One reported assertion: a guarantee for one StatefulSet. */
export interface AppAssertion {
  /** The guarantee ID, with `/<set>` when the app has several StatefulSets to check (IDs stay unique). */
  readonly id: string;
  /** `<set>: <guarantee title>`. */
  readonly title: string;
  /** `[id] title`, the reported test name. */
  readonly name: string;
  readonly check: GuaranteeCheck;
  /** Skipped with this reason on every provider (skipOf), or undefined: it runs where its needs are met. */
  readonly skip?: string;
}

export interface PreparedApp {
  /** The scenario name: `app-<basename of the app>`, as a DNS label. */
  readonly name: string;
  readonly path: string;
  readonly input: AppInput;
  /** --upgrade-to: the next version, found to change no field that cannot change in place. */
  readonly upgradeTo?: string;
  /** Every object of the app, Namespaces left out (the app runs in the scenario's own namespace). */
  readonly objects: readonly KubernetesObject[];
  /** Namespace objects of the app that are not applied. */
  readonly namespacesLeftOut: readonly string[];
  readonly profile?: AppProfile;
  readonly profileFile?: string;
  /** The StatefulSets checked (the profile's, else all). */
  readonly statefulSets: readonly V1StatefulSet[];
  readonly checks: readonly GuaranteeCheck[];
  readonly assertions: readonly AppAssertion[];
  readonly clusterProfile: ClusterProfile['name'];
  /** Why that cluster profile, in a few words. */
  readonly clusterProfileWhy: string;
}

/** `app-<basename>` (extension dropped for a file), lowercase letters, digits and '-', at most 30 characters. */
export function appScenarioName(appPath: string): string {
  const base = path
    .basename(appPath)
    .replace(/\.(?:ya?ml|json|tgz|tar\.gz)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 26)
    .replace(/^-+|-+$/g, '');
  return base ? `app-${base}` : 'app';
}

/**
 * The namespace a kustomization or a chart is rendered for. The run applies every object into its own namespace, and
 * rewrites `<service>.default.svc.cluster.local` names in the containers' env to it (applyOverlays).
 */
export const RENDER_NAMESPACE = 'default';

/** The objects of a kustomization (`kubectl kustomize DIR`), or one line saying why not. */
function renderKustomization(app: Extract<AppInput, { kind: 'kustomization' }>): KubernetesObject[] {
  const cmd = renderCommand(app, { release: 'app', namespace: RENDER_NAMESPACE, values: [], set: [] })!;
  let stdout: string;
  try {
    stdout = execFileSync(cmd.command, [...cmd.args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new HarnessError(`--app ${app.path}: a kustomization is rendered with \`kubectl kustomize\`, and kubectl is not installed`);
    const first = (e.stderr ?? '').trim().split('\n')[0] || errorMessage(err).split('\n')[0];
    throw new HarnessError(`--app ${app.path}: kubectl kustomize failed: ${first}`);
  }
  return objectsFromRendered(app, stdout);
}

/**
 * The cluster shape: K2, or K3 when a StatefulSet with required (A7.1) or preferred (A7.2) spread has more than 2
 * replicas, so that each of its pods can have a node of its own.
 */
export function clusterProfileFor(checks: readonly GuaranteeCheck[], sets: readonly V1StatefulSet[]): { name: ClusterProfile['name']; why: string } {
  const spread = sets.map(factsOf).filter((f) => checks.some((c) => (c.id === 'A7.1' || c.id === 'A7.2') && c.applies && c.statefulSet === f.name));
  const widest = spread.reduce<ReturnType<typeof factsOf> | undefined>((a, f) => (!a || f.replicas > a.replicas ? f : a), undefined);
  if (!widest || widest.replicas <= 2) return { name: 'K2', why: '2 workers' };
  return {
    name: 'K3',
    why: `3 workers: StatefulSet ${widest.name} spreads ${widest.replicas} pods${widest.replicas > 3 ? ' (more than 3: the surplus pods stay Pending, which A7.1 checks)' : ''}`,
  };
}

/** The reported assertions, in plan order (per StatefulSet, catalogue order). */
export function appAssertions(checks: readonly GuaranteeCheck[], objects: readonly KubernetesObject[]): AppAssertion[] {
  const several = new Set(checks.map((c) => c.statefulSet)).size > 1;
  const facts = new Map(statefulSetsOf(objects).map((s) => [nameOf(s), factsOf(s)]));
  return checks.map((check) => {
    const id = several ? `${check.id}/${check.statefulSet}` : check.id;
    const title = `${check.statefulSet}: ${check.title}`;
    const f = facts.get(check.statefulSet);
    const skip = f ? skipOf(check, f) : `no StatefulSet ${check.statefulSet}`;
    return { id, title, name: `[${id}] ${title}`, check, ...(skip !== undefined && { skip }) };
  });
}

/** Every object of the app: the manifests as read, or the kustomization or chart rendered (one line if it fails). */
function appObjects(input: AppInput, args: ChartArgs): KubernetesObject[] {
  switch (input.kind) {
    case 'manifests':
      return [...input.objects];
    case 'kustomization':
      return renderKustomization(input);
    case 'chart':
      return renderChart(input, { namespace: RENDER_NAMESPACE, values: args.values, set: args.set });
  }
}

/**
 * The objects of `--upgrade-to PATH`, read like `--app` (a chart with the same --values and --set); its errors name
 * --upgrade-to.
 */
function upgradeObjects(upgradePath: string, args: ChartArgs): KubernetesObject[] {
  try {
    const input = classifyApp(upgradePath);
    return appObjects(input, input.kind === 'chart' ? args : { values: [], set: [] }).filter((o) => !(o.kind === 'Namespace' && o.apiVersion === 'v1'));
  } catch (err) {
    if (err instanceof HarnessError && err.message.startsWith('--app ')) throw new HarnessError(`--upgrade-to ${err.message.slice('--app '.length)}`);
    throw err;
  }
}

/**
 * Everything about `--app` that can be wrong without a cluster, in one HarnessError line: the path, --values and
 * --set, the rendering of a kustomization or a chart (no kubectl or helm, or their own first error line), the
 * profile, and the profile against the app (a StatefulSet it does not have, …). Then the plan: which guarantee
 * applies to which StatefulSet.
 */
export function prepareApp(args: AppArgs): PreparedApp {
  const input = classifyApp(args.path);
  checkChartArgs(input, args);
  const all = appObjects(input, args);
  const namespacesLeftOut = all.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1').map(nameOf);
  const objects = all.filter((o) => !(o.kind === 'Namespace' && o.apiVersion === 'v1'));
  const profileFile = findProfile(args.path, args.profile);
  const profile = profileFile ? loadProfile(profileFile) : undefined;
  const statefulSets = selectStatefulSets(args.path, objects, profile);
  if (args.upgradeTo !== undefined) checkUpgrade(objects, upgradeObjects(args.upgradeTo, args));
  const checks = planGuarantees(objects, profile);
  const cp = clusterProfileFor(checks, statefulSets);
  return {
    name: appScenarioName(args.path),
    path: args.path,
    input,
    ...(args.upgradeTo !== undefined && { upgradeTo: args.upgradeTo }),
    objects,
    namespacesLeftOut,
    ...(profile && { profile }),
    ...(profileFile && { profileFile }),
    statefulSets,
    checks,
    assertions: appAssertions(checks, objects),
    clusterProfile: cp.name,
    clusterProfileWhy: cp.why,
  };
}

/** The directory the app lives in: reports name it as the fixtures root. */
export const appDir = (appPath: string): string => (statSync(appPath).isDirectory() ? appPath : path.dirname(appPath));

/**
 * The scenario the CLI runs for the app, built directly (not discovered): the generic check file, the app as its
 * fixtures root. Reports name it `app-<basename>`, not after the check file's own name.
 */
export function appScenario(app: PreparedApp): DiscoveredScenario {
  aliasScenarioFile(CHECK_FILE, app.name);
  return {
    name: app.name,
    profile: app.clusterProfile,
    source: app.path,
    summary: `the guarantees of docs/app-guarantees.md on ${describeApp(app.input)} (StatefulSet ${app.statefulSets.map(nameOf).join(', ')})`,
    // The app's objects are checked (dry run) and their images loaded by the runner through appFixtureFiles.
    fixtures: [],
    // A5.2 and A5.4 drain the nodes of the pods: on --provider existing only with --allow-disruptive, and alone in its cluster.
    ...(app.assertions.some((a) => (a.check.id === 'A5.2' || a.check.id === 'A5.4') && a.skip === undefined) && { disruptive: true }),
    assertions: app.assertions.map((a) => ({ id: a.id, name: a.name, after: [] })),
    file: CHECK_FILE,
    fixturesRoot: appDir(app.path),
    builtIn: false,
  };
}

/** One line for the run's log: what the app is, its profile, what is checked. */
export function describePrepared(app: PreparedApp): string {
  const applying = app.checks.filter((c) => c.applies).length;
  const running = app.assertions.filter((a) => a.skip === undefined).length;
  return (
    `--app ${app.path}: ${describeApp(app.input)}; profile ${app.profileFile ?? 'none (every guarantee that needs no datum)'}; ` +
    `StatefulSet ${app.statefulSets.map(nameOf).join(', ')}; ${app.checks.length} assertions: ${applying} apply, ${running} checked here, the rest reported skipped with the reason; ` +
    `cluster ${app.clusterProfile} (${app.clusterProfileWhy})` +
    (app.namespacesLeftOut.length ? `; Namespace ${app.namespacesLeftOut.join(', ')} not applied (the app runs in the run's own namespace)` : '') +
    (app.upgradeTo !== undefined
      ? `; upgrade to ${app.upgradeTo}: no StatefulSet field that cannot change in place changes (the upgrade itself is not run on a cluster yet)`
      : '')
  );
}

/**
 * `--list` for an app: one line per guarantee and StatefulSet, `check` (with what it needs beyond the API: kwok
 * skips those) or `skip` with the reason.
 */
export const planLines = (app: PreparedApp): string[] =>
  app.assertions.map((a) =>
    a.skip !== undefined
      ? `skip  [${a.id}] ${a.title}: ${a.skip}`
      : `check ${formatCheck(a.check).replace(`[${a.check.id}]`, `[${a.id}]`)}${a.check.needs.length ? ` (needs ${a.check.needs.join(', ')})` : ''}`,
  );

/**
 * The app's objects as the runner checks them before the first step (server-side dry run) and takes their images
 * from (kind): per manifest file, or the rendered kustomization or chart, with the same overlays as every fixture.
 */
export function appFixtureFiles(args: AppArgs, imageMap: Readonly<Record<string, string>>): FixtureFile[] {
  const input = classifyApp(args.path);
  const overlay = (objects: readonly KubernetesObject[]): KubernetesObject[] =>
    applyOverlays(
      objects.filter((o) => !(o.kind === 'Namespace' && o.apiVersion === 'v1')),
      { namespace: 'default', imageMap, pullPolicyOverlay: true },
    ).objects;
  // A1.3's helper pod goes with the app's files: its image is loaded with theirs, and it is dry-run with them.
  return [...appFiles(input, args, overlay), { file: DNS_PROBE_FILE, objects: overlay([dnsProbePod()]) }];
}

function appFiles(input: AppInput, args: AppArgs, overlay: (objects: readonly KubernetesObject[]) => KubernetesObject[]): FixtureFile[] {
  switch (input.kind) {
    case 'manifests':
      return input.files.map((file) => {
        let objects: KubernetesObject[] = [];
        try {
          objects = parseManifests(readFileSync(file, 'utf8'), file);
        } catch {
          // a file with only comments: nothing to check
        }
        return { file, objects: overlay(objects) };
      });
    case 'kustomization':
      return [{ file: input.file, objects: overlay(renderKustomization(input)) }];
    case 'chart':
      return [{ file: chartFile(input), objects: overlay(appObjects(input, args)) }];
  }
}

/** The StatefulSet objects the app declares, by name. */
export const appStatefulSet = (app: Pick<PreparedApp, 'objects'>, name: string): V1StatefulSet | undefined =>
  statefulSetsOf(app.objects).find((s) => nameOf(s) === name);
