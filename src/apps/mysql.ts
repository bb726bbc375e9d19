/**
 * MySQL (and MariaDB) client side: mysql2 to ONE address (a port-forward to one pod), one connection per call. The
 * datum is a row of `<database>.kv`; the database and the table are created on the first write that finds them
 * missing. Keys and values are always bound parameters (prepared statements); the database name is a validated
 * identifier (profile.ts), quoted.
 */
import mysql from 'mysql2/promise';

export interface MysqlTarget {
  /** The forwarded address (127.0.0.1 and the forward's local port). */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password?: string;
  /** Bounds the connect and each statement. */
  readonly timeoutMs: number;
}

/** The statements of the datum in `database`; `?` are bound, never filled in. */
export function mysqlStatements(database: string): { createDatabase: string; createTable: string; write: string; read: string } {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new Error(`not a MySQL identifier: ${database}`);
  const table = `\`${database}\`.kv`;
  return {
    createDatabase: `CREATE DATABASE IF NOT EXISTS \`${database}\``,
    createTable: `CREATE TABLE IF NOT EXISTS ${table} (k VARCHAR(255) PRIMARY KEY, v TEXT)`,
    // Not `INSERT … AS new`, which MySQL 8.0.19 added and MariaDB lacks: the value is bound twice instead.
    write: `INSERT INTO ${table} (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = ?`,
    read: `SELECT v FROM ${table} WHERE k = ?`,
  };
}

/** The server said the database or the table does not exist (ER_BAD_DB_ERROR, ER_NO_SUCH_TABLE). */
export const missingSchema = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'ER_BAD_DB_ERROR' || code === 'ER_NO_SUCH_TABLE';
};

async function withMysql<T>(t: MysqlTarget, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  // No database selected at connect time: it may not exist yet, and the statements name it.
  const c = await mysql.createConnection({
    host: t.host,
    port: t.port,
    user: t.user,
    ...(t.password !== undefined && { password: t.password }),
    connectTimeout: t.timeoutMs,
  });
  c.on('error', () => undefined);
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

/** Upserts the row `key`; creates the database and the table when the server says they are missing. */
export function mysqlPut(t: MysqlTarget, key: string, value: string): Promise<void> {
  const s = mysqlStatements(t.database);
  return withMysql(t, async (c) => {
    const write = () => c.execute({ sql: s.write, timeout: t.timeoutMs }, [key, value, value]);
    try {
      await write();
    } catch (err) {
      if (!missingSchema(err)) throw err;
      await c.query({ sql: s.createDatabase, timeout: t.timeoutMs });
      await c.query({ sql: s.createTable, timeout: t.timeoutMs });
      await write();
    }
  });
}

/** The value of the row `key`, or undefined when there is no such row (or no table yet). */
export function mysqlGet(t: MysqlTarget, key: string): Promise<string | undefined> {
  const s = mysqlStatements(t.database);
  return withMysql(t, async (c) => {
    try {
      const [rows] = await c.execute<mysql.RowDataPacket[]>({ sql: s.read, timeout: t.timeoutMs }, [key]);
      return cellText(rows[0]?.v);
    } catch (err) {
      if (missingSchema(err)) return undefined;
      throw err;
    }
  });
}

/** A TEXT cell as a string (mysql2 gives a Buffer for a binary collation). */
const cellText = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
