/**
 * kubectl itself, for the steps where the catalogue observes what kubectl reports (K): `rollout status`, `rollout
 * undo`. The harness's own watches decide the assertions; these show that kubectl, run as the tutorial runs it,
 * agrees. kubectl comes from PATH (ci/build-kube.sh) and always gets the run's kubeconfig, never the user's.
 */
import { $ } from 'zx';
import type { Timeline } from '../timeline.ts';

export interface KubectlResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `kubectl --kubeconfig K -n NS ARGS…` and records the command and its output on the timeline. */
export async function kubectl(
  w: { readonly ctx: { readonly kubeconfig: string }; readonly ns: string; readonly timeline: Timeline },
  args: readonly string[],
): Promise<KubectlResult> {
  const startMs = w.timeline.now();
  const r = await $({ quiet: true, nothrow: true })`kubectl --kubeconfig ${w.ctx.kubeconfig} -n ${w.ns} ${args}`;
  const res = { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
  w.timeline.span('wait', 'kubectl', `kubectl ${args.join(' ')}: exit ${res.exitCode}`, startMs);
  const out = `${res.stdout}\n${res.stderr}`.trim().split('\n').filter(Boolean);
  for (const l of out.slice(-5)) w.timeline.add('action', 'kubectl', l);
  return res;
}

/** kubectl's one-line failure: its exit code and the last line it printed. */
export const kubectlFailure = (args: readonly string[], r: KubectlResult): string =>
  `kubectl ${args.join(' ')} exited ${r.exitCode}: ${`${r.stdout}\n${r.stderr}`.trim().split('\n').filter(Boolean).at(-1) ?? 'no output'}`;

/**
 * `kubectl rollout status sts/SET --timeout=Ns` must exit 0 and say the rollout is complete: run after the watch has
 * seen it complete, it shows that kubectl's own reading of the status agrees.
 */
export async function kubectlRolloutComplete(
  w: { readonly ctx: { readonly kubeconfig: string }; readonly ns: string; readonly timeline: Timeline },
  set: string,
  timeoutS = 30,
): Promise<string> {
  const args = ['rollout', 'status', `sts/${set}`, `--timeout=${timeoutS}s`];
  const r = await kubectl(w, args);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.exitCode !== 0 || !/roll(ing update|ed out| out) complete/i.test(last))
    throw new Error(`${kubectlFailure(args, r)} (expected exit 0 and a completed rollout)`);
  return last;
}

/** `kind/name` of each line of kubectl delete's output (`deployment.apps "wordpress" deleted`, `… deleted from ns namespace`). */
export const deletedByKubectl = (stdout: string): string[] =>
  stdout
    .split('\n')
    .map((l) => /^(\S+) "([^"]+)" deleted\b/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]!.split('.')[0]}/${m[2]}`);
