import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../src/errors.ts';
import { DEFAULT_BUDGETS, findProfile, loadProfile, parseProfile, quorumFor } from '../src/app/profile.ts';

const APPS = path.join(import.meta.dirname, 'fixtures', 'apps');
const F = 'stateful-e2e.yaml';

/** The one-line error a profile text gives. */
function errorOf(text: string): string {
  try {
    parseProfile(text, F);
  } catch (err) {
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).exitCode).toBe(2);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('the profile was accepted');
}

describe('good profiles', () => {
  it('the web fixture: a per-pod exec datum', () => {
    const p = loadProfile(path.join(APPS, 'web', F));
    expect(p.statefulSets).toEqual(['web']);
    expect(p.datum).toEqual({
      kind: 'exec',
      scope: 'pod',
      container: 'nginx',
      write: ['sh', '-c', 'echo {value} > /usr/share/nginx/html/{key}.txt'],
      read: ['cat', '/usr/share/nginx/html/{key}.txt'],
      match: 'line',
    });
    expect(p.budgets).toEqual({ maxUnavailableSeconds: DEFAULT_BUDGETS.maxUnavailableSeconds, maxRecoverySeconds: 180 });
    expect(p.asyncReplication).toBe(false);
    expect(p.quorum).toBeUndefined();
  });

  it('the kv fixture: an adapter on a named port, a majority quorum, async replication', () => {
    const p = loadProfile(path.join(APPS, 'kv-parallel', F));
    expect(p.statefulSets).toBeUndefined();
    expect(p.datum).toEqual({ kind: 'adapter', scope: 'replicated', adapter: 'redis', port: 'redis', options: { db: 0 } });
    expect(p.quorum).toBe('majority');
    expect(quorumFor(p, 3)).toBe(2);
    expect(quorumFor(p, 4)).toBe(3);
    expect(p.asyncReplication).toBe(true);
    expect(p.budgets).toEqual({ maxUnavailableSeconds: 20, maxRecoverySeconds: 240 });
  });

  it('an empty file is an empty profile', () => {
    const p = parseProfile('# nothing yet\n', F);
    expect(p).toEqual({ file: F, asyncReplication: false, budgets: DEFAULT_BUDGETS });
    expect(quorumFor(p, 3)).toBeUndefined();
  });

  it('adapters get their default ports and options', () => {
    const zk = parseProfile('datum: { adapter: zookeeper }\nquorum: 2\n', F);
    expect(zk.datum).toEqual({ kind: 'adapter', scope: 'replicated', adapter: 'zookeeper', port: 2181, options: { path: '/stateful-e2e' } });
    expect(quorumFor(zk, 3)).toBe(2);
    const cql = parseProfile(
      'datum:\n  adapter: cql\n  options: { localDataCenter: DC1-K8Demo, replicationFactor: 3, passwordSecret: { name: cass, key: password } }\n',
      F,
    );
    expect(cql.datum).toEqual({
      kind: 'adapter',
      scope: 'replicated',
      adapter: 'cql',
      port: 9042,
      options: {
        keyspace: 'stateful_e2e',
        consistency: 'QUORUM',
        localDataCenter: 'DC1-K8Demo',
        replicationFactor: 3,
        passwordSecret: { name: 'cass', key: 'password' },
      },
    });
    const mysql = parseProfile('datum: { adapter: mysql, port: 3307, options: { database: shop } }\n', F);
    expect(mysql.datum).toMatchObject({ adapter: 'mysql', port: 3307, options: { database: 'shop', user: 'root' } });
  });

  it('the http adapter with its paths, and a shell variable that is not a placeholder', () => {
    const p = parseProfile(
      [
        'datum:',
        '  adapter: http',
        '  port: 8080',
        '  options:',
        '    writeMethod: POST',
        '    writePath: /kv',
        '    writeBody: \'{"k":"{key}","v":"{value}"}\'',
        '    readPath: /kv/{key}',
      ].join('\n'),
      F,
    );
    expect(p.datum).toMatchObject({ adapter: 'http', port: 8080, options: { writeMethod: 'POST', writePath: '/kv', readPath: '/kv/{key}' } });
    const sh = parseProfile("datum: { exec: { container: app, write: [sh, -c, 'echo {value} > ${DATA_DIR}/{key}'], read: [cat, '{key}'], match: exact } }", F);
    expect(sh.datum).toMatchObject({ kind: 'exec', match: 'exact' });
  });
});

describe('bad profiles: one line naming the file and the field', () => {
  const cases: [string, string, string][] = [
    ['a list at the top', '- web\n', 'stateful-e2e.yaml: must be a mapping, got a list'],
    [
      'an unknown top-level field',
      'statefulset: [web]\n',
      'stateful-e2e.yaml: statefulset: unknown field (known here: statefulSets, datum, quorum, asyncReplication, budgets)',
    ],
    ['statefulSets not a list', 'statefulSets: web\n', "stateful-e2e.yaml: statefulSets: must be a non-empty list of StatefulSet names, got 'web'"],
    ['an empty statefulSets', 'statefulSets: []\n', 'stateful-e2e.yaml: statefulSets: must be a non-empty list of StatefulSet names, got a list'],
    [
      'a bad StatefulSet name',
      'statefulSets: [Web]\n',
      "stateful-e2e.yaml: statefulSets[0]: must be a StatefulSet name (lowercase letters, digits and '-'), got 'Web'",
    ],
    ['a number as a name', 'statefulSets: [web, 3]\n', 'stateful-e2e.yaml: statefulSets[1]: must be a StatefulSet name, got 3'],
    ['a name twice', 'statefulSets: [web, zk, web]\n', "stateful-e2e.yaml: statefulSets[2]: 'web' is listed twice"],
    ['an empty datum', 'datum: {}\n', 'stateful-e2e.yaml: datum: needs exec: { container, write, read } or adapter: zookeeper|cql|redis|mysql|http'],
    ['exec and adapter', 'datum: { adapter: redis, exec: {} }\n', 'stateful-e2e.yaml: datum: give either exec or adapter, not both'],
    [
      'an unknown adapter',
      'datum: { adapter: postgres }\n',
      "stateful-e2e.yaml: datum.adapter: unknown adapter 'postgres' (known: zookeeper, cql, redis, mysql, http)",
    ],
    ['a bad scope', 'datum: { scope: node, adapter: redis }\n', "stateful-e2e.yaml: datum.scope: must be one of replicated, pod, got 'node'"],
    ['a bad port', 'datum: { adapter: redis, port: 70000 }\n', 'stateful-e2e.yaml: datum.port: must be a whole number from 1 to 65535, got 70000'],
    [
      'a bad port name',
      'datum: { adapter: redis, port: Redis_Port }\n',
      "stateful-e2e.yaml: datum.port: must be a port number (1-65535) or a container port name, got 'Redis_Port'",
    ],
    [
      'http without a port',
      'datum: { adapter: http, options: { writePath: "/{key}", readPath: "/{key}" } }\n',
      'stateful-e2e.yaml: datum.port: the http adapter has no default port; give one',
    ],
    ['http without paths', 'datum: { adapter: http, port: 80 }\n', 'stateful-e2e.yaml: datum.options: the http adapter needs writePath and readPath'],
    [
      'http read using the value',
      'datum: { adapter: http, port: 80, options: { writePath: "/{key}", readPath: "/{key}/{value}" } }\n',
      'stateful-e2e.yaml: datum.options.readPath: must not use {value}',
    ],
    [
      'an unknown adapter option',
      'datum: { adapter: redis, options: { database: 2 } }\n',
      'stateful-e2e.yaml: datum.options.database: unknown field (known here: db, passwordSecret)',
    ],
    [
      'a bad znode path',
      'datum: { adapter: zookeeper, options: { path: stateful } }\n',
      "stateful-e2e.yaml: datum.options.path: must be an absolute znode path such as /stateful-e2e, got 'stateful'",
    ],
    [
      'a bad consistency',
      'datum: { adapter: cql, options: { consistency: TWO } }\n',
      "stateful-e2e.yaml: datum.options.consistency: must be one of ONE, QUORUM, LOCAL_QUORUM, ALL, got 'TWO'",
    ],
    [
      'a secret without key',
      'datum: { adapter: mysql, options: { passwordSecret: { name: db } } }\n',
      'stateful-e2e.yaml: datum.options.passwordSecret.key: must be a non-empty string, got undefined',
    ],
    [
      'options on an exec datum',
      'datum: { port: 80, exec: { container: a, write: [w, "{key}", "{value}"], read: [r, "{key}"] } }\n',
      'stateful-e2e.yaml: datum.port: belongs to an adapter',
    ],
    [
      'exec without container',
      'datum: { exec: { write: [w, "{key}", "{value}"], read: [r, "{key}"] } }\n',
      'stateful-e2e.yaml: datum.exec.container: must be a container name, got undefined',
    ],
    [
      'exec write as a string',
      'datum: { exec: { container: a, write: "set {key} {value}", read: [r, "{key}"] } }\n',
      'stateful-e2e.yaml: datum.exec.write: must be a non-empty list of strings',
    ],
    [
      'exec write without value',
      'datum: { exec: { container: a, write: [set, "{key}"], read: [get, "{key}"] } }\n',
      'stateful-e2e.yaml: datum.exec.write: must use both {key} and {value}',
    ],
    [
      'exec read without key',
      'datum: { exec: { container: a, write: [set, "{key}", "{value}"], read: [get] } }\n',
      'stateful-e2e.yaml: datum.exec.read: must use {key}',
    ],
    [
      'exec read with value',
      'datum: { exec: { container: a, write: [set, "{key}", "{value}"], read: [get, "{key}", "{value}"] } }\n',
      'stateful-e2e.yaml: datum.exec.read: must not use {value}',
    ],
    [
      'an unknown placeholder',
      'datum: { exec: { container: a, write: [set, "{key}", "{val}"], read: [get, "{key}"] } }\n',
      'stateful-e2e.yaml: datum.exec.write[2]: unknown placeholder {val} (known: {key}, {value})',
    ],
    [
      'a number in argv',
      'datum: { exec: { container: a, write: [set, "{key}", "{value}", 3], read: [get, "{key}"] } }\n',
      'stateful-e2e.yaml: datum.exec.write[3]: must be a string, got 3',
    ],
    [
      'a bad match',
      'datum: { exec: { container: a, write: [s, "{key}", "{value}"], read: [g, "{key}"], match: regex } }\n',
      "stateful-e2e.yaml: datum.exec.match: must be one of line, exact, got 'regex'",
    ],
    ['quorum zero', 'quorum: 0\n', 'stateful-e2e.yaml: quorum: must be a whole number ≥ 1, got 0'],
    ['quorum a word', 'quorum: most\n', "stateful-e2e.yaml: quorum: must be a whole number ≥ 1 or 'majority', got 'most'"],
    [
      'quorum with per-pod data',
      'quorum: 2\ndatum: { scope: pod, adapter: redis }\n',
      'stateful-e2e.yaml: quorum: a quorum means replicated data, but datum.scope is pod',
    ],
    ['asyncReplication a string', 'asyncReplication: "yes"\n', "stateful-e2e.yaml: asyncReplication: must be true or false, got 'yes'"],
    [
      'asyncReplication with per-pod data',
      'asyncReplication: true\ndatum: { scope: pod, adapter: redis }\n',
      'stateful-e2e.yaml: asyncReplication: means replicated data',
    ],
    [
      'an unknown budget',
      'budgets: { maxDowntime: 10 }\n',
      'stateful-e2e.yaml: budgets.maxDowntime: unknown field (known here: maxUnavailableSeconds, maxRecoverySeconds)',
    ],
    [
      'a negative budget',
      'budgets: { maxUnavailableSeconds: -1 }\n',
      'stateful-e2e.yaml: budgets.maxUnavailableSeconds: must be a number of seconds ≥ 0, got -1',
    ],
    ['a zero recovery budget', 'budgets: { maxRecoverySeconds: 0 }\n', 'stateful-e2e.yaml: budgets.maxRecoverySeconds: must be a number of seconds > 0, got 0'],
    [
      'a budget with a unit',
      'budgets: { maxRecoverySeconds: 5m }\n',
      "stateful-e2e.yaml: budgets.maxRecoverySeconds: must be a number of seconds > 0, got '5m'",
    ],
    ['malformed YAML', 'statefulSets: [web\n', 'stateful-e2e.yaml:'],
    ['two documents', 'quorum: 2\n---\nquorum: 3\n', 'stateful-e2e.yaml: holds 2 YAML documents; a profile is one'],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(errorOf(text)).toContain(expected);
    expect(errorOf(text).startsWith(`${F}`)).toBe(true);
  });

  it('a duplicate key is malformed YAML with its line', () => {
    expect(errorOf('quorum: 2\nquorum: 3\n')).toMatch(/^stateful-e2e\.yaml:2: malformed YAML: /);
  });

  it('names the file it was given', () => {
    expect(() => parseProfile('quorum: 0', '/tmp/my/profile.yaml')).toThrow(/^\/tmp\/my\/profile\.yaml: quorum: /);
  });
});

describe('finding the profile', () => {
  it('inside an app directory, beside an app file, or --profile', () => {
    expect(findProfile(path.join(APPS, 'web'))).toBe(path.join(APPS, 'web', F));
    expect(findProfile(path.join(APPS, 'chart'))).toBeUndefined();
    expect(findProfile(path.join(APPS, 'web', 'web.yaml'))).toBe(path.join(APPS, 'web', F));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'app-profile-'));
    writeFileSync(path.join(dir, F), 'quorum: 1\n');
    expect(findProfile(path.join(dir, 'kv-0.3.1.tgz'))).toBe(path.join(dir, F));
    mkdirSync(path.join(dir, 'app'));
    expect(findProfile(path.join(dir, 'app'))).toBeUndefined();
    expect(findProfile(path.join(APPS, 'chart'), path.join(APPS, 'web', F))).toBe(path.join(APPS, 'web', F));
  });

  it('a missing --profile or profile file is one line', () => {
    expect(() => findProfile(path.join(APPS, 'web'), '/nonexistent/p.yaml')).toThrow('--profile /nonexistent/p.yaml: no such file');
    expect(() => loadProfile('/nonexistent/stateful-e2e.yaml')).toThrow('/nonexistent/stateful-e2e.yaml: no such profile file');
  });
});
