/**
 * The static pod network of offline node images (network.ts has its pure parts), applied through `docker exec`:
 * at cluster creation, and again after a node fault that restarted a node (faults.ts), whose routes went with its
 * network namespace.
 */
import path from 'node:path';
import { $ } from 'zx';
import type { CoreV1Api } from '@kubernetes/client-node';
import { HarnessError } from '../../errors.ts';
import { until as waitUntil } from '../../wait.ts';
import { CNI_CONFLIST_PATH, clusterCIDRFlag, cniConflist, egressGuard, NODE_SYSCTLS, podRoutes, type KindNodeNet } from './network.ts';

$.verbose = false;
$.quiet = true;

export const lastLine = (s: string): string =>
  s
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop() ?? 'unknown error';

/** Polls `probe` (undefined when done, else what is still missing) every second until done or the deadline. */
export const until = (deadline: number, what: string, probe: () => Promise<string | undefined>): Promise<void> =>
  waitUntil(probe, { timeoutMs: Math.max(0, deadline - performance.now()) }, (missing) => new HarnessError(`kind: timed out waiting for ${what}: ${missing}`));

/**
 * What kindnetd does, once: wait for kube-controller-manager to give every node a podCIDR and for kube-proxy to
 * program the Service rules, then write each node's routes to the other nodes' pods and its conflist (which
 * makes the node Ready). Through `docker exec`; the node name is the container name.
 */
export async function staticPodNetwork(core: CoreV1Api, nodeNames: readonly string[], deadline: number): Promise<void> {
  let cidrs = new Map<string, string>();
  await until(deadline, 'podCIDRs on every node', async () => {
    const nodes = (await core.listNode()).items;
    cidrs = new Map(nodes.filter((n) => n.spec?.podCIDR).map((n) => [n.metadata?.name ?? '', n.spec!.podCIDR!]));
    const without = nodeNames.filter((n) => !cidrs.has(n));
    return without.length ? `no podCIDR yet: ${without.join(', ')}` : undefined;
  });
  const nets: KindNodeNet[] = [];
  for (const name of nodeNames) {
    const r = await $`docker inspect -f ${'{{with index .NetworkSettings.Networks "kind"}}{{.IPAddress}}{{end}}'} ${name}`.nothrow();
    const ip = r.stdout.trim();
    if (r.exitCode !== 0 || !ip) throw new HarnessError(`kind: no address of node ${name} on the kind network: ${lastLine(r.stderr || 'empty')}`);
    nets.push({ name, ip, podCIDR: cidrs.get(name)! });
  }
  // kube-proxy first: a pod that starts before its node has the Service rules sends its first SYN to
  // 10.96.0.1 unNATed, conntrack keeps that flow, and the pod times out (local-path-provisioner crashed once so).
  await until(deadline, 'kube-proxy Service rules on every node', async () => {
    const waiting: string[] = [];
    for (const name of nodeNames) {
      const r = await $`docker exec ${name} sh -c ${'iptables-nft-save -t nat 2>/dev/null; iptables-legacy-save -t nat 2>/dev/null'}`.nothrow();
      if (!r.stdout.includes('default/kubernetes:https')) waiting.push(name);
    }
    return waiting.length ? `no rules yet on ${waiting.join(', ')}` : undefined;
  });
  // The cluster's pod range from kube-controller-manager's static pod (kind: 10.244.0.0/16 unless configured).
  const kcm = await core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'component=kube-controller-manager' }).catch(() => undefined);
  const clusterCIDR = clusterCIDRFlag(kcm?.items[0]?.spec?.containers[0]?.command ?? []);
  const routes = podRoutes(nets, clusterCIDR);
  for (const n of nets) {
    // One exec per node; the words are addresses and CIDRs read from the API and Docker (no quoting needed).
    const script = [
      'set -e',
      ...[...NODE_SYSCTLS, ...(routes.get(n.name) ?? [])].map((argv) => argv.join(' ')),
      ...(clusterCIDR ? egressGuard(clusterCIDR) : []),
    ].join('\n');
    const r = await $`docker exec ${n.name} sh -c ${script}`.nothrow();
    if (r.exitCode !== 0) throw new HarnessError(`kind: the pod network's sysctl and routes on ${n.name} failed: ${lastLine(r.stderr)}`);
    const w = await $({
      input: cniConflist(n.podCIDR),
    })`docker exec -i ${n.name} sh -c ${`mkdir -p ${path.dirname(CNI_CONFLIST_PATH)} && cat > ${CNI_CONFLIST_PATH}`}`.nothrow();
    if (w.exitCode !== 0) throw new HarnessError(`kind: writing ${CNI_CONFLIST_PATH} on ${n.name} failed: ${lastLine(w.stderr)}`);
  }
}
