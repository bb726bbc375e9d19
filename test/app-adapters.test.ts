/**
 * The pure parts of the redis, mysql and cql datum adapters (src/app/adapters.ts, src/apps/): option defaults, the
 * statements (keys and values always bound, never in the text), the Secret decoding, and one-line failure reasons.
 * No server and no cluster.
 */
import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { adapterFailure, failureReason, replicationFactor, secretValue } from '../src/app/adapters.ts';
import { parseProfile } from '../src/app/profile.ts';
import { cqlConsistency, cqlStatements, missingCqlSchema } from '../src/apps/cassandra.ts';
import { missingSchema, mysqlStatements } from '../src/apps/mysql.ts';

const F = 'stateful-e2e.yaml';

describe('adapter options: defaults', () => {
  it('redis db 0 on 6379; mysql stateful_e2e as root on 3306; cql stateful_e2e at QUORUM on 9042, data center and replication factor left to run time', () => {
    expect(parseProfile('datum: { adapter: redis }\n', F).datum).toEqual({
      kind: 'adapter',
      scope: 'replicated',
      adapter: 'redis',
      port: 6379,
      options: { db: 0 },
    });
    expect(parseProfile('datum: { adapter: mysql }\n', F).datum).toEqual({
      kind: 'adapter',
      scope: 'replicated',
      adapter: 'mysql',
      port: 3306,
      options: { database: 'stateful_e2e', user: 'root' },
    });
    expect(parseProfile('datum: { adapter: cql }\n', F).datum).toEqual({
      kind: 'adapter',
      scope: 'replicated',
      adapter: 'cql',
      port: 9042,
      options: { keyspace: 'stateful_e2e', consistency: 'QUORUM' },
    });
  });
  it('the cql keyspace is created with the profile replicationFactor, else min(3, replicas)', () => {
    expect(replicationFactor(2, 5, 'db-0')).toBe(2);
    expect(replicationFactor(undefined, 1, 'db-0')).toBe(1);
    expect(replicationFactor(undefined, 3, 'db-0')).toBe(3);
    expect(replicationFactor(undefined, 5, 'db-0')).toBe(3);
    expect(() => replicationFactor(undefined, undefined, 'db-0')).toThrow(
      'cannot tell the replicas of the StatefulSet of db-0 to replicate the keyspace: give datum.options.replicationFactor',
    );
  });
});

describe('mysql statements', () => {
  it('a table kv in the database, created if missing; the key and the value are bound parameters', () => {
    expect(mysqlStatements('stateful_e2e')).toEqual({
      createDatabase: 'CREATE DATABASE IF NOT EXISTS `stateful_e2e`',
      createTable: 'CREATE TABLE IF NOT EXISTS `stateful_e2e`.kv (k VARCHAR(255) PRIMARY KEY, v TEXT)',
      write: 'INSERT INTO `stateful_e2e`.kv (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = ?',
      read: 'SELECT v FROM `stateful_e2e`.kv WHERE k = ?',
    });
  });
  it('refuses a database name that is not an identifier (the profile already does)', () => {
    expect(() => mysqlStatements('x`; DROP TABLE y; --')).toThrow('not a MySQL identifier');
  });
  it('a missing database or table is told apart from other errors (then created on a write, "no such key" on a read)', () => {
    expect(missingSchema(Object.assign(new Error("Table 'stateful_e2e.kv' doesn't exist"), { code: 'ER_NO_SUCH_TABLE', errno: 1146 }))).toBe(true);
    expect(missingSchema(Object.assign(new Error("Unknown database 'stateful_e2e'"), { code: 'ER_BAD_DB_ERROR', errno: 1049 }))).toBe(true);
    expect(missingSchema(Object.assign(new Error('Access denied'), { code: 'ER_ACCESS_DENIED_ERROR' }))).toBe(false);
    expect(missingSchema(new Error('connect ECONNREFUSED'))).toBe(false);
  });
});

describe('cql statements', () => {
  const s = cqlStatements('stateful_e2e');
  it('a table kv in the keyspace, SimpleStrategy with the replication factor; the key and the value are bound', () => {
    expect(s.createKeyspace(3)).toBe("CREATE KEYSPACE IF NOT EXISTS stateful_e2e WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
    expect(s.createTable).toBe('CREATE TABLE IF NOT EXISTS stateful_e2e.kv (k text PRIMARY KEY, v text)');
    expect(s.write).toBe('INSERT INTO stateful_e2e.kv (k, v) VALUES (?, ?)');
    expect(s.read).toBe('SELECT v FROM stateful_e2e.kv WHERE k = ?');
  });
  it('refuses a keyspace that is not an identifier, and a replication factor below 1', () => {
    expect(() => cqlStatements("ks WITH replication = {'class': 'x'}")).toThrow('not a CQL identifier');
    expect(() => s.createKeyspace(0)).toThrow('not a replication factor: 0');
  });
  it("the profile's consistency names as the driver's values", () => {
    const c = cassandra.types.consistencies;
    expect(['ONE', 'QUORUM', 'LOCAL_QUORUM', 'ALL'].map(cqlConsistency)).toEqual([c.one, c.quorum, c.localQuorum, c.all]);
    expect(() => cqlConsistency('TWO_AND_A_HALF')).toThrow('unknown CQL consistency TWO_AND_A_HALF');
  });
  it('a missing keyspace or table is told apart from other server errors', () => {
    const invalid = cassandra.types.responseErrorCodes.invalid;
    const { ResponseError } = cassandra.errors;
    expect(missingCqlSchema(new ResponseError(invalid, 'unconfigured table kv'))).toBe(true);
    expect(missingCqlSchema(new ResponseError(invalid, 'Keyspace stateful_e2e does not exist'))).toBe(true);
    expect(missingCqlSchema(new ResponseError(invalid, "Keyspace 'stateful_e2e' does not exist"))).toBe(true);
    expect(missingCqlSchema(new ResponseError(cassandra.types.responseErrorCodes.unavailableException, 'Cannot achieve consistency level QUORUM'))).toBe(false);
    expect(missingCqlSchema(new Error('unconfigured table kv'))).toBe(false);
  });
});

describe('passwordSecret', () => {
  const secret = { data: { password: Buffer.from('s3cr3t: with spaces\n').toString('base64'), user: Buffer.from('app').toString('base64') } };
  it('the key of the Secret, base64-decoded, byte for byte', () => {
    expect(secretValue(secret, { name: 'db-auth', key: 'password' })).toBe('s3cr3t: with spaces\n');
  });
  it('a missing key names the Secret and its keys, never a value', () => {
    expect(() => secretValue(secret, { name: 'db-auth', key: 'pass' })).toThrow(/^passwordSecret: Secret db-auth has no key pass \(it has: password, user\)$/);
    expect(() => secretValue({}, { name: 'db-auth', key: 'pass' })).toThrow(/^passwordSecret: Secret db-auth has no key pass$/);
  });
});

describe('failureReason: why a client failed, in one line', () => {
  const sys = (code: string, message: string) => Object.assign(new Error(message), { code });
  it('names the adapter, the pod and the port', () => {
    expect(adapterFailure('redis', 'web-0', 6379, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:40123'), { code: 'ECONNREFUSED' }))).toBe(
      'redis on web-0:6379: connection refused',
    );
    expect(adapterFailure('mysql', 'db-1', 3306, new Error('no answer within 30 s'))).toBe('mysql on db-1:3306: no answer within 30 s');
  });
  it('socket errors by name', () => {
    expect(failureReason(sys('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:40123'))).toBe('connection refused');
    expect(failureReason(sys('ECONNRESET', 'read ECONNRESET'))).toBe('connection reset');
    expect(failureReason(new AggregateError([sys('ECONNREFUSED', 'connect ECONNREFUSED ::1:6379')], ''))).toBe('connection refused');
  });
  it("the pinned host's own error inside cassandra-driver's NoHostAvailableError", () => {
    const err = new cassandra.errors.NoHostAvailableError({
      '127.0.0.1:40123': new cassandra.errors.ResponseError(0x0100, 'Provided username cassandra and/or password are incorrect'),
    });
    expect(failureReason(err)).toBe('Provided username cassandra and/or password are incorrect');
  });
  it("the server's message, first line only; an error with no message by its name", () => {
    expect(failureReason(Object.assign(new Error("READONLY You can't write against a read only replica.\nmore"), { code: 'READONLY' }))).toBe(
      "READONLY You can't write against a read only replica.",
    );
    expect(failureReason(sys('ER_ACCESS_DENIED_ERROR', "Access denied for user 'root'@'127.0.0.1' (using password: YES)"))).toBe(
      "Access denied for user 'root'@'127.0.0.1' (using password: YES)",
    );
    expect(failureReason(new TypeError(''))).toBe('TypeError');
    expect(failureReason('boom')).toBe('boom');
  });
});
