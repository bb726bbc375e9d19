/**
 * What a run leaves in a cluster that outlives it (`--provider existing`, `--reuse`): its namespaces, labelled
 * `stateful-e2e/run=<runId>` when created, the nodes it cordoned, labelled by src/kube/drain.ts, and the node
 * labels it set, recorded by src/kube/node-labels.ts. A kind or kwok cluster is deleted whole instead. Used by the existing provider's teardown and by the journal after a crash.
 */
import { existsSync } from 'node:fs';
import { connect } from './client.ts';
import { CORDONED_BY, uncordonAll } from './drain.ts';
import { unlabelAll } from './node-labels.ts';
import { errorMessage } from '../errors.ts';
import { within } from '../wait.ts';

export const RUN_LABEL = 'stateful-e2e/run';

/**
 * Deletes the run's namespaces (without waiting for them to finish terminating), uncordons the nodes it cordoned and
 * removes the node labels it set.
 * Idempotent; returns one line per thing done or failed, for the log.
 */
export async function removeRunObjects(kubeconfigPath: string, runId: string, timeoutMs = 20_000): Promise<string[]> {
  if (!existsSync(kubeconfigPath)) return [`no kubeconfig at ${kubeconfigPath}: nothing to remove`];
  const kube = connect(kubeconfigPath);
  const done: string[] = [];
  try {
    const nodes = await within(timeoutMs, 'uncordon', uncordonAll(kube, runId));
    if (nodes.length > 0) done.push(`uncordoned ${nodes.join(', ')} (${CORDONED_BY}=${runId})`);
  } catch (err) {
    done.push(`uncordon failed: ${errorMessage(err)}`);
  }
  try {
    const labelled = await within(timeoutMs, 'node labels', unlabelAll(kube, runId));
    if (labelled.length > 0) done.push(`removed node labels ${labelled.join('; ')}`);
  } catch (err) {
    done.push(`node label cleanup failed: ${errorMessage(err)}`);
  }
  try {
    const list = await within(timeoutMs, 'list namespaces', kube.core.listNamespace({ labelSelector: `${RUN_LABEL}=${runId}` }));
    for (const ns of list.items) {
      if (ns.metadata?.deletionTimestamp) continue;
      await within(timeoutMs, `delete namespace ${ns.metadata!.name}`, kube.core.deleteNamespace({ name: ns.metadata!.name! }));
      done.push(`deleted namespace ${ns.metadata!.name}`);
    }
  } catch (err) {
    done.push(`namespace cleanup failed: ${errorMessage(err)}`);
  }
  return done;
}
