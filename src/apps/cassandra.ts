/**
 * Cassandra client side: the real CQL protocol through cassandra-driver over a port-forward to ONE pod, pinned
 * to that address (the driver would otherwise dial the pod IPs it reads from system.peers, which the host cannot
 * route to), and `nodetool` through exec.
 */
import cassandra from 'cassandra-driver';
import type { Kube } from '../kube/client.ts';
import { portForward } from '../kube/port-forward.ts';
import { parseNodetoolInfo, parseNodetoolStatus, type NodeInfo, type RingNode } from '../parsers/cassandra.ts';
import { expect } from 'vitest';
import type { AppContext, SetContext } from '../kube/context.ts';
import { setPods } from '../kube/statefulset.ts';
import { eventually } from '../eventually.ts';
import type { Adapter } from '../ledger/writer.ts';
import type { KubernetesObject, V1StorageClass } from '@kubernetes/client-node';
import type { Deviation } from '../manifests.ts';
import type { Timeline } from '../timeline.ts';

/** What the StorageClass overlay needs: the client, and where deviations are recorded. */
export interface OverlayContext {
  readonly kube: Kube;
  readonly deviations: Deviation[];
  readonly timeline: Timeline;
}

/** How the client authenticates and how long it waits (defaults: none, and the tutorial's 15 s connect, 30 s per request). */
export interface CqlClientOptions {
  readonly user?: string;
  readonly password?: string;
  readonly connectTimeoutMs?: number;
  readonly readTimeoutMs?: number;
  /** false: no schema metadata read on connect and after a schema change (a session of one statement needs none). */
  readonly metadataSync?: boolean;
}

/**
 * A driver client pinned to `address` alone. Without `localDataCenter` no data center filters the plan: its one
 * host is the node itself, whose data center the driver reads from system.local.
 */
function pinnedClient(address: string, localDataCenter: string | undefined, o: CqlClientOptions): cassandra.Client {
  const { AllowListPolicy, DCAwareRoundRobinPolicy, RoundRobinPolicy } = cassandra.policies.loadBalancing;
  const child = localDataCenter === undefined ? new RoundRobinPolicy() : new DCAwareRoundRobinPolicy(localDataCenter);
  return new cassandra.Client({
    contactPoints: [address],
    ...(localDataCenter !== undefined && { localDataCenter }),
    policies: { loadBalancing: new AllowListPolicy(child, [address]) },
    socketOptions: { connectTimeout: o.connectTimeoutMs ?? 15_000, readTimeout: o.readTimeoutMs ?? 30_000 },
    isMetadataSyncEnabled: o.metadataSync ?? true,
    ...((o.user !== undefined || o.password !== undefined) && {
      // Cassandra's own superuser when only a password is given.
      authProvider: new cassandra.auth.PlainTextAuthProvider(o.user ?? 'cassandra', o.password ?? ''),
    }),
  });
}

/** `fn` with a connected client pinned to `address` (a port-forward already open); shut down after, also on error. */
export async function withCqlAt<T>(
  address: string,
  localDataCenter: string | undefined,
  o: CqlClientOptions,
  fn: (c: cassandra.Client) => Promise<T>,
): Promise<T> {
  const client = pinnedClient(address, localDataCenter, o);
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

/** `fn` with a client pinned to `pod`, through a port-forward to its 9042 closed after (the tutorial's Cassandra). */
export async function withCql<T>(kube: Kube, ns: string, pod: string, localDataCenter: string, fn: (c: cassandra.Client) => Promise<T>): Promise<T> {
  const fwd = await portForward(kube, ns, pod, 9042);
  try {
    return await withCqlAt(fwd.address, localDataCenter, {}, fn);
  } finally {
    await fwd.close();
  }
}

/**
 * The datum of the --app cql adapter: a row of `<keyspace>.kv (k text PRIMARY KEY, v text)`; the keyspace, when
 * created, replicated under SimpleStrategy. The keyspace is a validated identifier (profile.ts); keys and values are
 * bound.
 */
export function cqlStatements(keyspace: string): { createKeyspace(replicationFactor: number): string; createTable: string; write: string; read: string } {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyspace)) throw new Error(`not a CQL identifier: ${keyspace}`);
  return {
    createKeyspace(rf) {
      if (!Number.isInteger(rf) || rf < 1) throw new Error(`not a replication factor: ${rf}`);
      return `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${rf}}`;
    },
    createTable: `CREATE TABLE IF NOT EXISTS ${keyspace}.kv (k text PRIMARY KEY, v text)`,
    write: `INSERT INTO ${keyspace}.kv (k, v) VALUES (?, ?)`,
    read: `SELECT v FROM ${keyspace}.kv WHERE k = ?`,
  };
}

/** A profile's consistency name (ONE, QUORUM, LOCAL_QUORUM, ALL) as the driver's value. */
export function cqlConsistency(name: string): cassandra.types.consistencies {
  const key = name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const v = (cassandra.types.consistencies as unknown as Record<string, number | undefined>)[key];
  if (v === undefined) throw new Error(`unknown CQL consistency ${name}`);
  return v;
}

/** The coordinator said the keyspace or the table does not exist (Invalid: "unconfigured table kv", "Keyspace x does not exist"). */
export function missingCqlSchema(err: unknown): boolean {
  return (
    err instanceof cassandra.errors.ResponseError &&
    err.code === cassandra.types.responseErrorCodes.invalid &&
    /unconfigured table|keyspace '?\w+'? does not exist/i.test(err.message)
  );
}

export interface CqlKv {
  readonly keyspace: string;
  readonly consistency: cassandra.types.consistencies;
  /** Bounds each schema statement (they wait for the cluster's schema agreement). */
  readonly schemaTimeoutMs: number;
}

/** Creates the keyspace and the table of the datum, if missing. */
export async function createCqlKv(c: cassandra.Client, kv: CqlKv, replicationFactor: number): Promise<void> {
  const s = cqlStatements(kv.keyspace);
  await c.execute(s.createKeyspace(replicationFactor), [], { readTimeout: kv.schemaTimeoutMs });
  await c.execute(s.createTable, [], { readTimeout: kv.schemaTimeoutMs });
}

/** Writes the row `key`; when the schema is missing, `createSchema` (one at a time: see adapters.ts) and once more. */
export async function cqlPut(c: cassandra.Client, kv: CqlKv, key: string, value: string, createSchema: (c: cassandra.Client) => Promise<void>): Promise<void> {
  const write = () => c.execute(cqlStatements(kv.keyspace).write, [key, value], { prepare: true, consistency: kv.consistency });
  try {
    await write();
  } catch (err) {
    if (!missingCqlSchema(err)) throw err;
    await createSchema(c);
    await write();
  }
}

/** The value of the row `key`, or undefined when there is no such row (or no keyspace or table yet). */
export async function cqlGet(c: cassandra.Client, kv: CqlKv, key: string): Promise<string | undefined> {
  try {
    const rs = await c.execute(cqlStatements(kv.keyspace).read, [key], { prepare: true, consistency: kv.consistency });
    const v: unknown = rs.first()?.get('v');
    return typeof v === 'string' ? v : undefined;
  } catch (err) {
    if (missingCqlSchema(err)) return undefined;
    throw err;
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

/** The tutorial ring (cassandra.yaml's CASSANDRA_DC and CASSANDRA_RACK, the image's num_tokens). */
export const TUTORIAL_RING = { datacenter: 'DC1-K8Demo', rack: 'Rack1-K8Demo', tokens: 32 } as const;
export type RingShape = { readonly datacenter: string; readonly rack: string; readonly tokens: number };
/** The ring of the v12 stand-in (fixtures/cassandra-v12, E1/E2): SimpleSnitch's names, as the seed sets no DC or rack, and the image's num_tokens. */
export const V12_RING: RingShape = { datacenter: 'datacenter1', rack: 'rack1', tokens: 32 };

/**
 * Waits until `nodetool status` on `pod` shows exactly `n` nodes UN, whose addresses are the pod IPs of the
 * StatefulSet `set`, each in the ring's datacenter and rack with its tokens (a node of another ring, or a stale
 * address, does not count).
 */
export async function waitForRing(
  w: AppContext & SetContext,
  set: string,
  pod: string,
  n: number,
  timeoutS: number,
  ring: RingShape = TUTORIAL_RING,
): Promise<void> {
  await waitForRingOf(w, pod, () => setPods(w, set).map((p) => p.status?.podIP ?? ''), n, timeoutS, ring);
}

/**
 * The same for members that are not a StatefulSet's (a ReplicationController's, a DaemonSet's): `nodetool status`
 * on `pod` shows exactly `n` nodes UN, with exactly the addresses `memberIps()` gives at that moment, in `ring`'s
 * datacenter and rack with its tokens. With `onlyUn`, a node in any other state (DN: a deleted member's address)
 * fails it too.
 */
export async function waitForRingOf(
  w: AppContext,
  pod: string,
  memberIps: () => readonly string[],
  n: number,
  timeoutS: number,
  ring: RingShape,
  opts: { readonly onlyUn?: boolean } = {},
): Promise<RingNode[]> {
  return eventually(`${n} UN nodes in nodetool status on ${pod}`, w.timeoutMs(timeoutS), async () => {
    const status = await nodetoolStatus(w, pod);
    const up = status.filter((r) => r.state === 'UN');
    const seen = status.map((r) => `${r.state} ${r.address}`).join(', ');
    expect(up.length, seen).toBe(n);
    if (opts.onlyUn) expect(status.length, seen).toBe(n);
    expect(up.map((r) => r.address).sort()).toEqual([...memberIps()].sort());
    for (const r of up) {
      expect(r.datacenter).toBe(ring.datacenter);
      expect(r.rack).toBe(ring.rack);
      expect(r.tokens).toBe(ring.tokens);
    }
    return status;
  });
}

const HOST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The node's Host ID (`nodetool info` line `ID`, a UUID); throws when the output has none, so no two "missing" IDs compare equal. */
export function requireHostId(info: NodeInfo, pod: string): string {
  if (info.id === undefined || !HOST_ID.test(info.id)) throw new Error(`nodetool info on ${pod} shows no Host ID (ID: ${info.id ?? 'missing'})`);
  return info.id;
}

/**
 * The write ledger's CQL adapter (docs/faults.md §F5): one driver client per member, each pinned to its own
 * port-forward, as an application with every node as a contact point would spread its requests. A write is an
 * INSERT and a read a SELECT of `<keyspace>.ledger`, both at QUORUM. An operation goes to the next coordinator in
 * turn; when one fails (its node is down, or it timed out) the same statement goes to the next, so the ledger judges
 * the cluster, not one coordinator. A coordinator that failed is passed over for `coolDownMs` while others remain.
 * An INSERT of the same key and value again is idempotent, so the retry is safe.
 */
export async function cqlLedgerAdapter(
  kube: Kube,
  ns: string,
  pods: readonly string[],
  opts: { localDataCenter: string; keyspace: string; attemptTimeoutMs?: number; coolDownMs?: number },
): Promise<Adapter & { close(): Promise<void> }> {
  const attemptTimeoutMs = opts.attemptTimeoutMs ?? 1500;
  const coolDownMs = opts.coolDownMs ?? 5000;
  const { AllowListPolicy, DCAwareRoundRobinPolicy } = cassandra.policies.loadBalancing;
  const members = await Promise.all(
    pods.map(async (pod) => {
      const fwd = await portForward(kube, ns, pod, 9042);
      const client = new cassandra.Client({
        contactPoints: [fwd.address],
        localDataCenter: opts.localDataCenter,
        policies: {
          loadBalancing: new AllowListPolicy(new DCAwareRoundRobinPolicy(opts.localDataCenter), [fwd.address]),
          reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(1000),
          retry: new cassandra.policies.retry.FallthroughRetryPolicy(),
        },
        socketOptions: { connectTimeout: 5000, readTimeout: attemptTimeoutMs },
      });
      return { pod, fwd, client, failedAt: Number.NEGATIVE_INFINITY };
    }),
  );
  const close = async (): Promise<void> => {
    await Promise.all(members.map((m) => m.client.shutdown().catch(() => undefined)));
    await Promise.all(members.map((m) => m.fwd.close()));
  };
  // Every member must answer once at the start: the ledger's budgets count from a healthy cluster.
  try {
    await Promise.all(members.map((m) => m.client.connect()));
  } catch (err) {
    await close();
    throw new Error(`CQL through ${pods.join(', ')}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const table = `${opts.keyspace}.ledger`;
  let next = 0;
  const QUORUM = cassandra.types.consistencies.quorum;
  const run = async <T>(op: (c: cassandra.Client) => Promise<T>): Promise<T> => {
    const start = next++ % members.length;
    const order = members.map((_, i) => members[(start + i) % members.length]!);
    const now = performance.now();
    const fresh = order.filter((m) => now - m.failedAt > coolDownMs);
    const tries = [...fresh, ...order.filter((m) => !fresh.includes(m))];
    const errors: string[] = [];
    for (const m of tries) {
      try {
        return await op(m.client);
      } catch (err) {
        m.failedAt = performance.now();
        errors.push(`${m.pod}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    }
    throw new Error(errors.join('; '));
  };
  return {
    async write(key, value) {
      await run((c) => c.execute(`INSERT INTO ${table} (k, v) VALUES (?, ?)`, [key, value], { prepare: true, consistency: QUORUM }));
    },
    async read(key) {
      const rs = await run((c) => c.execute(`SELECT v FROM ${table} WHERE k = ?`, [key], { prepare: true, consistency: QUORUM }));
      const v = rs.first()?.get('v');
      return typeof v === 'string' ? v : undefined;
    },
    close,
  };
}

/**
 * Harness overlay (catalogue §S3): StorageClass `fast` names minikube's provisioner, which no other cluster has.
 * Point it at the cluster's default class (provisioner, parameters, binding mode) and record the deviation.
 */
export async function fastClassOverlay(w: OverlayContext, seed: KubernetesObject): Promise<KubernetesObject> {
  const classes = await w.kube.storage.listStorageClass();
  const def = classes.items.find((c) => c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
  if (!def) throw new Error('the cluster has no default StorageClass to stand in for `fast`');
  const seedSc = seed as V1StorageClass;
  const sc: V1StorageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'fast' },
    provisioner: def.provisioner,
    ...(def.parameters ? { parameters: def.parameters } : {}),
    ...(def.volumeBindingMode ? { volumeBindingMode: def.volumeBindingMode } : {}),
    reclaimPolicy: def.reclaimPolicy ?? 'Delete',
  };
  const change = `StorageClass fast: provisioner ${seedSc.provisioner} -> ${def.provisioner} (the cluster default ${def.metadata?.name}), parameters ${JSON.stringify(seedSc.parameters ?? {})} -> ${JSON.stringify(def.parameters ?? {})}`;
  w.deviations.push({ object: 'StorageClass/fast', change });
  w.timeline.add('note', 'overlay', change);
  return sc as KubernetesObject;
}

export async function deleteFastClass(w: { readonly kube: Kube }): Promise<void> {
  await w.kube.storage.deleteStorageClass({ name: 'fast' }).catch(() => undefined);
}
