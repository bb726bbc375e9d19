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
import { chartFile, releaseName, renderChart } from './helm.ts';
import {
  UPGRADE_FLAGS,
  checkChartArgs,
  classifyApp,
  describeApp,
  objectsFromRendered,
  renderCommand,
  selectStatefulSets,
  type AppInput,
  type ChartArgs,
} from './input.ts';
import { factsOf, nameOf, statefulSetsOf, type StatefulSetFacts } from './objects.ts';
import { findProfile, loadProfile, type AppProfile } from './profile.ts';
import { DNS_PROBE_FILE, dnsProbePod } from './dns-probe.ts';
import { checkUpgradeSets, setUpgrades, updateText, type SetUpgrade } from './upgrade.ts';

/** `--app` and what goes with it, as given on the command line (paths absolute). */
export interface AppArgs extends ChartArgs {
  readonly path: string;
  /** --profile FILE; once prepared, the profile file in use (given, or found beside the app). */
  readonly profile?: string;
  /**
   * --upgrade-to PATH: the app's next version, checked against this one before anything is applied, then the update
   * of A8.2-A8.5.
   */
  readonly upgradeTo?: string;
  /** --upgrade-values, --upgrade-set: a chart's values for --upgrade-to only, after --values and --set. */
  readonly upgradeValues?: readonly string[];
  readonly upgradeSet?: readonly string[];
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
  'A8.1',
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
export function skipOf(c: GuaranteeCheck, f: StatefulSetFacts, upgrading = false): string | undefined {
  if (!c.applies) return `not applicable${c.finding ? ' (check the manifests)' : ''}: ${c.reason}`;
  if (c.id === 'A8.1' && !upgrading) return 'no new version given: --upgrade-to PATH';
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

/** The guarantees that judge the update itself: with --upgrade-to, planned and checked on the new version's StatefulSet. */
export const UPDATE_CHECKS: readonly string[] = ['A8.2', 'A8.3', 'A8.4', 'A8.5'];

/** --upgrade-to, prepared: the next version, found to change no field that cannot change in place. */
export interface PreparedUpgrade {
  readonly path: string;
  readonly input: AppInput;
  /** A chart's values: --values then --upgrade-values, --set then --upgrade-set. */
  readonly chartArgs: ChartArgs;
  /** Its objects, rendered as the app's are (Namespaces left out). */
  readonly objects: readonly KubernetesObject[];
  /** Per checked StatefulSet: whether the new version changes its pod template (else a rollout restart is the update). */
  readonly sets: readonly SetUpgrade[];
}

export interface PreparedApp {
  /** The scenario name: `app-<basename of the app>`, as a DNS label. */
  readonly name: string;
  readonly path: string;
  readonly input: AppInput;
  /** A chart's --values and --set. */
  readonly chartArgs: ChartArgs;
  readonly upgrade?: PreparedUpgrade;
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

/**
 * The reported assertions, in plan order (per StatefulSet, catalogue order). With an upgrade (`next`: its objects),
 * A8.2-A8.5 are judged on the new version's StatefulSet.
 */
export function appAssertions(checks: readonly GuaranteeCheck[], objects: readonly KubernetesObject[], next?: readonly KubernetesObject[]): AppAssertion[] {
  const several = new Set(checks.map((c) => c.statefulSet)).size > 1;
  const factsIn = (objs: readonly KubernetesObject[]) => new Map(statefulSetsOf(objs).map((s) => [nameOf(s), factsOf(s)]));
  const facts = factsIn(objects);
  const nextFacts = next ? factsIn(next) : undefined;
  return checks.map((check) => {
    const id = several ? `${check.id}/${check.statefulSet}` : check.id;
    const title = `${check.statefulSet}: ${check.title}`;
    const f = (nextFacts && UPDATE_CHECKS.includes(check.id) ? nextFacts : facts).get(check.statefulSet);
    const skip = f ? skipOf(check, f, next !== undefined) : `no StatefulSet ${check.statefulSet}`;
    return { id, title, name: `[${id}] ${title}`, check, ...(skip !== undefined && { skip }) };
  });
}

/**
 * Every object of the app: the manifests as read, or the kustomization or chart rendered (one line if it fails). A
 * chart is rendered as `release` (default: named after the chart).
 */
function appObjects(input: AppInput, args: ChartArgs, release?: string): KubernetesObject[] {
  switch (input.kind) {
    case 'manifests':
      return [...input.objects];
    case 'kustomization':
      return renderKustomization(input);
    case 'chart':
      return renderChart(input, { namespace: RENDER_NAMESPACE, values: args.values, set: args.set, ...(release && { release }) });
  }
}

/** The Helm release of a chart app (its chart's name), which an upgrade to another chart keeps. */
export const appRelease = (input: AppInput): string | undefined => (input.kind === 'chart' ? releaseName(input.chart.name) : undefined);

const notNamespace = (o: KubernetesObject): boolean => !(o.kind === 'Namespace' && o.apiVersion === 'v1');

/** Runs `f` with its errors said of `--upgrade-to PATH` (they are about the new version). */
function ofUpgrade<T>(upgradePath: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof HarnessError) || err.message.startsWith('--upgrade')) throw err;
    if (err.message.startsWith('--app ')) throw new HarnessError(`--upgrade-to ${err.message.slice('--app '.length)}`);
    throw new HarnessError(`--upgrade-to ${upgradePath}: ${err.message}`);
  }
}

/**
 * `--upgrade-to PATH`, read like `--app`: a chart with --values then --upgrade-values and --set then --upgrade-set,
 * rendered as the app's release when the app is a chart too (helm upgrade keeps the release name).
 */
function readUpgrade(args: AppArgs & { readonly upgradeTo: string }, app: AppInput): { input: AppInput; chartArgs: ChartArgs; objects: KubernetesObject[] } {
  return ofUpgrade(args.upgradeTo, () => {
    const input = classifyApp(args.upgradeTo);
    checkChartArgs(input, { values: args.upgradeValues ?? [], set: args.upgradeSet ?? [] }, UPGRADE_FLAGS);
    const chartArgs =
      input.kind === 'chart'
        ? { values: [...args.values, ...(args.upgradeValues ?? [])], set: [...args.set, ...(args.upgradeSet ?? [])] }
        : { values: [], set: [] };
    return { input, chartArgs, objects: appObjects(input, chartArgs, appRelease(app)).filter(notNamespace) };
  });
}

/**
 * The plan with an upgrade (`next`: the new version's plan): A8.2-A8.5 as the new version declares them (its update
 * strategy, partition and minReadySeconds govern its own rollout), and every A8 check after every other one, since
 * the upgrade updates every StatefulSet of the app at once. Without one, the plan as it is.
 */
export function upgradePlan(checks: readonly GuaranteeCheck[], next?: readonly GuaranteeCheck[]): GuaranteeCheck[] {
  if (!next) return [...checks];
  const planned = checks.map((c) => (UPDATE_CHECKS.includes(c.id) ? (next.find((n) => n.id === c.id && n.statefulSet === c.statefulSet) ?? c) : c));
  const upgradeArea = (c: GuaranteeCheck): boolean => c.id.startsWith('A8.');
  return [...planned.filter((c) => !upgradeArea(c)), ...planned.filter(upgradeArea)];
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
  const namespacesLeftOut = all.filter((o) => !notNamespace(o)).map(nameOf);
  const objects = all.filter(notNamespace);
  const profileFile = findProfile(args.path, args.profile);
  const profile = profileFile ? loadProfile(profileFile) : undefined;
  const statefulSets = selectStatefulSets(args.path, objects, profile);
  let upgrade: PreparedUpgrade | undefined;
  if (args.upgradeTo !== undefined) {
    const next = readUpgrade({ ...args, upgradeTo: args.upgradeTo }, input);
    checkUpgrade(objects, next.objects);
    checkUpgradeSets(args.upgradeTo, statefulSets, next.objects);
    // The profile must fit the new version too (its datum container or port, its quorum).
    ofUpgrade(args.upgradeTo, () => selectStatefulSets(args.upgradeTo!, next.objects, profile));
    upgrade = { path: args.upgradeTo, ...next, sets: setUpgrades(statefulSets, next.objects) };
  }
  const checks = upgradePlan(planGuarantees(objects, profile), upgrade && planGuarantees(upgrade.objects, profile));
  const cp = clusterProfileFor(checks, statefulSets);
  return {
    name: appScenarioName(args.path),
    path: args.path,
    input,
    chartArgs: { values: args.values, set: args.set },
    ...(upgrade && { upgrade }),
    objects,
    namespacesLeftOut,
    ...(profile && { profile }),
    ...(profileFile && { profileFile }),
    statefulSets,
    checks,
    assertions: appAssertions(checks, objects, upgrade?.objects),
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
    (app.upgrade
      ? `; upgrade to ${app.upgrade.path}: no StatefulSet field that cannot change in place changes; the update of A8.2-A8.5 is ${app.upgrade.sets.map((u) => updateText(u, app.upgrade!.path)).join('; ')}`
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
 * With --upgrade-to, the new version's objects too: its images must be on the nodes before the upgrade.
 */
export function appFixtureFiles(args: AppArgs, imageMap: Readonly<Record<string, string>>): FixtureFile[] {
  const input = classifyApp(args.path);
  // A1.3's helper pod goes with the app's files: its image is loaded with theirs, and it is dry-run with them.
  const probe: FixtureFile = { file: DNS_PROBE_FILE, objects: fixtureOverlay([dnsProbePod()], imageMap) };
  const files = [...inputFixtureFiles(input, () => appObjects(input, args), imageMap), probe];
  if (args.upgradeTo === undefined) return files;
  const next = readUpgrade({ ...args, upgradeTo: args.upgradeTo }, input);
  return [...files, ...inputFixtureFiles(next.input, () => next.objects, imageMap)];
}

/** The overlays of every fixture the runner dry-runs and loads images from (Namespaces left out). */
const fixtureOverlay = (objects: readonly KubernetesObject[], imageMap: Readonly<Record<string, string>>): KubernetesObject[] =>
  applyOverlays(objects.filter(notNamespace), { namespace: 'default', imageMap, pullPolicyOverlay: true }).objects;

function inputFixtureFiles(input: AppInput, rendered: () => readonly KubernetesObject[], imageMap: Readonly<Record<string, string>>): FixtureFile[] {
  const overlay = (objects: readonly KubernetesObject[]): KubernetesObject[] => fixtureOverlay(objects, imageMap);
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
      return [{ file: input.file, objects: overlay(rendered()) }];
    case 'chart':
      return [{ file: chartFile(input), objects: overlay(rendered()) }];
  }
}

/** The StatefulSet objects the app declares, by name. */
export const appStatefulSet = (app: Pick<PreparedApp, 'objects'>, name: string): V1StatefulSet | undefined =>
  statefulSetsOf(app.objects).find((s) => nameOf(s) === name);

/** The StatefulSet a check is judged on: the new version's for A8.2-A8.5 with an upgrade, else the app's. */
export const checkedStatefulSet = (
  app: Pick<PreparedApp, 'objects' | 'upgrade'>,
  check: Pick<GuaranteeCheck, 'id' | 'statefulSet'>,
): V1StatefulSet | undefined => appStatefulSet(app.upgrade && UPDATE_CHECKS.includes(check.id) ? app.upgrade : app, check.statefulSet);
