/**
 * A cluster the user already has (--kubeconfig F [--context C]). The harness copies the chosen context into a
 * kubeconfig of its own and never writes the user's file; it creates only namespaces, which scenarios delete, and
 * cordons (drain steps), which their teardown lifts. The cluster outlives the run: what the journal lists for it is
 * the run's namespaces and cordons (src/kube/run-objects.ts), not the cluster.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig, CoreV1Api, type V1NodeList } from '@kubernetes/client-node';
import { HarnessError, errorMessage } from '../../errors.ts';
import type { Undoer } from '../../journal.ts';
import { removeRunObjects } from '../../kube/run-objects.ts';
import { ALL_CAPABILITIES, type Cluster, type ClusterProvider, type CreateClusterOptions, type ProviderModule } from '../provider.ts';

/** The copy of the user's context in the run's work directory. */
const ownKubeconfig = (workDir: string): string => path.join(workDir, 'kubeconfig');

/** Journal entry of the namespaces and cordons of run `runId` in a cluster that is not deleted with it. */
export type ClusterObjectsEntry = { readonly type: 'cluster-objects'; readonly kubeconfig: string; readonly runId: string };

/** Deletes the run's namespaces and uncordons its nodes; a kubeconfig that is gone means nothing to do. */
export const clusterObjectsUndoer: Undoer<ClusterObjectsEntry> = {
  type: 'cluster-objects',
  async undo(entry) {
    const failed = (await removeRunObjects(entry.kubeconfig, entry.runId)).filter((l) => / failed: /.test(l));
    if (failed.length > 0) throw new Error(failed.join('; '));
  },
};

export function existingProvider(kubeconfig: string, context?: string): ClusterProvider {
  return {
    name: 'existing',
    journalEntries: ({ workDir, runId }): ClusterObjectsEntry[] => [{ type: 'cluster-objects', kubeconfig: ownKubeconfig(workDir), runId }],
    async preflight() {
      const kc = new KubeConfig();
      try {
        kc.loadFromFile(kubeconfig);
      } catch (err) {
        throw new HarnessError(`--kubeconfig ${kubeconfig}: ${errorMessage(err)}`);
      }
      if (context && !kc.getContexts().some((c) => c.name === context)) {
        throw new HarnessError(
          `--context ${context}: not in ${kubeconfig} (has: ${kc
            .getContexts()
            .map((c) => c.name)
            .join(', ')})`,
        );
      }
    },
    async create(opts: CreateClusterOptions): Promise<Cluster> {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      if (context) kc.setCurrentContext(context);
      const own = ownKubeconfig(opts.workDir);
      writeFileSync(own, kc.exportConfig(), { mode: 0o600 });
      const core = kc.makeApiClient(CoreV1Api);
      let nodes: V1NodeList;
      try {
        nodes = await core.listNode();
      } catch (err) {
        throw new HarnessError(`cluster ${kc.getCurrentCluster()?.server ?? '?'} unreachable: ${errorMessage(err)}`);
      }
      const workers = nodes.items
        .filter((n) => !n.spec?.unschedulable && !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule'))
        .map((n) => n.metadata?.name ?? '');
      opts.log(`existing: context ${kc.getCurrentContext()}, ${workers.length} schedulable nodes`);
      return {
        provider: 'existing',
        name: kc.getCurrentContext(),
        profile: opts.profile,
        kubeconfigPath: own,
        // No node faults: the cluster is someone else's (a later --allow-disruptive may allow them where the provider can).
        capabilities: new Set(ALL_CAPABILITIES.filter((c) => c !== 'faults')),
        workerNodes: workers,
        async loadImages() {},
        async destroy() {},
      };
    },
  };
}

export const existing: ProviderModule = {
  name: 'existing',
  summary: 'your cluster (--kubeconfig F [--context C]); only what the run creates in it is removed',
  make: (opts) => existingProvider(opts.kubeconfig!, opts.context),
  undoers: [clusterObjectsUndoer],
};
