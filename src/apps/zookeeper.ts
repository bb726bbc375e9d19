/**
 * The ZooKeeper client side of the tutorial: the real protocol through node-zookeeper-client over a
 * port-forward to one member (create on one, read on another), plus zkCli.sh and `srvr` through exec.
 */
import zookeeper, { type Client, type Stat, type ZkError } from 'node-zookeeper-client';
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { Kube } from '../kube/client.ts';
import { portForward } from '../kube/port-forward.ts';
import { parseSrvr, type Srvr } from '../parsers/zookeeper.ts';
import type { AppContext } from '../kube/context.ts';
import type { ResourceWatch } from '../kube/watch.ts';
import type { Verdict } from '../ordering.ts';
import type { Adapter } from '../ledger/writer.ts';

/** The namespace's PDBs (zk-pdb), watched from the list's resourceVersion; the timeline shows each status change. */
export function watchPdbs(w: AppContext): Promise<ResourceWatch<V1PodDisruptionBudget>> {
  return w.watch<V1PodDisruptionBudget>(
    { path: `/apis/policy/v1/namespaces/${w.ns}/poddisruptionbudgets`, apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace: w.ns },
    (p) => `allowed=${p.status?.disruptionsAllowed ?? '?'} healthy=${p.status?.currentHealthy ?? '?'}/${p.status?.expectedPods ?? '?'}`,
  );
}

async function withMember<T>(kube: Kube, ns: string, pod: string, timeoutMs: number, fn: (c: Client) => Promise<T>, port = 2181): Promise<T> {
  const fwd = await portForward(kube, ns, pod, port);
  // One member only: the forwarded address is the whole connection string, so the client cannot wander.
  const client = zookeeper.createClient(fwd.address, { sessionTimeout: 10_000, retries: 2 });
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ZooKeeper session with ${pod} within ${timeoutMs / 1000}s`)), timeoutMs);
      client.once('connected', () => {
        clearTimeout(t);
        resolve();
      });
      client.connect();
    });
    return await fn(client);
  } finally {
    client.close();
    await fwd.close();
  }
}

const cb = <T>(fn: (done: (err: Error | null, v?: T) => void) => void): Promise<T | undefined> =>
  new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

/** Creates (or overwrites by delete+create) a znode through the member `pod`. */
export function zkCreate(kube: Kube, ns: string, pod: string, path: string, data: string, timeoutMs = 30_000): Promise<void> {
  return withMember(kube, ns, pod, timeoutMs, async (c) => {
    const stat = await cb<Stat | null>((d) => c.exists(path, d));
    if (stat) await cb<void>((d) => c.remove(path, -1, d));
    await cb<string>((d) => c.create(path, Buffer.from(data), d));
  });
}

/** The error code of a ZooKeeper error (Exception.NO_NODE, ...), undefined for any other error. */
const zkCode = (err: unknown): number | undefined => (err as Partial<ZkError> | undefined)?.getCode?.();

/** The data of `path`, or undefined when the server says there is no such znode (NO_NODE). */
async function readZnode(c: Client, path: string): Promise<string | undefined> {
  try {
    return (await cb<Buffer>((d) => c.getData(path, d)))?.toString('utf8') ?? '';
  } catch (err) {
    if (zkCode(err) === zookeeper.Exception.NO_NODE) return undefined;
    throw err;
  }
}

/** Sets `path` to `data` through the member `pod` (port `port`), creating it and its parents as needed. */
export function zkPut(kube: Kube, ns: string, pod: string, path: string, data: string, port = 2181, timeoutMs = 30_000): Promise<void> {
  return withMember(
    kube,
    ns,
    pod,
    timeoutMs,
    async (c) => {
      const parent = path.slice(0, path.lastIndexOf('/'));
      if (parent) await cb<string>((d) => c.mkdirp(parent, d));
      const stat = await cb<Stat | null>((d) => c.exists(path, d));
      if (stat) await cb<Stat>((d) => c.setData(path, Buffer.from(data), -1, d));
      else await cb<string>((d) => c.create(path, Buffer.from(data), d));
    },
    port,
  );
}

/** The data of `path` through the member `pod`, or undefined when it does not exist there. */
export function zkRead(kube: Kube, ns: string, pod: string, path: string, port = 2181, timeoutMs = 30_000): Promise<string | undefined> {
  return withMember(kube, ns, pod, timeoutMs, (c) => readZnode(c, path), port);
}

export function zkGet(kube: Kube, ns: string, pod: string, path: string, timeoutMs = 30_000): Promise<string> {
  return withMember(kube, ns, pod, timeoutMs, async (c) => {
    const data = await cb<Buffer>((d) => c.getData(path, d));
    return data?.toString('utf8') ?? '';
  });
}

/**
 * The tutorial's `echo srvr | nc 127.0.0.1 2181`, sent with printf: ZooKeeper 3.4 closes the socket with the
 * trailing newline unread, which drops the answer about one time in five (measured with the offline image).
 */
export async function srvr(w: AppContext, pod: string): Promise<Srvr> {
  const r = await w.exec(pod, ['sh', '-c', 'printf srvr | nc 127.0.0.1 2181'], 30);
  return parseSrvr(r.stdout);
}

/** `zkCli.sh get PATH` on a member: the data line, as the tutorial reads it (L1818-1844). */
export async function zkCliGet(w: AppContext, pod: string, path: string): Promise<string[]> {
  const r = await w.exec(pod, ['zkCli.sh', 'get', path], 60);
  return r.stdout.split('\n').map((l) => l.trim());
}

export async function zkCliCreate(w: AppContext, pod: string, path: string, data: string): Promise<string> {
  // "Node already exists" on a rerun against kept storage: delete first (catalogue S4 pitfalls).
  await w.exec(pod, ['zkCli.sh', 'delete', path], 60);
  const r = await w.exec(pod, ['zkCli.sh', 'create', path, data], 60);
  return r.stdout + r.stderr;
}

/**
 * "zk-pdb has settled to `expected` allowed disruptions" before or after a drain. A missing PDB is a failure that
 * says so: without it there is no budget, so nothing can settle and a drain is never blocked.
 */
export function pdbSettled(pdb: V1PodDisruptionBudget | undefined, name: string, expected: number): Verdict {
  if (!pdb) return { ok: false, reason: `PodDisruptionBudget ${name} does not exist, so disruptionsAllowed cannot be ${expected}` };
  const allowed = pdb.status?.disruptionsAllowed;
  if (allowed !== expected) {
    const s = pdb.status;
    return {
      ok: false,
      reason: `${name} disruptionsAllowed=${allowed ?? '?'} (healthy ${s?.currentHealthy ?? '?'}/${s?.expectedPods ?? '?'}), expected ${expected}`,
    };
  }
  return { ok: true, reason: `${name} disruptionsAllowed=${expected}` };
}

/** Where the write ledger's keys live: one znode each, under this parent. */
export const LEDGER_ZNODE = '/e2e-ledger';

/**
 * The write ledger's way into the ensemble: one ZooKeeper session over port-forwards to every member, so the client
 * moves to another member when the one it talks to fails, as an application's client would. A write is a `create`
 * (acknowledged once a quorum has logged it), a read is `getData` (NO_NODE is a missing key). A session that
 * expires is replaced by a new one, and operations in between fail, as they would for an application.
 *
 * node-zookeeper-client never gives up on a connection that stops answering (a member cut off from the network
 * keeps its TCP connection half-open); the Java client drops it after a read timeout of 2/3 of the session
 * timeout and moves to the next member. The adapter does the same: when operations have waited longer than that
 * with no answer from the server, it drops the connection (every forward's), and the client reconnects elsewhere.
 */
export async function zkLedgerAdapter(kube: Kube, ns: string, pods: readonly string[], timeoutMs = 30_000): Promise<Adapter & { close(): Promise<void> }> {
  const SESSION_TIMEOUT_MS = 15_000;
  const READ_TIMEOUT_MS = Math.floor((SESSION_TIMEOUT_MS * 2) / 3);
  const fwds = await Promise.all(pods.map((p) => portForward(kube, ns, p, 2181)));
  const connectString = fwds.map((f) => f.address).join(',');
  let closed = false;
  // spinDelay: how soon the client tries the next member after losing one (default 1 s).
  const open = (): Client => {
    const c = zookeeper.createClient(connectString, { sessionTimeout: SESSION_TIMEOUT_MS, spinDelay: 200, retries: 0 });
    c.once('expired', () => {
      if (closed) return;
      c.close();
      client = open();
    });
    c.connect();
    return c;
  };
  let client = open();
  const pending = new Set<{ readonly since: number }>();
  let lastAnswer = performance.now();
  const watchdog = setInterval(() => {
    const now = performance.now();
    const oldest = Math.min(...[...pending].map((p) => p.since));
    if (pending.size > 0 && now - oldest > READ_TIMEOUT_MS && now - lastAnswer > READ_TIMEOUT_MS) {
      lastAnswer = now; // at most once per read timeout
      for (const f of fwds) f.reset();
    }
  }, 500);
  watchdog.unref();
  const close = async (): Promise<void> => {
    closed = true;
    clearInterval(watchdog);
    client.close();
    await Promise.all(fwds.map((f) => f.close()));
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ZooKeeper session with ${pods.join(', ')} within ${timeoutMs / 1000}s`)), timeoutMs);
      client.once('connected', () => {
        clearTimeout(t);
        resolve();
      });
    });
    await cb<string>((d) => client.mkdirp(LEDGER_ZNODE, d));
  } catch (err) {
    await close();
    throw err;
  }
  /** An answer from the server: a result, or an error code it sent (not the client's own CONNECTION_LOSS). */
  const SERVER_CODES = new Set([zookeeper.Exception.NO_NODE, zookeeper.Exception.NODE_EXISTS]);
  const tracked = async <T>(op: () => Promise<T>): Promise<T> => {
    const p = { since: performance.now() };
    pending.add(p);
    try {
      const v = await op();
      lastAnswer = performance.now();
      return v;
    } catch (err) {
      if (SERVER_CODES.has(zkCode(err) ?? 0)) lastAnswer = performance.now();
      throw err;
    } finally {
      pending.delete(p);
    }
  };
  return {
    async write(key, value) {
      await tracked(() => cb<string>((d) => client.create(`${LEDGER_ZNODE}/${key}`, Buffer.from(value), d)));
    },
    // NO_NODE is an answer too (a missing key): readZnode turns it into undefined inside tracked().
    read: (key) => tracked(() => readZnode(client, `${LEDGER_ZNODE}/${key}`)),
    close,
  };
}
