/**
 * Command-line options of `npm run e2e`. Parsing is pure and unit-tested; every bad option is a one-line
 * HarnessError.
 */
import { parseArgs } from 'node:util';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HarnessError, errorMessage } from './errors.ts';
import type { KeepPolicy } from './context.ts';
import type { ImageLoad, ProviderName } from './providers/provider.ts';
import { PROVIDERS } from './providers/index.ts';
import { fixturePath, withPreconditions, type DiscoveredScenario } from './discovery.ts';
import { readResults } from './reporting/artifacts.ts';
import type { AppArgs } from './app/prepare.ts';

/** The command line as given; the scenarios are chosen once discovery has found them (selectScenarios). */
export interface ParsedOptions {
  readonly provider: ProviderName;
  /** --provider was given: no fallback from kind to kwok when Docker is missing. */
  readonly providerGiven: boolean;
  /** --scenario NAME…: the selection (empty: every scenario of --scenarios DIRs, or every built-in one). */
  readonly scenarioNames: readonly string[];
  /** --scenarios DIR…: where else to look for *.e2e.ts files. */
  readonly scenarioDirs: readonly string[];
  /** --app PATH (with --profile, --values, --set): check this app's guarantees instead of running scenarios. */
  readonly app?: AppArgs;
  /** --fixtures DIR: replaces every scenario's own fixtures root. */
  readonly fixturesOverride?: string;
  /** --fixtures, or the harness's own fixtures/ (named in reports). */
  readonly fixturesDir: string;
  /** --list: print the scenarios found and exit. */
  readonly list: boolean;
  /** --rerun-failed DIR: the report directory whose failed assertions (with their preconditions) run again. */
  readonly rerunFailed?: string;
  /** --shard I/N: run only the I-th of N deterministic parts of the selection (1-based). */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly reportDir: string;
  readonly keep: KeepPolicy;
  /** --reuse: keep one warm cluster per profile between runs, reused while its fingerprint matches (src/reuse.ts). */
  readonly reuse: boolean;
  readonly k8sVersion?: string;
  /** Every --k8s-version (repeatable with --conformance): the suites run once per version; k8sVersion is the first. */
  readonly k8sVersions: readonly string[];
  /** --merge DIR…: earlier runs' report directories, merged into one conformance verdict; no cluster is created. */
  readonly merge: readonly string[];
  readonly imageMap: Readonly<Record<string, string>>;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly timeoutScale: number;
  /** Only assertions whose name matches (vitest testNamePattern), e.g. '\\[1\\.2\\]'. */
  readonly grep?: string;
  readonly cleanup: boolean;
  /** Write conformance.md: the verdict on the manifests in --fixtures. */
  readonly conformance: boolean;
  /** Reruns of a failed assertion (vitest retry); a pass on retry is reported as flaky. */
  readonly retries: number;
  /** Lets disruptive scenarios (cordon, drain) run on --provider existing. */
  readonly allowDisruptive: boolean;
  /** --parallel N: at most N scenarios at once in one cluster, a namespace each (src/schedule.ts). */
  readonly parallel: number;
  /** --clusters N: at most N clusters (profiles) at once. */
  readonly clusters: number;
  /** How images reach kind nodes: `kind load docker-image`, or a registry container of the run (providers/kind/registry.ts). */
  readonly imageLoad: ImageLoad;
  readonly help: boolean;
}

export interface Options extends ParsedOptions {
  readonly scenarios: readonly DiscoveredScenario[];
}

export type { ImageLoad } from './providers/provider.ts';
/** Measured faster on this machine (bench/image-load.ts; README). */
export const DEFAULT_IMAGE_LOAD: ImageLoad = 'kind-load';

export const USAGE = `usage: npm run e2e -- [options]
  --provider kind|kwok|existing   where the cluster comes from (default: kind, or kwok when Docker is not reachable)
  --scenario NAME                 run only this scenario (repeatable; default: every scenario of --scenarios,
                                  else every built-in one; --list shows them)
  --scenarios DIR                 also find *.e2e.ts scenario files under DIR (repeatable); their fixtures are
                                  read from the fixtures/ directory next to them or next to DIR
  --list                          print the scenarios found (name, profile, file, summary) and exit; with --app,
                                  also the plan: each guarantee, applicable or not and why
  --app PATH                      check your own app instead (a manifests directory or file, a kustomization, or a
                                  Helm chart directory or .tgz): the guarantees of docs/app-guarantees.md, one
                                  scenario named app-<basename>
  --profile FILE                  the app's profile (default: stateful-e2e.yaml beside the app)
  --values FILE, --set k=v        Helm values for a chart (repeatable), passed to helm template in that order
  --upgrade-to PATH               the app's next version (same forms as --app; a chart gets the same --values and
                                  --set): a change to a StatefulSet field that cannot change in place (selector,
                                  serviceName, volumeClaimTemplates, podManagementPolicy) is refused in one line,
                                  exit 2, before anything is applied; otherwise the update of A8.2-A8.5 is this
                                  version, applied over the first (two charts: helm install, then helm upgrade)
  --upgrade-values FILE, --upgrade-set k=v
                                  more Helm values for --upgrade-to CHART only (repeatable), after --values and --set:
                                  an upgrade that changes values alone is --upgrade-to the same chart with these
  --rerun-failed DIR              run only what failed in DIR/results.json (an earlier --report-dir): those
                                  assertions, the ones they are declared after, and every setup step
  --shard I/N                     run only part I of N of the selected scenarios (sorted by name, dealt in turn),
                                  e.g. one CI job each for 1/3, 2/3 and 3/3
  --fixtures DIR                  fixtures root with the same layout as fixtures/ (your own manifests)
  --report-dir DIR                where junit.xml, timelines and diagnostics go (default: reports)
  --grep REGEX                    only assertions whose name matches, e.g. '[1.2]' (setup steps still run)
  --keep never|on-failure|always  keep the cluster and namespaces after the run (default: never)
  --reuse                         keep a warm cluster per profile between runs (kind, kwok): the next run reuses it
                                  if nothing it was made from changed (node image ID, binaries, profile), after
                                  deleting what earlier runs left in it; --cleanup removes it
  --k8s-version vX.Y.Z            Kubernetes version of the cluster (kind node image / kwok binaries); with
                                  --conformance repeatable: the suites run once per version, one cluster at a time
  --image-map FILE                YAML map of seed image -> image to use instead (mirrors, local builds)
  --image-load kind-load|registry how images reach kind nodes: kind load, or a registry container of the run (default: ${DEFAULT_IMAGE_LOAD})
  --kubeconfig FILE --context C   the cluster for --provider existing
  --parallel N                    at most N scenarios at once in one cluster, a namespace each (default: 4; 1 runs
                                  them one by one); scenarios that drain nodes or are heavy (JVM) run alone
  --clusters N                    at most N clusters (one per profile) at once (default: 1; a heavy scenario's cluster
                                  is created beside the others, its scenarios run alone)
  --retries N                     rerun a failed assertion up to N times; a pass on retry is reported as flaky
  --allow-disruptive              let scenarios that cordon and drain nodes run on --provider existing
  --conformance                   write <report-dir>/conformance.md and .html, the verdict on the manifests in --fixtures
  --merge DIR...                  no run: merge the results.json of earlier runs (e.g. one per CI job and version)
                                  into one verdict per assertion and version in --report-dir
  --cleanup                       tear down what interrupted runs left (clusters, processes, work dirs) and exit
  --help                          this text
environment: TIMEOUT_SCALE multiplies every timeout (default 1)`;

const oneOf = <T extends string>(flag: string, value: string, allowed: readonly T[]): T => {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new HarnessError(`--${flag}: unknown value '${value}' (expected ${allowed.join(', ')})`);
};

export function parseOptions(argv: readonly string[], root: string, env: NodeJS.ProcessEnv = process.env): ParsedOptions {
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by the parseArgs call below (its config drives the type)
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      // positionals are the directories of --merge, and an error otherwise
      allowPositionals: true,
      options: {
        provider: { type: 'string' },
        scenario: { type: 'string', multiple: true },
        scenarios: { type: 'string', multiple: true },
        app: { type: 'string' },
        profile: { type: 'string' },
        values: { type: 'string', multiple: true },
        set: { type: 'string', multiple: true },
        'upgrade-to': { type: 'string' },
        'upgrade-values': { type: 'string', multiple: true },
        'upgrade-set': { type: 'string', multiple: true },
        list: { type: 'boolean', default: false },
        shard: { type: 'string' },
        'rerun-failed': { type: 'string' },
        fixtures: { type: 'string' },
        'report-dir': { type: 'string', default: 'reports' },
        keep: { type: 'string', default: 'never' },
        reuse: { type: 'boolean', default: false },
        'k8s-version': { type: 'string', multiple: true },
        'image-map': { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        grep: { type: 'string' },
        help: { type: 'boolean', default: false },
        cleanup: { type: 'boolean', default: false },
        conformance: { type: 'boolean', default: false },
        merge: { type: 'boolean', default: false },
        retries: { type: 'string', default: '0' },
        parallel: { type: 'string', default: '4' },
        clusters: { type: 'string', default: '1' },
        'allow-disruptive': { type: 'boolean', default: false },
        'image-load': { type: 'string', default: DEFAULT_IMAGE_LOAD },
      },
    });
  } catch (err) {
    throw new HarnessError(`${err instanceof Error ? err.message.split('\n')[0] : String(err)} (see --help)`);
  }
  const v = parsed.values;
  if (!v.merge && parsed.positionals.length > 0) throw new HarnessError(`Unexpected argument '${parsed.positionals[0]}' (see --help)`);
  const merge = v.merge ? parsed.positionals.map((d) => path.resolve(d)) : [];
  if (v.merge && merge.length === 0) throw new HarnessError('--merge: name the report directories to merge, e.g. --merge reports/v1.33.4 reports/v1.34.4');
  for (const d of merge) if (!existsSync(path.join(d, 'results.json'))) throw new HarnessError(`--merge: no results.json in ${d}`);
  const app = appArgs(v);
  if (v.merge && (v.scenario || v['k8s-version'])) throw new HarnessError('--merge runs nothing: it takes report directories, not --scenario or --k8s-version');
  const provider = oneOf(
    'provider',
    v.provider ?? 'kind',
    PROVIDERS.map((m) => m.name),
  );
  const keep = oneOf('keep', v.keep!, ['never', 'on-failure', 'always'] as const);
  const imageLoad = oneOf('image-load', v['image-load']!, ['kind-load', 'registry'] as const);
  const scenarioDirs = (v.scenarios ?? []).map((d) => path.resolve(d));
  for (const d of scenarioDirs) if (!existsSync(d) || !statSync(d).isDirectory()) throw new HarnessError(`--scenarios: no such directory: ${d}`);

  if (v.conformance && !v.fixtures && !v.merge)
    throw new HarnessError('conformance checks your manifests: pass --fixtures DIR (a copy of fixtures/ with your changes)');
  const fixturesOverride = v.fixtures ? path.resolve(v.fixtures) : undefined;
  const fixturesDir = fixturesOverride ?? path.join(root, 'fixtures');
  if (fixturesOverride && (!existsSync(fixturesOverride) || !statSync(fixturesOverride).isDirectory()))
    throw new HarnessError(`--fixtures: no such directory: ${fixturesOverride}`);
  const k8sVersions = [...new Set(v['k8s-version'] ?? [])];
  for (const ver of k8sVersions) if (!/^v\d+\.\d+\.\d+$/.test(ver)) throw new HarnessError(`--k8s-version: '${ver}' is not of the form vX.Y.Z`);
  if (k8sVersions.length > 1 && !v.conformance) {
    throw new HarnessError(
      `--k8s-version given ${k8sVersions.length} times: several versions are a conformance run (npm run conformance -- --fixtures DIR --k8s-version … --k8s-version …)`,
    );
  }
  if (k8sVersions.length > 1 && provider === 'existing')
    throw new HarnessError('--provider existing is one cluster of one version: give --k8s-version at most once');
  if (provider === 'existing' && !v.kubeconfig) throw new HarnessError('--provider existing needs --kubeconfig FILE (and optionally --context NAME)');
  if (v.kubeconfig) readableFile('--kubeconfig', v.kubeconfig);
  if (!v.help && !v.cleanup && !v.list) writableDir('--report-dir', path.resolve(v['report-dir']!));

  const retries = Number(v.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 5) throw new HarnessError(`--retries: expected a whole number from 0 to 5, got '${v.retries}'`);
  const allowDisruptive = v['allow-disruptive'] ?? false;
  const count = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 16) throw new HarnessError(`--${flag}: expected a whole number from 1 to 16, got '${value}'`);
    return n;
  };
  const parallel = count('parallel', v.parallel);
  const clusters = count('clusters', v.clusters);
  if (v.reuse && provider === 'existing')
    throw new HarnessError('--reuse keeps clusters of kind or kwok; --provider existing already runs on a cluster that stays');
  if (v.reuse && (v['k8s-version']?.length ?? 0) > 1) throw new HarnessError('--reuse keeps one cluster per profile: give --k8s-version at most once');
  const shard = v.shard === undefined ? undefined : parseShard(v.shard);
  const rerunFailed = v['rerun-failed'] === undefined ? undefined : path.resolve(v['rerun-failed']);
  if (rerunFailed !== undefined) {
    if (!existsSync(path.join(rerunFailed, 'results.json')))
      throw new HarnessError(`--rerun-failed: no results.json in ${rerunFailed} (give an earlier run's --report-dir)`);
    if (v.grep || v.scenario) throw new HarnessError('--rerun-failed picks the scenarios and assertions itself: leave out --grep and --scenario');
  }

  const scale = Number(env.TIMEOUT_SCALE ?? '1');
  if (!Number.isFinite(scale) || scale <= 0) throw new HarnessError(`TIMEOUT_SCALE must be a positive number, got '${env.TIMEOUT_SCALE}'`);

  return {
    provider,
    providerGiven: v.provider !== undefined,
    scenarioNames: v.scenario ?? [],
    scenarioDirs,
    ...(app ? { app } : {}),
    ...(fixturesOverride ? { fixturesOverride } : {}),
    fixturesDir,
    list: v.list ?? false,
    ...(shard ? { shard } : {}),
    ...(rerunFailed ? { rerunFailed } : {}),
    reportDir: path.resolve(v['report-dir']!),
    keep,
    reuse: v.reuse ?? false,
    ...(k8sVersions[0] ? { k8sVersion: k8sVersions[0] } : {}),
    k8sVersions,
    merge,
    imageMap: v['image-map'] ? loadImageMap(v['image-map']) : {},
    ...(v.kubeconfig ? { kubeconfig: path.resolve(v.kubeconfig) } : {}),
    ...(v.context ? { context: v.context } : {}),
    timeoutScale: scale,
    ...(v.grep ? { grep: checkRegex(v.grep) } : {}),
    cleanup: v.cleanup ?? false,
    conformance: v.conformance ?? false,
    retries,
    allowDisruptive,
    parallel,
    clusters,
    imageLoad,
    help: v.help ?? false,
  };
}

/**
 * --app and its companions, checked against the rest of the command line (the app itself is checked by
 * prepareApp, before any cluster). --app replaces the scenarios, so it takes none of the options that pick them.
 */
function appArgs(v: {
  app?: string | undefined;
  profile?: string | undefined;
  values?: string[] | undefined;
  set?: string[] | undefined;
  'upgrade-to'?: string | undefined;
  'upgrade-values'?: string[] | undefined;
  'upgrade-set'?: string[] | undefined;
  scenario?: string[] | undefined;
  scenarios?: string[] | undefined;
  fixtures?: string | undefined;
  conformance?: boolean | undefined;
  merge?: boolean | undefined;
}): AppArgs | undefined {
  if (v.app === undefined) {
    const flag =
      v.profile !== undefined
        ? '--profile'
        : v.values
          ? '--values'
          : v.set
            ? '--set'
            : v['upgrade-to'] !== undefined
              ? '--upgrade-to'
              : v['upgrade-values']
                ? '--upgrade-values'
                : v['upgrade-set']
                  ? '--upgrade-set'
                  : undefined;
    if (flag) throw new HarnessError(`${flag} goes with --app PATH (the app it describes)`);
    return undefined;
  }
  if (!v.app) throw new HarnessError('--app: give the path of the app (a manifests directory or file, a kustomization, or a Helm chart)');
  const other = v.scenario
    ? '--scenario'
    : v.scenarios
      ? '--scenarios'
      : v.fixtures
        ? '--fixtures'
        : v.conformance
          ? '--conformance'
          : v.merge
            ? '--merge'
            : undefined;
  if (other) throw new HarnessError(`--app runs the app's own checks instead of the scenarios: leave out ${other}`);
  if (v.profile === '') throw new HarnessError('--profile: give the path of the profile file');
  if (v['upgrade-to'] === '') throw new HarnessError("--upgrade-to: give the path of the app's next version");
  const upgradeFlag = v['upgrade-values'] ? '--upgrade-values' : v['upgrade-set'] ? '--upgrade-set' : undefined;
  if (upgradeFlag && v['upgrade-to'] === undefined) throw new HarnessError(`${upgradeFlag} goes with --upgrade-to PATH (the version they are values of)`);
  return {
    path: path.resolve(v.app),
    ...(v.profile !== undefined ? { profile: path.resolve(v.profile) } : {}),
    values: (v.values ?? []).map((f) => path.resolve(f)),
    set: v.set ?? [],
    ...(v['upgrade-to'] !== undefined ? { upgradeTo: path.resolve(v['upgrade-to']) } : {}),
    ...(v['upgrade-values'] ? { upgradeValues: v['upgrade-values'].map((f) => path.resolve(f)) } : {}),
    ...(v['upgrade-set'] ? { upgradeSet: v['upgrade-set'] } : {}),
  };
}

export function loadImageMap(file: string): Record<string, string> {
  readableFile('--image-map', file);
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HarnessError(`--image-map ${file}: malformed YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new HarnessError(`--image-map ${file}: expected a mapping of image: replacement`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(data)) {
    if (typeof val !== 'string' || !val) throw new HarnessError(`--image-map ${file}: the replacement for '${k}' is not an image name`);
    out[k] = val;
  }
  return out;
}

function checkRegex(re: string): string {
  try {
    new RegExp(re);
  } catch (err) {
    throw new HarnessError(`--grep: invalid regular expression: ${err instanceof Error ? err.message : String(err)}`);
  }
  return re;
}

/**
 * The scenarios to run among those discovered: --scenario names, else every scenario of the --scenarios DIRs, else
 * every built-in one. Checks each one's fixture files and, on --provider existing, that disruptive ones are allowed.
 */
export function selectScenarios(p: ParsedOptions, found: readonly DiscoveredScenario[]): Options {
  for (const s of p.scenarioNames) {
    if (!found.some((x) => x.name === s)) throw new HarnessError(`unknown scenario '${s}' (known: ${found.map((x) => x.name).join(', ') || 'none'})`);
  }
  const scenarios = p.scenarioNames.length
    ? found.filter((s) => p.scenarioNames.includes(s.name))
    : p.scenarioDirs.length
      ? found.filter((s) => !s.builtIn)
      : found.filter((s) => s.builtIn);
  if (scenarios.length === 0) throw new HarnessError('no scenario to run (see --list)');
  // --rerun-failed and --grep: the assertions each scenario runs, plus those they are declared after.
  let wanted: Map<string, Set<string>> | undefined;
  if (p.rerunFailed) wanted = failedIn(p.rerunFailed, found);
  else if (p.grep) {
    const re = new RegExp(p.grep);
    wanted = new Map(scenarios.map((s) => [s.name, new Set(s.assertions.filter((a) => re.test(a.name)).map((a) => a.id))]));
  }
  let chosen = scenarios;
  let grep = p.grep;
  if (wanted) {
    const w = wanted;
    chosen = (p.rerunFailed ? found : scenarios).filter((s) => (w.get(s.name)?.size ?? 0) > 0);
    if (chosen.length === 0 && p.grep)
      throw new HarnessError(`--grep ${p.grep}: no assertion of ${scenarios.map((s) => s.name).join(', ')} matches (see --list)`);
    const ids = chosen.flatMap((s) => [...withPreconditions(s, w.get(s.name)!)]);
    grep = `\\[(?:${[...new Set(ids)].map(escapeRegex).join('|')})\\]`;
  }
  const part = p.shard ? shardOf(chosen, p.shard) : chosen;
  for (const s of p.merge.length > 0 ? [] : part) {
    for (const f of s.fixtures) {
      const file = fixturePath(s, f);
      if (!existsSync(file)) throw new HarnessError(`fixtures: ${s.name} needs ${file}, which does not exist`);
    }
  }
  if (p.provider === 'existing' && !p.allowDisruptive) {
    const disruptive = part.filter((s) => s.disruptive).map((s) => s.name);
    if (disruptive.length > 0) {
      throw new HarnessError(`${disruptive.join(', ')} cordon and drain nodes; on your own cluster pass --allow-disruptive, or leave them out with --scenario`);
    }
  }
  // Reports name one fixtures root: --fixtures, else the one every selected scenario shares (a user's own project).
  const roots = [...new Set(part.map((s) => s.fixturesRoot))];
  const fixturesDir = p.fixturesOverride ?? (roots.length === 1 ? roots[0]! : p.fixturesDir);
  return { ...p, fixturesDir, scenarios: part, ...(grep ? { grep } : {}) };
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What failed in an earlier run, per scenario: its failed assertion IDs, or all of them if a setup step failed. */
export function failedIn(dir: string, found: readonly DiscoveredScenario[]): Map<string, Set<string>> {
  let results: readonly { scenario?: unknown; id?: unknown; outcome?: unknown }[];
  try {
    results = readResults(dir).results ?? [];
  } catch (err) {
    throw new HarnessError(`--rerun-failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const out = new Map<string, Set<string>>();
  for (const r of results) {
    if (r.outcome !== 'failed' || typeof r.scenario !== 'string' || typeof r.id !== 'string' || r.scenario === 'run') continue;
    const s = found.find((x) => x.name === r.scenario);
    if (!s) throw new HarnessError(`--rerun-failed: ${r.scenario} failed in ${dir}, but no such scenario is found here (see --list; add its --scenarios DIR)`);
    const ids = out.get(s.name) ?? new Set<string>();
    for (const id of r.id === 'setup' ? s.assertions.map((a) => a.id) : [r.id]) ids.add(id);
    out.set(s.name, ids);
  }
  return out;
}

export function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new HarnessError(`--shard: expected I/N with 1 <= I <= N, e.g. 2/3, got '${value}'`);
  return { index, count };
}

/** The scenarios of one shard: sorted by name and dealt in turn, so every shard list is the same on every machine. */
export function shardOf<T extends { readonly name: string }>(scenarios: readonly T[], shard: { index: number; count: number }): T[] {
  return [...scenarios].sort((a, b) => a.name.localeCompare(b.name)).filter((_, i) => i % shard.count === shard.index - 1);
}

/** One line naming the option when a file it names cannot be read (missing, a directory, no permission). */
function readableFile(option: string, file: string): void {
  if (!existsSync(file)) throw new HarnessError(`${option}: no such file: ${file}`);
  if (statSync(file).isDirectory()) throw new HarnessError(`${option}: ${file} is a directory, not a file`);
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new HarnessError(`${option}: ${file} cannot be read (permission denied)`);
  }
}

/** One line naming the option when the directory cannot be created or written (reports are written at the end). */
function writableDir(option: string, dir: string): void {
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error('it is a file, not a directory');
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOTDIR'
          ? 'a parent is a file'
          : code === 'EROFS'
            ? 'read-only file system'
            : errorMessage(err);
    throw new HarnessError(`${option}: cannot write to ${dir}: ${why}`);
  }
}
