/**
 * Pods chosen by their labels, for controllers whose pods have no stable names (a ReplicationController, a
 * DaemonSet): the twin of the StatefulSet helpers' setPods/describePods/waitNoPods. A selector is matchLabels: a
 * pod is selected when it carries every one of the labels.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { PodsContext } from './context.ts';
import { runningReady, whyNotRunning } from './statefulset.ts';

export type MatchLabels = Readonly<Record<string, string>>;

export const selectorText = (labels: MatchLabels): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export const matches = (p: V1Pod, labels: MatchLabels): boolean => Object.entries(labels).every(([k, v]) => p.metadata?.labels?.[k] === v);

const byName = (a: V1Pod, b: V1Pod): number => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** Every selected pod, terminating ones included, by name. */
export const labelledPods = (w: PodsContext, labels: MatchLabels): V1Pod[] => [...w.pods.current.values()].filter((p) => matches(p, labels)).sort(byName);

/** The selected pods that are not being deleted, by name. */
export const livePods = (w: PodsContext, labels: MatchLabels): V1Pod[] => labelledPods(w, labels).filter((p) => !p.metadata?.deletionTimestamp);

/** `name@node=phase [why]` for each selected pod: what a wait on them prints when it times out. */
export function describeLabelled(w: PodsContext, labels: MatchLabels): string {
  const pods = labelledPods(w, labels);
  return (
    pods
      .map(
        (p) =>
          `${p.metadata?.name}@${p.spec?.nodeName ?? '-'}=${p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Pending')}${whyNotRunning(p)}`,
      )
      .join(', ') || `no pod with ${selectorText(labels)}`
  );
}

/** Exactly `n` selected pods exist, none terminating, each Running and Ready with an IP; returns them by name. */
export async function waitLabelledReady(w: PodsContext, labels: MatchLabels, n: number, timeoutS: number): Promise<V1Pod[]> {
  await w.pods.until(
    () => {
      const all = labelledPods(w, labels);
      return all.length === n && all.every((p) => runningReady(p) && Boolean(p.status?.podIP));
    },
    w.timeoutMs(timeoutS),
    `exactly ${n} Running and Ready pods with ${selectorText(labels)}`,
    () => describeLabelled(w, labels),
  );
  return livePods(w, labels);
}

/** No selected pod exists any more (after deleting its controller with propagation Background, as kubectl does). */
export async function waitNoLabelledPods(w: PodsContext, labels: MatchLabels, timeoutS: number): Promise<void> {
  await w.pods.until(
    () => labelledPods(w, labels).length === 0,
    w.timeoutMs(timeoutS),
    `no pod with ${selectorText(labels)} left`,
    () => describeLabelled(w, labels),
  );
}
