/** ReplicationController operations the seeds use (`kubectl scale rc`); its pods are waited on by label (labelled-pods.ts). */
import { MERGE } from './client.ts';
import type { NamespaceContext } from './context.ts';

export async function scaleRc(w: NamespaceContext, name: string, replicas: number): Promise<void> {
  w.step(`kubectl scale rc ${name} --replicas=${replicas}`);
  await w.kube.core.patchNamespacedReplicationController({ name, namespace: w.ns, body: { spec: { replicas } } }, MERGE);
}
