/**
 * helm for `--app CHART`: where the binary is, `helm template` of a chart into its objects, and the release commands
 * of an upgrade check. Rendering is synchronous, as prepareApp is (the CLI and the app's scenario file call it before
 * anything else), and talks to no cluster or chart repository. `helm install` and `helm upgrade` run only in the
 * app's scenario, with `--upgrade-to` and two charts (docs/app-guarantees.md §A8), against the run's cluster alone.
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { HarnessError, errorMessage } from '../errors.ts';
import { cacheDir, PINS } from '../providers/pins.ts';
import type { Timeline } from '../timeline.ts';
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
 * chart's name unless given: an upgrade's chart is rendered as the first chart's release), and the objects it renders. One HarnessError line when helm is missing, the chart does not render
 * (helm's own message), or it renders no objects.
 */
export function renderChart(
  app: ChartApp,
  args: ChartArgs & { readonly namespace: string; readonly release?: string },
  env: Env = process.env,
): KubernetesObject[] {
  const helm = findHelm(env);
  if (!helm) throw noHelm(app.path, env);
  const cmd = renderCommand(app, { release: args.release ?? releaseName(app.chart.name), namespace: args.namespace, values: args.values, set: args.set })!;
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

/** How long helm may take over a release command, hooks included (its `--timeout`); the process is killed 30 s later. */
export const HELM_RELEASE_TIMEOUT_S = 300;

/**
 * `helm install` (the first version) or `helm upgrade` (the next) of a release, as argv after `helm` (helmRelease adds
 * the run's namespace and kubeconfig). helm does not wait for the objects (`--wait=hookOnly`, v4's default, said
 * outright): the harness's watches judge the rollout. An upgrade renders exactly the chart and values given
 * (`--reset-values`, as the pre-check rendered it), and takes over fields the harness's own steps applied in between
 * (`--force-conflicts`: A3.5 re-applies a StatefulSet server-side, as field manager stateful-e2e).
 */
export function helmReleaseArgs(verb: 'install' | 'upgrade', o: ChartArgs & { readonly release: string; readonly chart: string }): string[] {
  return [
    verb,
    o.release,
    o.chart,
    '--wait=hookOnly',
    '--timeout',
    `${HELM_RELEASE_TIMEOUT_S}s`,
    ...(verb === 'upgrade' ? ['--reset-values', '--force-conflicts'] : []),
    ...o.values.flatMap((v) => ['--values', v]),
    ...o.set.flatMap((s) => ['--set', s]),
  ];
}

/**
 * The environment helm runs in: the caller's, without what would point it at another cluster than `--kubeconfig`
 * (HELM_KUBECONTEXT, HELM_KUBETOKEN, …), and with the release record kept as a Secret in the release's namespace
 * (HELM_DRIVER), so that deleting the run's namespace removes it with everything else.
 */
export function helmEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !k.startsWith('HELM_KUBE') && k !== 'HELM_DRIVER') out[k] = v;
  return { ...out, HELM_DRIVER: 'secret' };
}

/**
 * Runs `helm ARGS --namespace NS --kubeconfig K` (ARGS from helmReleaseArgs) with the run's kubeconfig, never the
 * user's, and records the command and its last lines on the timeline, as kubectl() does. A one-line Error when helm is
 * missing, fails or overruns, with helm's own message.
 */
export async function helmRelease(
  w: { readonly ctx: { readonly kubeconfig: string }; readonly ns: string; readonly timeline: Timeline },
  args: readonly string[],
  env: Env = process.env,
): Promise<void> {
  const helm = findHelm(env);
  if (!helm)
    throw new Error(`helm ${args.join(' ')}: there is no helm (${HELM_ENV} unset, no ${builtHelm(env)}, none on PATH): build it with \`${HELM_BUILD}\``);
  const startMs = w.timeline.now();
  // execFile, not a shell: helm gets these argv as they are, and nothing of a shell's startup files.
  const r = await new Promise<{ exit: string; stdout: string; stderr: string }>((resolve) =>
    execFile(
      helm,
      [...args, '--namespace', w.ns, '--kubeconfig', w.ctx.kubeconfig],
      { env: helmEnv(env), timeout: (HELM_RELEASE_TIMEOUT_S + 30) * 1000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        // exit 0; exited N; killed (its timeout); or could not start (ENOENT, EACCES, …).
        const exit = !err
          ? ''
          : typeof err.code === 'number'
            ? `exited ${err.code}`
            : err.killed
              ? `was killed after ${HELM_RELEASE_TIMEOUT_S + 30} s`
              : `did not run (${err.code ?? err.message})`;
        resolve({ exit, stdout: String(stdout), stderr: String(stderr) });
      },
    ),
  );
  w.timeline.span('wait', 'helm', `helm ${args.join(' ')}: ${r.exit || 'exit 0'}`, startMs);
  for (const l of `${r.stdout}\n${r.stderr}`.trim().split('\n').filter(Boolean).slice(-5)) w.timeline.add('action', 'helm', l);
  if (r.exit) throw new Error(`helm ${args.join(' ')} ${r.exit}: ${helmError(r.stderr) ?? 'no output'}`);
}
