/**
 * A cluster the user already has (--kubeconfig F [--context C]). The harness copies the chosen context into a
 * kubeconfig of its own and never writes the user's file; it creates only namespaces, which scenarios delete.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig, CoreV1Api, type V1NodeList } from '@kubernetes/client-node';
import { HarnessError, errorMessage } from '../errors.ts';
import { ALL_CAPABILITIES, type Cluster, type ClusterProvider, type CreateClusterOptions } from './provider.ts';

export function existingProvider(kubeconfig: string, context?: string): ClusterProvider {
  return {
    name: 'existing',
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
      const own = path.join(opts.workDir, 'kubeconfig');
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
        capabilities: new Set(ALL_CAPABILITIES),
        workerNodes: workers,
        async loadImages() {},
        async destroy() {},
      };
    },
  };
}
