/**
 * The built-in adapters of the profile's datum (docs/app-guarantees.md §0.2): one write or one read through a
 * port-forward to `datum.port` of one pod. Each operation opens its forward and its connection and closes both after,
 * also on error, so an operation never rides on a connection a disruption broke. The clients are the ecosystem's:
 * node-zookeeper-client, cassandra-driver, ioredis, mysql2, and `fetch` (src/apps/). A failure of the redis, mysql or
 * cql adapter is one line naming the adapter, the pod and the port: `redis on web-0:6379: connection refused`.
 */
import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import type cassandra from 'cassandra-driver';
import type { World } from '../scenario.ts';
import { apiMessage, statusCode } from '../kube/client.ts';
import { portForward, type Forward } from '../kube/port-forward.ts';
import { zkPut, zkRead } from '../apps/zookeeper.ts';
import { redisGet, redisSet, type RedisTarget } from '../apps/redis.ts';
import { mysqlGet, mysqlPut, type MysqlTarget } from '../apps/mysql.ts';
import { createCqlKv, cqlConsistency, cqlGet, cqlPut, withCqlAt, type CqlClientOptions, type CqlKv } from '../apps/cassandra.ts';
import type { AdapterDatum, SecretRef } from './profile.ts';
import { fillTemplate } from './verdicts.ts';

/** One write or read through the adapter on `pod`: the value read (undefined: the app says there is none). */
export interface AdapterIo {
  write(pod: string, port: number, key: string, value: string): Promise<void>;
  read(pod: string, port: number, key: string): Promise<string | undefined>;
}

export function adapterIo(w: World, d: AdapterDatum): AdapterIo {
  switch (d.adapter) {
    case 'zookeeper': {
      const path = (key: string): string => `${d.options.path.replace(/\/$/, '')}/${key}`;
      return {
        write: (pod, port, key, value) => zkPut(w.kube, w.ns, pod, path(key), value, port, w.timeoutMs(10)),
        read: (pod, port, key) => zkRead(w.kube, w.ns, pod, path(key), port, w.timeoutMs(10)),
      };
    }
    case 'http': {
      const o = d.options;
      const request = async (pod: string, port: number, method: string, urlPath: string, body?: string): Promise<Response> => {
        const fwd = await portForward(w.kube, w.ns, pod, port);
        try {
          return await fetch(`http://${fwd.address}${urlPath}`, {
            method,
            ...(body !== undefined ? { body } : {}),
            signal: AbortSignal.timeout(w.timeoutMs(30)),
          });
        } finally {
          await fwd.close();
        }
      };
      return {
        async write(pod, port, key, value) {
          const r = await request(pod, port, o.writeMethod, fillTemplate(o.writePath, key, value), fillTemplate(o.writeBody, key, value));
          if (!r.ok) throw new Error(`${o.writeMethod} ${fillTemplate(o.writePath, key, value)} answered ${r.status}`);
        },
        async read(pod, port, key) {
          const r = await request(pod, port, 'GET', fillTemplate(o.readPath, key));
          if (r.status === 404) return undefined;
          if (!r.ok) throw new Error(`GET ${fillTemplate(o.readPath, key)} answered ${r.status}`);
          return (await r.text()).trim();
        },
      };
    }
    case 'redis': {
      const password = secretOnce(w, d.options.passwordSecret);
      const target = async (f: Forward): Promise<RedisTarget> => ({
        host: '127.0.0.1',
        port: f.localPort,
        db: d.options.db,
        ...withPassword(await password()),
        timeoutMs: w.timeoutMs(10),
      });
      return {
        write: (pod, port, key, value) => throughForward(w, 'redis', pod, port, w.timeoutMs(30), async (f) => redisSet(await target(f), key, value)),
        read: (pod, port, key) => throughForward(w, 'redis', pod, port, w.timeoutMs(30), async (f) => redisGet(await target(f), key)),
      };
    }
    case 'mysql': {
      const password = secretOnce(w, d.options.passwordSecret);
      const target = async (f: Forward): Promise<MysqlTarget> => ({
        host: '127.0.0.1',
        port: f.localPort,
        database: d.options.database,
        user: d.options.user,
        ...withPassword(await password()),
        timeoutMs: w.timeoutMs(10),
      });
      return {
        write: (pod, port, key, value) => throughForward(w, 'mysql', pod, port, w.timeoutMs(30), async (f) => mysqlPut(await target(f), key, value)),
        read: (pod, port, key) => throughForward(w, 'mysql', pod, port, w.timeoutMs(30), async (f) => mysqlGet(await target(f), key)),
      };
    }
    case 'cql': {
      const o = d.options;
      const password = secretOnce(w, o.passwordSecret);
      const kv: CqlKv = { keyspace: o.keyspace, consistency: cqlConsistency(o.consistency), schemaTimeoutMs: w.timeoutMs(60) };
      const client = async (): Promise<CqlClientOptions> => ({
        ...(o.user !== undefined && { user: o.user }),
        ...withPassword(await password()),
        connectTimeoutMs: w.timeoutMs(10),
        readTimeoutMs: w.timeoutMs(10),
        metadataSync: false,
      });
      // Two coordinators creating the same table at once can each give it its own id (CASSANDRA-5202): this
      // adapter's writers (a ledger runs several at a time) create the schema one at a time.
      let creating: Promise<void> | undefined;
      const createSchema = (pod: string) => (c: cassandra.Client) =>
        (creating ??= createCqlKv(c, kv, replicationFactor(o.replicationFactor, ownerReplicas(w, w.pod(pod)), pod)).finally(() => {
          creating = undefined;
        }));
      const session = <T>(pod: string, port: number, fn: (c: cassandra.Client) => Promise<T>): Promise<T> =>
        throughForward(w, 'cql', pod, port, w.timeoutMs(90), async (f) => withCqlAt(f.address, o.localDataCenter, await client(), fn));
      return {
        write: (pod, port, key, value) => session(pod, port, (c) => cqlPut(c, kv, key, value, createSchema(pod))),
        read: (pod, port, key) => session(pod, port, (c) => cqlGet(c, kv, key)),
      };
    }
  }
}

/**
 * `fn` through a port-forward to `port` of `pod`, closed after, also on error. Its failure, or no answer within
 * `timeoutMs` (a backstop behind the clients' own timeouts: closing the forward breaks their connection), is one
 * line naming the adapter, the pod and the port.
 */
async function throughForward<T>(w: World, adapter: string, pod: string, port: number, timeoutMs: number, fn: (f: Forward) => Promise<T>): Promise<T> {
  let fwd: Forward | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    fwd = await portForward(w.kube, w.ns, pod, port);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    return await Promise.race([fn(fwd), deadline]);
  } catch (err) {
    throw new Error(adapterFailure(adapter, pod, port, err));
  } finally {
    clearTimeout(timer);
    await fwd?.close();
  }
}

/** `redis on web-0:6379: connection refused`. */
export const adapterFailure = (adapter: string, pod: string, port: number, err: unknown): string => `${adapter} on ${pod}:${port}: ${failureReason(err)}`;

const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
};

/**
 * Why a client failed, in one line: a socket error by name, the one host's error inside cassandra-driver's
 * NoHostAvailableError (the client is pinned to one), else the first line of the message.
 */
export function failureReason(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; innerErrors?: unknown };
  if (typeof e.innerErrors === 'object' && e.innerErrors !== null) {
    const first: unknown = Object.values(e.innerErrors)[0];
    if (first !== undefined) return failureReason(first);
  }
  if (err instanceof AggregateError && err.errors.length > 0) return failureReason(err.errors[0]);
  if (typeof e.code === 'string' && SOCKET_ERRORS[e.code] !== undefined) return SOCKET_ERRORS[e.code]!;
  const line = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
  return line ? line.slice(0, 300) : err instanceof Error ? err.name : 'failed';
}

/** `ref.key` of the Secret, decoded (the API gives `data` in base64). Never part of a message. */
export function secretValue(secret: V1Secret, ref: SecretRef): string {
  const b64 = secret.data?.[ref.key];
  if (b64 === undefined) {
    const keys = Object.keys(secret.data ?? {});
    throw new Error(`passwordSecret: Secret ${ref.name} has no key ${ref.key}${keys.length ? ` (it has: ${keys.join(', ')})` : ''}`);
  }
  return Buffer.from(b64, 'base64').toString('utf8');
}

/** The password the profile points at, read from the run's namespace once (again after a failed read); none without a ref. */
function secretOnce(w: World, ref: SecretRef | undefined): () => Promise<string | undefined> {
  let value: Promise<string> | undefined;
  const read = async (r: SecretRef): Promise<string> => {
    try {
      return secretValue(await w.kube.core.readNamespacedSecret({ name: r.name, namespace: w.ns }), r);
    } catch (err) {
      if (statusCode(err) === 404) throw new Error(`passwordSecret: no Secret ${r.name} in namespace ${w.ns}`);
      if (statusCode(err) !== undefined) throw new Error(`passwordSecret: reading Secret ${r.name}: ${apiMessage(err)}`);
      throw err;
    }
  };
  return () => {
    if (ref === undefined) return Promise.resolve(undefined);
    value ??= read(ref).catch((err: unknown) => {
      value = undefined;
      throw err;
    });
    return value;
  };
}

const withPassword = (password: string | undefined): { password?: string } => (password === undefined ? {} : { password });

/** spec.replicas of the StatefulSet that controls `pod`, as the watch last saw it. */
function ownerReplicas(w: World, pod: V1Pod | undefined): number | undefined {
  const owner = pod?.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'StatefulSet')?.name;
  return owner === undefined ? undefined : w.statefulsets.current.get(owner)?.spec?.replicas;
}

/** The cql keyspace's replication factor when it is created: the profile's, else min(3, replicas). */
export function replicationFactor(given: number | undefined, replicas: number | undefined, pod: string): number {
  if (given !== undefined) return given;
  if (replicas === undefined || replicas < 1)
    throw new Error(`cannot tell the replicas of the StatefulSet of ${pod} to replicate the keyspace: give datum.options.replicationFactor`);
  return Math.min(3, replicas);
}
