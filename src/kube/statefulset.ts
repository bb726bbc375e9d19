/**
 * StatefulSet operations and waits, after upstream's test/e2e/framework/statefulset helpers: scale, patch,
 * wait for running-and-ready, rollout status. All waits are on the world's watch streams.
 */
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { MERGE, JSON_PATCH } from './client.ts';
import { isPodReady } from './watch.ts';
import type { SetContext } from './context.ts';
import type { Verdict } from '../ordering.ts';

export const podName = (set: string, ordinal: number): string => `${set}-${ordinal}`;
export const podNames = (set: string, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => podName(set, from + i));

const ordinalOf = (set: string, pod: string): number | undefined => {
  const m = new RegExp(`^${set}-(\\d+)$`).exec(pod);
  return m ? Number(m[1]) : undefined;
};

/** Live pods of the set (by name pattern), sorted by ordinal. */
export function setPods(w: SetContext, set: string): V1Pod[] {
  return [...w.pods.current.values()]
    .filter((p) => ordinalOf(set, p.metadata?.name ?? '') !== undefined)
    .sort((a, b) => ordinalOf(set, a.metadata!.name!)! - ordinalOf(set, b.metadata!.name!)!);
}

/** restartCount of the pod's first container (0 when unknown). */
export const restartCount = (p: V1Pod | undefined): number => p?.status?.containerStatuses?.[0]?.restartCount ?? 0;

/** The pod's first container runs a process started after `ms` (epoch ms): its node, and so the container, restarted. */
export const containerStartedAfter = (p: V1Pod | undefined, ms: number): boolean => {
  const at = p?.status?.containerStatuses?.[0]?.state?.running?.startedAt;
  return at !== undefined && new Date(at).getTime() > ms;
};

export const runningReady = (p: V1Pod | undefined): boolean => Boolean(p && p.status?.phase === 'Running' && isPodReady(p) && !p.metadata?.deletionTimestamp);

export function describePods(w: SetContext, set: string): string {
  const pods = setPods(w, set);
  const s = w.statefulsets.current.get(set);
  const status = s ? `sts ready=${s.status?.readyReplicas ?? 0}/${s.spec?.replicas}` : 'sts absent';
  return `${status}; pods: ${pods.map((p) => `${p.metadata?.name}=${p.status?.phase}${isPodReady(p) ? '+Ready' : ''}${p.metadata?.deletionTimestamp ? '(terminating)' : ''}${whyNotRunning(p)}`).join(', ') || 'none'}`;
}

/** Why a pod is stuck, as `kubectl get pods` shows it: ErrImagePull, ImagePullBackOff, CrashLoopBackOff, Unschedulable. */
export function whyNotRunning(p: V1Pod): string {
  const waiting = p.status?.containerStatuses?.find((c) => c.state?.waiting?.reason)?.state?.waiting;
  if (waiting) return ` [${waiting.reason}${waiting.message ? `: ${waiting.message.split('\n')[0]!.slice(0, 160)}` : ''}]`;
  const unsched = p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  // The scheduler's message says per node why not ("0/4 nodes are available: 1 node(s) …; preemption: …"): the
  // reason a pod stays Pending is often past 160 characters, so it is kept whole up to 600.
  if (unsched) return ` [${unsched.reason ?? 'Unschedulable'}: ${(unsched.message ?? '').slice(0, 600)}]`;
  return '';
}

/** Exactly `set`-0..n-1 exist, all Running+Ready, and the StatefulSet status agrees. */
export async function waitRunningAndReady(w: SetContext, set: string, n: number, timeoutS: number): Promise<void> {
  await w.pods.until(
    () => {
      const pods = setPods(w, set);
      const s = w.statefulsets.current.get(set);
      return pods.length === n && pods.every((p, i) => p.metadata?.name === podName(set, i) && runningReady(p)) && (s?.status?.readyReplicas ?? 0) === n;
    },
    w.timeoutMs(timeoutS),
    `${n} running and ready pods of ${set}`,
    () => describePods(w, set),
  );
  // The StatefulSet status can trail the pods by one watch event.
  await w.statefulsets.until(
    () => (w.statefulsets.current.get(set)?.status?.readyReplicas ?? 0) === n,
    w.timeoutMs(30),
    `${set} status.readyReplicas == ${n}`,
    () => describePods(w, set),
  );
}

/** However many replicas the set asks for are Running+Ready (a mutated manifest may ask for fewer). */
export async function waitSetReady(w: SetContext, set: string, timeoutS: number): Promise<number> {
  await w.statefulsets.until(
    () => {
      const s = w.statefulsets.current.get(set);
      const want = s?.spec?.replicas ?? -1;
      return want >= 0 && (s?.status?.readyReplicas ?? 0) === want && setPods(w, set).filter(runningReady).length === want;
    },
    w.timeoutMs(timeoutS),
    `every replica of ${set} Running and Ready`,
    () => describePods(w, set),
  );
  return w.statefulsets.current.get(set)?.spec?.replicas ?? 0;
}

/** No pod of the set exists any more. */
export async function waitNoPods(w: SetContext, set: string, timeoutS: number): Promise<void> {
  await w.pods.until(
    () => setPods(w, set).length === 0,
    w.timeoutMs(timeoutS),
    `all pods of ${set} to be deleted`,
    () => describePods(w, set),
  );
}

/** The mutations return the StatefulSet's new metadata.generation: waits must not accept older status. */
export async function scale(w: SetContext, set: string, replicas: number): Promise<number> {
  w.step(`scale sts ${set} --replicas=${replicas}`);
  const s = await w.kube.apps.patchNamespacedStatefulSet({ name: set, namespace: w.ns, body: { spec: { replicas } } }, MERGE);
  return s.metadata?.generation ?? 0;
}

export async function mergePatch(w: SetContext, set: string, body: object, why: string): Promise<number> {
  w.step(`patch sts ${set} ${why}: ${JSON.stringify(body)}`);
  const s = await w.kube.apps.patchNamespacedStatefulSet({ name: set, namespace: w.ns, body }, MERGE);
  return s.metadata?.generation ?? 0;
}

export async function setImage(w: SetContext, set: string, image: string): Promise<number> {
  w.step(`set image sts/${set} container 0 -> ${image}`);
  const s = await w.kube.apps.patchNamespacedStatefulSet(
    { name: set, namespace: w.ns, body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }] },
    JSON_PATCH,
  );
  return s.metadata?.generation ?? 0;
}

/** `kubectl rollout status sts/<set>` semantics (kubectl's StatefulSetStatusViewer). */
export function rolloutDone(s: V1StatefulSet | undefined, minGeneration = 0): { done: boolean; message: string } {
  if (!s) return { done: false, message: 'statefulset not found' };
  if ((s.metadata?.generation ?? 0) < minGeneration || (s.status?.observedGeneration ?? 0) < minGeneration) {
    return { done: false, message: `waiting for generation ${minGeneration} to be observed` };
  }
  if (s.spec?.updateStrategy?.type && s.spec.updateStrategy.type !== 'RollingUpdate') {
    return { done: false, message: `rollout status is only available for RollingUpdate (got ${s.spec.updateStrategy.type})` };
  }
  const st = s.status;
  if (!st?.observedGeneration || (s.metadata?.generation ?? 0) > st.observedGeneration) {
    return { done: false, message: 'waiting for the statefulset spec update to be observed' };
  }
  const replicas = s.spec?.replicas ?? 1;
  if ((st.readyReplicas ?? 0) < replicas) return { done: false, message: `${st.readyReplicas ?? 0} of ${replicas} ready` };
  const partition = s.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    const want = replicas - partition;
    return (st.updatedReplicas ?? 0) < want
      ? { done: false, message: `${st.updatedReplicas ?? 0} of ${want} updated (partition ${partition})` }
      : { done: true, message: `partitioned roll out complete: ${st.updatedReplicas ?? 0} new pods updated` };
  }
  if (st.updateRevision !== st.currentRevision) {
    return { done: false, message: `waiting for update to revision ${st.updateRevision} (current ${st.currentRevision})` };
  }
  return { done: true, message: `rolling update complete ${st.currentReplicas ?? 0} pods at revision ${st.currentRevision}` };
}

/** Waits like `kubectl rollout status`, for the spec at `generation` (from the mutation that started it). */
export async function waitRollout(w: SetContext, set: string, timeoutS: number, generation: number): Promise<void> {
  await w.statefulsets.until(
    () => rolloutDone(w.statefulsets.current.get(set), generation).done,
    w.timeoutMs(timeoutS),
    `rollout of sts/${set}`,
    () => `${rolloutDone(w.statefulsets.current.get(set), generation).message}; ${describePods(w, set)}`,
  );
}

export const imageOf = (p: V1Pod | undefined): string | undefined => p?.spec?.containers?.[0]?.image;

/**
 * The headless Service's SRV answer (`dig +short SRV _<port-name>._tcp.<domain>`) has exactly one record per Ready
 * pod (`<prio> <weight> <port> <pod>.<domain>.`). `expected` are the pods that must be Ready at this point (the
 * catalogue's, never empty) and `ready` the pods that are: they must be the same set before the answer is
 * compared, so an empty answer cannot match an empty Ready set.
 */
export function srvPerReadyPod(
  digOutput: string,
  o: { readonly domain: string; readonly port: number; readonly ready: readonly string[]; readonly expected: readonly string[] },
): Verdict {
  const expected = [...o.expected].sort();
  if (expected.length === 0) return { ok: false, reason: 'no pod is expected to be Ready: an empty SRV answer would match an empty Ready set' };
  const ready = [...o.ready].sort();
  if (ready.join(',') !== expected.join(',')) {
    return { ok: false, reason: `the Ready pods are [${ready.join(', ')}], expected exactly [${expected.join(', ')}]` };
  }
  const targets: string[] = [];
  for (const line of digOutput.split('\n').map((l) => l.trim())) {
    if (!line) continue;
    const m = /^\d+ \d+ (\d+) (\S+)$/.exec(line);
    if (!m || Number(m[1]) !== o.port) return { ok: false, reason: `unexpected SRV line: ${line}` };
    targets.push(m[2]!);
  }
  targets.sort();
  const want = expected.map((p) => `${p}.${o.domain}.`).sort();
  if (targets.join(',') !== want.join(',')) {
    return { ok: false, reason: `SRV targets [${targets.join(', ')}], expected one per Ready pod: [${want.join(', ')}]` };
  }
  return { ok: true, reason: `one SRV record per Ready pod: ${targets.join(', ')}` };
}
