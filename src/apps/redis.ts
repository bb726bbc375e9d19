/**
 * Redis client side: ioredis to ONE address (a port-forward to one pod), one connection per call, no reconnect and
 * no offline queue, so a failure is an error at once instead of a command kept for later.
 */
import { Redis } from 'ioredis';

export interface RedisTarget {
  /** The forwarded address (127.0.0.1 and the forward's local port). */
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly password?: string;
  /** Bounds the connect and each command. */
  readonly timeoutMs: number;
}

async function withRedis<T>(t: RedisTarget, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({
    host: t.host,
    port: t.port,
    lazyConnect: true,
    // RESP2, which every Redis speaks (ioredis would otherwise start with HELLO 3, Redis 6 and later).
    protocol: 2,
    // AUTH and SELECT are sent below as commands, so a wrong password or db fails the operation with the server's
    // reply; given as options, ioredis only emits their errors (a bad db then silently reads db 0).
    enableReadyCheck: false,
    disableClientInfo: true,
    connectTimeout: t.timeoutMs,
    commandTimeout: t.timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  // A socket error both fails the pending command (as "Connection is closed.") and is emitted: keep the emitted
  // one, which says why (ECONNREFUSED, …); a listener also stops ioredis printing it.
  let cause: unknown;
  r.on('error', (err: unknown) => {
    cause ??= err;
  });
  try {
    await r.connect();
    if (t.password !== undefined) await r.auth(t.password);
    if (t.db !== 0) await r.select(t.db);
    return await fn(r);
  } catch (err) {
    throw cause ?? err;
  } finally {
    r.disconnect();
  }
}

/** `SET key value`: resolves on the server's OK. */
export async function redisSet(t: RedisTarget, key: string, value: string): Promise<void> {
  const reply = await withRedis(t, (r) => r.set(key, value));
  if (reply !== 'OK') throw new Error(`SET answered ${String(reply)}`);
}

/** `GET key`: its value, or undefined for a key the server does not have. */
export async function redisGet(t: RedisTarget, key: string): Promise<string | undefined> {
  return (await withRedis(t, (r) => r.get(key))) ?? undefined;
}
