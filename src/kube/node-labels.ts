/**
 * Node labels a run sets (a DaemonSet's nodeSelector, catalogue E2.3). Nodes are cluster-scoped and a cluster may
 * outlive the run (`--provider existing`, `--reuse`), so each label set is recorded on the node itself, in the
 * annotation `stateful-e2e/labels-of-<runId>` (the keys, comma-separated): the scenario's teardown, the run's
 * teardown and `--cleanup` (src/kube/run-objects.ts) remove exactly those labels, never one someone else set.
 */
import type { Kube } from './client.ts';
import { MERGE } from './client.ts';

const annotation = (by: string): string => `stateful-e2e/labels-of-${by}`;

/**
 * Sets `key=value` on `node`, recording the key first so that no interruption can leave the label unrecorded. A key
 * the node already has that this run did not set is someone else's: refused, since cleanup would remove it.
 */
export async function labelNode(kube: Kube, node: string, key: string, value: string, by: string): Promise<void> {
  const n = await kube.core.readNode({ name: node });
  const keys = new Set((n.metadata?.annotations?.[annotation(by)] ?? '').split(',').filter(Boolean));
  const theirs = n.metadata?.labels?.[key];
  if (theirs !== undefined && !keys.has(key)) throw new Error(`node ${node} already has the label ${key}=${theirs}, not set by this run: not changing it`);
  keys.add(key);
  await kube.core.patchNode({ name: node, body: { metadata: { annotations: { [annotation(by)]: [...keys].join(',') } } } }, MERGE);
  await kube.core.patchNode({ name: node, body: { metadata: { labels: { [key]: value } } } }, MERGE);
}

/** Removes `key` from `node` (and from the run's record, dropping the annotation when it is empty). */
export async function unlabelNode(kube: Kube, node: string, key: string, by: string): Promise<void> {
  const n = await kube.core.readNode({ name: node });
  const keys = (n.metadata?.annotations?.[annotation(by)] ?? '').split(',').filter((k) => k && k !== key);
  await kube.core.patchNode({ name: node, body: { metadata: { labels: { [key]: null } } } }, MERGE);
  await kube.core.patchNode({ name: node, body: { metadata: { annotations: { [annotation(by)]: keys.length > 0 ? keys.join(',') : null } } } }, MERGE);
}

/** Removes every label run `by` set, on every node; returns `node: key, …` per node cleaned. */
export async function unlabelAll(kube: Kube, by: string): Promise<string[]> {
  const done: string[] = [];
  for (const n of (await kube.core.listNode()).items) {
    const keys = (n.metadata?.annotations?.[annotation(by)] ?? '').split(',').filter(Boolean);
    if (!n.metadata?.annotations || !(annotation(by) in n.metadata.annotations)) continue;
    const labels: Record<string, null> = Object.fromEntries(keys.map((k) => [k, null]));
    await kube.core.patchNode({ name: n.metadata.name!, body: { metadata: { labels, annotations: { [annotation(by)]: null } } } }, MERGE);
    done.push(`${n.metadata.name}: ${keys.join(', ') || '(no label)'}`);
  }
  return done;
}
