/**
 * Command-line options of `npm run e2e`. Parsing is pure and unit-tested; every bad option is a one-line
 * HarnessError.
 */
import { parseArgs } from 'node:util';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HarnessError } from './errors.ts';
import type { KeepPolicy } from './context.ts';
import type { ProviderName } from './providers/provider.ts';
import { SCENARIOS, type ScenarioEntry } from './scenarios.ts';

export interface Options {
  readonly provider: ProviderName;
  readonly scenarios: readonly ScenarioEntry[];
  readonly fixturesDir: string;
  readonly reportDir: string;
  readonly keep: KeepPolicy;
  readonly k8sVersion?: string;
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
  readonly help: boolean;
}

export const USAGE = `usage: npm run e2e -- [options]
  --provider kind|kwok|existing   where the cluster comes from (default: kind)
  --scenario NAME                 run only this scenario (repeatable; default: all): ${SCENARIOS.map((s) => s.name).join(', ')}
  --fixtures DIR                  fixtures root with the same layout as fixtures/ (your own manifests)
  --report-dir DIR                where junit.xml, timelines and diagnostics go (default: reports)
  --grep REGEX                    only assertions whose name matches, e.g. '\[1\.2\]' (setup steps still run)
  --keep never|on-failure|always  keep the cluster and namespaces after the run (default: never)
  --k8s-version vX.Y.Z            Kubernetes version of the cluster (kind node image / kwok binaries)
  --image-map FILE                YAML map of seed image -> image to use instead (mirrors, local builds)
  --kubeconfig FILE --context C   the cluster for --provider existing
  --retries N                     rerun a failed assertion up to N times; a pass on retry is reported as flaky
  --allow-disruptive              let scenarios that cordon and drain nodes run on --provider existing
  --conformance                   write <report-dir>/conformance.md, the verdict on the manifests in --fixtures
  --cleanup                       tear down what interrupted runs left (clusters, processes, work dirs) and exit
  --help                          this text
environment: TIMEOUT_SCALE multiplies every timeout (default 1)`;

const oneOf = <T extends string>(flag: string, value: string, allowed: readonly T[]): T => {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new HarnessError(`--${flag}: unknown value '${value}' (expected ${allowed.join(', ')})`);
};

export function parseOptions(argv: readonly string[], root: string, env: NodeJS.ProcessEnv = process.env): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        provider: { type: 'string', default: 'kind' },
        scenario: { type: 'string', multiple: true },
        fixtures: { type: 'string' },
        'report-dir': { type: 'string', default: 'reports' },
        keep: { type: 'string', default: 'never' },
        'k8s-version': { type: 'string' },
        'image-map': { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        grep: { type: 'string' },
        help: { type: 'boolean', default: false },
        cleanup: { type: 'boolean', default: false },
        conformance: { type: 'boolean', default: false },
        retries: { type: 'string', default: '0' },
        'allow-disruptive': { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new HarnessError(`${err instanceof Error ? err.message.split('\n')[0] : String(err)} (see --help)`);
  }
  const v = parsed.values;
  const provider = oneOf('provider', v.provider!, ['kind', 'kwok', 'existing'] as const);
  const keep = oneOf('keep', v.keep!, ['never', 'on-failure', 'always'] as const);
  const wanted = v.scenario ?? [];
  for (const s of wanted) {
    if (!SCENARIOS.some((x) => x.name === s)) {
      throw new HarnessError(`unknown scenario '${s}' (known: ${SCENARIOS.map((x) => x.name).join(', ')})`);
    }
  }
  const scenarios = wanted.length ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS;

  if (v.conformance && !v.fixtures) throw new HarnessError('conformance checks your manifests: pass --fixtures DIR (a copy of fixtures/ with your changes)');
  const fixturesDir = path.resolve(v.fixtures ?? path.join(root, 'fixtures'));
  if (!existsSync(fixturesDir) || !statSync(fixturesDir).isDirectory()) throw new HarnessError(`--fixtures: no such directory: ${fixturesDir}`);
  for (const s of scenarios) {
    for (const f of s.fixtures) {
      const file = path.join(fixturesDir, s.fixtureDir ?? s.name, f);
      if (!existsSync(file)) throw new HarnessError(`fixtures: ${s.name} needs ${file}, which does not exist`);
    }
  }
  if (v['k8s-version'] && !/^v\d+\.\d+\.\d+$/.test(v['k8s-version'])) {
    throw new HarnessError(`--k8s-version: '${v['k8s-version']}' is not of the form vX.Y.Z`);
  }
  if (provider === 'existing' && !v.kubeconfig) throw new HarnessError('--provider existing needs --kubeconfig FILE (and optionally --context NAME)');
  if (v.kubeconfig && !existsSync(v.kubeconfig)) throw new HarnessError(`--kubeconfig: no such file: ${v.kubeconfig}`);

  const retries = Number(v.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 5) throw new HarnessError(`--retries: expected a whole number from 0 to 5, got '${v.retries}'`);
  const allowDisruptive = v['allow-disruptive'] ?? false;
  if (provider === 'existing' && !allowDisruptive) {
    const disruptive = scenarios.filter((s) => s.disruptive).map((s) => s.name);
    if (disruptive.length > 0) {
      throw new HarnessError(`${disruptive.join(', ')} cordon and drain nodes; on your own cluster pass --allow-disruptive, or leave them out with --scenario`);
    }
  }

  const scale = Number(env.TIMEOUT_SCALE ?? '1');
  if (!Number.isFinite(scale) || scale <= 0) throw new HarnessError(`TIMEOUT_SCALE must be a positive number, got '${env.TIMEOUT_SCALE}'`);

  return {
    provider,
    scenarios,
    fixturesDir,
    reportDir: path.resolve(v['report-dir']!),
    keep,
    ...(v['k8s-version'] ? { k8sVersion: v['k8s-version'] } : {}),
    imageMap: v['image-map'] ? loadImageMap(v['image-map']) : {},
    ...(v.kubeconfig ? { kubeconfig: path.resolve(v.kubeconfig) } : {}),
    ...(v.context ? { context: v.context } : {}),
    timeoutScale: scale,
    ...(v.grep ? { grep: checkRegex(v.grep) } : {}),
    cleanup: v.cleanup ?? false,
    conformance: v.conformance ?? false,
    retries,
    allowDisruptive,
    help: v.help ?? false,
  };
}

export function loadImageMap(file: string): Record<string, string> {
  if (!existsSync(file)) throw new HarnessError(`--image-map: no such file: ${file}`);
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
