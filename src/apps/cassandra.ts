/**
 * Cassandra client side: the real CQL protocol through cassandra-driver over a port-forward to ONE pod, pinned
 * to that address (the driver would otherwise dial the pod IPs it reads from system.peers, which the host cannot
 * route to), and `nodetool` through exec.
 */
import cassandra from 'cassandra-driver';
import type { Kube } from '../kube/client.ts';
import { portForward } from '../kube/port-forward.ts';
import { parseNodetoolInfo, parseNodetoolStatus, type NodeInfo, type RingNode } from '../parsers/cassandra.ts';
import type { AppContext } from '../kube/context.ts';

export async function withCql<T>(kube: Kube, ns: string, pod: string, localDataCenter: string, fn: (c: cassandra.Client) => Promise<T>): Promise<T> {
  const fwd = await portForward(kube, ns, pod, 9042);
  const { AllowListPolicy, DCAwareRoundRobinPolicy } = cassandra.policies.loadBalancing;
  const client = new cassandra.Client({
    contactPoints: [fwd.address],
    localDataCenter,
    policies: { loadBalancing: new AllowListPolicy(new DCAwareRoundRobinPolicy(localDataCenter), [fwd.address]) },
    socketOptions: { connectTimeout: 15_000, readTimeout: 30_000 },
  });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.shutdown().catch(() => undefined);
    await fwd.close();
  }
}

export async function nodetoolStatus(w: AppContext, pod: string): Promise<RingNode[]> {
  const r = await w.exec(pod, ['nodetool', 'status'], 120);
  if (r.exitCode !== 0) throw new Error(`nodetool status on ${pod} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  return parseNodetoolStatus(r.stdout);
}

export async function nodetoolInfo(w: AppContext, pod: string): Promise<NodeInfo> {
  const r = await w.exec(pod, ['nodetool', 'info'], 120);
  if (r.exitCode !== 0) throw new Error(`nodetool info on ${pod} exited ${r.exitCode}`);
  return parseNodetoolInfo(r.stdout);
}

const HOST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The node's Host ID (`nodetool info` line `ID`, a UUID); throws when the output has none, so no two "missing" IDs compare equal. */
export function requireHostId(info: NodeInfo, pod: string): string {
  if (info.id === undefined || !HOST_ID.test(info.id)) throw new Error(`nodetool info on ${pod} shows no Host ID (ID: ${info.id ?? 'missing'})`);
  return info.id;
}
