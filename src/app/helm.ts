/**
 * helm for `--app CHART`: where the binary is, and `helm template` of a chart into its objects. Synchronous, as
 * prepareApp is (the CLI and the app's scenario file call it before anything else). helm only renders here: it never
 * talks to a cluster or a chart repository.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { HarnessError, errorMessage } from '../errors.ts';
import { cacheDir, PINS } from '../providers/pins.ts';
import { objectsFromRendered, renderCommand, type ChartApp, type ChartArgs } from './input.ts';

export const HELM_ENV = 'E2E_HELM';
/** The script that builds the pinned helm into the cache. */
export const HELM_BUILD = 'bash ci/build-helm.sh';

type Env = Readonly<Record<string, string | undefined>>;

const isExecutable = (f: string): boolean => {
  try {
    accessSync(f, constants.X_OK);
    return statSync(f).isFile();
  } catch {
    return false;
  }
};

/** The pinned build's path: `$E2E_CACHE/helm-<HELM_VERSION>/helm` (ci/build-helm.sh). */
export const builtHelm = (env: Env = process.env): string => path.join(cacheDir(env), `helm-${PINS.helm}`, 'helm');

/**
 * helm: $E2E_HELM if set (it must exist), else the pinned build of ci/build-helm.sh in the cache, else `helm` on
 * PATH. Undefined when there is none; a one-line HarnessError for an E2E_HELM that is not an executable file.
 */
export function findHelm(env: Env = process.env): string | undefined {
  const given = env[HELM_ENV];
  if (given) {
    if (!isExecutable(given)) throw new HarnessError(`${HELM_ENV}=${given}: no such executable file (unset it, or build helm with \`${HELM_BUILD}\`)`);
    return given;
  }
  const built = builtHelm(env);
  if (isExecutable(built)) return built;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'helm'))) return path.join(dir, 'helm');
  }
  return undefined;
}

const noHelm = (appPath: string, env: Env): HarnessError =>
  new HarnessError(
    `--app ${appPath}: a Helm chart is rendered with \`helm template\`, and there is no helm (${HELM_ENV} unset, no ${builtHelm(env)}, none on PATH): build it with \`${HELM_BUILD}\``,
  );

/** A release name helm takes (lowercase DNS label, at most 53 characters) made from the chart's name. */
export const releaseName = (chartName: string): string =>
  chartName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 53)
    .replace(/^-+|-+$/g, '') || 'app';

/** helm's own message in one line: its first `Error: …` line (without the prefix), else its first line. */
export function helmError(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const err = lines.find((l) => l.startsWith('Error: '));
  return err ? err.slice('Error: '.length) : lines[0];
}

/**
 * `helm template <release> <chart> --namespace <namespace> [--values F]... [--set k=v]...` (the release is the
 * chart's name), and the objects it renders. One HarnessError line when helm is missing, the chart does not render
 * (helm's own message), or it renders no objects.
 */
export function renderChart(app: ChartApp, args: ChartArgs & { readonly namespace: string }, env: Env = process.env): KubernetesObject[] {
  const helm = findHelm(env);
  if (!helm) throw noHelm(app.path, env);
  const cmd = renderCommand(app, { release: releaseName(app.chart.name), namespace: args.namespace, values: args.values, set: args.set })!;
  let stdout: string;
  try {
    stdout = execFileSync(helm, [...cmd.args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60_000,
    });
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    if (e.code === 'ENOENT' || e.code === 'EACCES') throw noHelm(app.path, env);
    if (e.code === 'ETIMEDOUT') throw new HarnessError(`--app ${app.path}: helm template did not finish within 60 s (${helm})`);
    throw new HarnessError(`--app ${app.path}: helm template failed: ${helmError(e.stderr ?? '') ?? errorMessage(err)}`);
  }
  return objectsFromRendered(app, stdout);
}

/** The file that stands for a chart in reports (dry-run errors, images): its Chart.yaml, or the .tgz. */
export const chartFile = (app: ChartApp): string => (app.packaged ? app.path : path.join(app.path, 'Chart.yaml'));
