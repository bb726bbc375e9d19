/**
 * `kubectl drain NODE --ignore-daemonsets --force --delete-emptydir-data --timeout=T` on the API: cordon, then
 * evict every pod on the node through the Eviction subresource, which honours PodDisruptionBudgets (HTTP 429),
 * retrying like kubectl every 5 s until the timeout; then wait until the evicted pods are gone. kubectl drain
 * retries 429 forever without --timeout; here the timeout is mandatory.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { apiMessage, MERGE, statusCode, type Kube } from './client.ts';
import { ResourceWatch } from './watch.ts';
import type { Timeline } from '../timeline.ts';
import { $ } from 'zx';

export interface DrainFlags {
  readonly ignoreDaemonSets: boolean;
  readonly force: boolean;
  readonly deleteEmptyDirData: boolean;
}

export const TUTORIAL_DRAIN: DrainFlags = { ignoreDaemonSets: true, force: true, deleteEmptyDirData: true };

export interface DrainPlan {
  readonly evict: V1Pod[];
  readonly skip: { pod: V1Pod; reason: string }[];
  /** Pods that stop the drain before any eviction (kubectl's "cannot delete …" errors). */
  readonly refuse: { pod: V1Pod; reason: string }[];
}

const key = (p: V1Pod): string => `${p.metadata?.namespace}/${p.metadata?.name}`;

/** kubectl drain's pod filters, as a pure function. */
export function planDrain(pods: readonly V1Pod[], flags: DrainFlags): DrainPlan {
  const plan: DrainPlan = { evict: [], skip: [], refuse: [] };
  for (const p of pods) {
    if (p.metadata?.annotations?.['kubernetes.io/config.mirror']) {
      plan.skip.push({ pod: p, reason: 'mirror pod' });
      continue;
    }
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      plan.evict.push(p);
      continue;
    }
    const controller = p.metadata?.ownerReferences?.find((o) => o.controller);
    if (controller?.kind === 'DaemonSet') {
      if (flags.ignoreDaemonSets) plan.skip.push({ pod: p, reason: 'DaemonSet-managed' });
      else plan.refuse.push({ pod: p, reason: `cannot delete DaemonSet-managed Pods: ${key(p)}` });
      continue;
    }
    if (!controller && !flags.force) {
      plan.refuse.push({ pod: p, reason: `cannot delete Pods that declare no controller (use --force to override): ${key(p)}` });
      continue;
    }
    if ((p.spec?.volumes ?? []).some((v) => v.emptyDir) && !flags.deleteEmptyDirData) {
      plan.refuse.push({ pod: p, reason: `cannot delete Pods with local storage (use --delete-emptydir-data to override): ${key(p)}` });
      continue;
    }
    plan.evict.push(p);
  }
  return plan;
}

export interface DrainResult {
  /** 0 like a successful `kubectl drain`, 1 otherwise. */
  readonly exitCode: number;
  readonly evicted: string[];
  /** kubectl-style output lines: "node/x cordoned", "evicting pod ns/p", "pod/p evicted", errors. */
  readonly output: string[];
  /** The API's refusal messages, e.g. "Cannot evict pod as it would violate the pod's disruption budget." */
  readonly errors: string[];
}

/**
 * Label on the nodes a run cordoned, valued with its run id: teardown and `--cleanup` uncordon exactly those, never
 * a node someone else cordoned (on `--provider existing` the cluster is not ours).
 */
export const CORDONED_BY = 'stateful-e2e/cordoned-by';

export async function cordon(kube: Kube, node: string, by: string): Promise<void> {
  await kube.core.patchNode({ name: node, body: { metadata: { labels: { [CORDONED_BY]: by } }, spec: { unschedulable: true } } }, MERGE);
}

export async function uncordon(kube: Kube, node: string): Promise<void> {
  await kube.core.patchNode({ name: node, body: { metadata: { labels: { [CORDONED_BY]: null } }, spec: { unschedulable: false } } }, MERGE);
}

/** Teardown after cordon/drain steps: uncordon every node run `by` cordoned, even when a test failed half-way. */
export async function uncordonAll(kube: Kube, by: string): Promise<string[]> {
  const cordoned = (await kube.core.listNode({ labelSelector: `${CORDONED_BY}=${by}` })).items.map((n) => n.metadata!.name!);
  for (const n of cordoned) await uncordon(kube, n);
  return cordoned;
}

export async function drain(
  kube: Kube,
  node: string,
  opts: { timeoutMs: number; flags?: DrainFlags; timeline: Timeline; retryMs?: number /** run id for the cordon label */; by: string },
): Promise<DrainResult> {
  const flags = opts.flags ?? TUTORIAL_DRAIN;
  const retryMs = opts.retryMs ?? 5000;
  // The whole drain is a wait on the cluster (evictions, PDBs, pods leaving): a 'wait' span on the timeline.
  const startMs = opts.timeline.now();
  const deadline = Date.now() + opts.timeoutMs;
  const output: string[] = [];
  const errors: string[] = [];
  const say = (line: string): void => {
    output.push(line);
    opts.timeline.add('action', 'drain', line);
  };
  await cordon(kube, node, opts.by);
  say(`node/${node} cordoned`);
  const pods = new ResourceWatch<V1Pod>(
    kube,
    { path: '/api/v1/pods', apiVersion: 'v1', kind: 'Pod', fieldSelector: `spec.nodeName=${node}` },
    opts.timeline,
    (p) => `${p.status?.phase ?? ''} on ${node}`,
  );
  await pods.start();
  try {
    const plan = planDrain([...pods.current.values()], flags);
    for (const s of plan.skip) say(`Warning: ignoring ${s.reason} pod ${key(s.pod)}`);
    if (plan.refuse.length > 0) {
      for (const r of plan.refuse) errors.push(r.reason);
      say(`error: unable to drain node "${node}": ${plan.refuse.map((r) => r.reason).join('; ')}`);
      return { exitCode: 1, evicted: [], output, errors };
    }
    const evicted: string[] = [];
    await Promise.all(
      plan.evict.map(async (p) => {
        const name = p.metadata!.name!;
        const namespace = p.metadata!.namespace!;
        say(`evicting pod ${namespace}/${name}`);
        for (;;) {
          try {
            await kube.core.createNamespacedPodEviction({ name, namespace, body: { metadata: { name, namespace } } });
            evicted.push(name);
            return;
          } catch (err) {
            const code = statusCode(err);
            if (code === 404) return;
            const msg = apiMessage(err);
            if (code !== 429) throw new Error(`error when evicting pods/"${name}" -n "${namespace}": ${msg}`);
            errors.push(msg);
            say(`error when evicting pods/"${name}" -n "${namespace}" (will retry after ${retryMs / 1000}s): ${msg}`);
            if (Date.now() + retryMs > deadline) return;
            await new Promise((r) => setTimeout(r, retryMs));
          }
        }
      }),
    );
    const uids = new Map(plan.evict.map((p) => [p.metadata!.name!, p.metadata!.uid!]));
    const pending = (): string[] => [...uids].filter(([n, uid]) => pods.current.get(n)?.metadata?.uid === uid).map(([n]) => n);
    const blocked = plan.evict.map((p) => p.metadata!.name!).filter((n) => !evicted.includes(n));
    if (blocked.length > 0) {
      say(`error: drain did not complete within ${Math.round(opts.timeoutMs / 1000)}s: ${blocked.join(', ')} not evicted`);
      return { exitCode: 1, evicted, output, errors };
    }
    // Like kubectl: an eviction is done when the pod with that UID is gone from the node.
    await pods.until(
      () => pending().length === 0,
      Math.max(1000, deadline - Date.now()),
      `evicted pods to leave ${node}`,
      () => pending().join(', '),
    );
    for (const n of evicted) say(`pod/${n} evicted`);
    say(`node/${node} drained`);
    return { exitCode: 0, evicted, output, errors };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    say(`error: ${msg}`);
    return { exitCode: 1, evicted: [], output, errors: [...errors, msg] };
  } finally {
    pods.stop();
    opts.timeline.span('wait', 'drain', `drain ${node}`, startMs);
  }
}

/** What `kubectl drain` printed and returned, read the way its output is documented (drain.go's messages). */
export function parseKubectlDrain(r: { exitCode: number; stdout: string; stderr: string }): DrainResult {
  const lines = (t: string): string[] =>
    t
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  const out = lines(r.stdout);
  const err = lines(r.stderr);
  const evicted = out.map((l) => /^pod\/(\S+) evicted$/.exec(l)?.[1]).filter((n): n is string => n !== undefined);
  // "error when evicting pods/"zk-2" -n "ns" (will retry after 5s): Cannot evict pod as it would violate …"
  const errors = err
    .map((l) => /^error when evicting pods\/"[^"]+" -n "[^"]+" \(will retry after [^)]+\): (.*)$/.exec(l)?.[1] ?? (/^error: /.test(l) ? l : undefined))
    .filter((m): m is string => m !== undefined);
  return { exitCode: r.exitCode, evicted, output: [...out, ...err], errors };
}

/**
 * The tutorial's own command: `kubectl drain NODE --ignore-daemonsets --force --delete-emptydir-data --timeout=Ns`,
 * run with the cluster's kubeconfig (kubectl on PATH). The node is cordoned through the API first, with the run's
 * label, so that teardown uncordons it even if kubectl is interrupted; kubectl then finds it cordoned already.
 */
export async function kubectlDrain(
  kube: Kube,
  kubeconfig: string,
  node: string,
  opts: { timeoutS: number; timeline: Timeline; by: string },
): Promise<DrainResult> {
  // kubectl waits on the cluster (evictions, PDBs) up to its --timeout: a 'wait' span on the timeline.
  const startMs = opts.timeline.now();
  await cordon(kube, node, opts.by);
  const r = await $({
    quiet: true,
    nothrow: true,
  })`kubectl --kubeconfig ${kubeconfig} drain ${node} --ignore-daemonsets --force --delete-emptydir-data --timeout=${opts.timeoutS}s`;
  const res = parseKubectlDrain({ exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr });
  opts.timeline.span('wait', 'kubectl drain', `kubectl drain ${node}: exit ${res.exitCode}`, startMs);
  for (const l of res.output) opts.timeline.add('action', 'kubectl drain', l);
  return res;
}
