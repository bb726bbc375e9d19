/**
 * The pure helpers of the seed scenarios E4, E5 and E6 (scenarios/petset-nginx, petset-redis, configmap-env) and the
 * fixtures they read. The scenario files are imported the way the CLI's discovery imports them, so that `feature()`
 * registers nothing here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseManifests } from '../src/manifests.ts';

const root = path.resolve(import.meta.dirname, '..');
const DISCOVERING = Symbol.for('stateful-e2e.discovering');
const g = globalThis as Record<symbol, unknown>;

type NginxModule = typeof import('../scenarios/petset-nginx.e2e.ts');
type RedisModule = typeof import('../scenarios/petset-redis.e2e.ts');
type EnvModule = typeof import('../scenarios/configmap-env.e2e.ts');
let nginx: NginxModule;
let redis: RedisModule;
let env: EnvModule;

beforeAll(async () => {
  g[DISCOVERING] = new Map();
  try {
    nginx = await import('../scenarios/petset-nginx.e2e.ts');
    redis = await import('../scenarios/petset-redis.e2e.ts');
    env = await import('../scenarios/configmap-env.e2e.ts');
  } finally {
    delete g[DISCOVERING];
  }
});
afterAll(() => {
  delete g[DISCOVERING];
});

const fixture = (rel: string): KubernetesObject[] => parseManifests(readFileSync(path.join(root, 'fixtures', rel), 'utf8'), rel);

describe('redisInfo (E5)', () => {
  // `redis-cli info replication` from redis 7.0.15 (Debian bookworm), verbatim, CRLF line ends.
  const master = [
    '# Replication',
    'role:master',
    'connected_slaves:2',
    'slave0:ip=10.244.1.5,port=6379,state=online,offset=1120,lag=0',
    'slave1:ip=10.244.2.7,port=6379,state=online,offset=1120,lag=1',
    'master_failover_state:no-failover',
    'master_replid:30d8baa57baca481e25d9f554f016ae089a38b7e',
    'master_repl_offset:1120',
    '',
  ].join('\r\n');
  const replica = ['# Replication', 'role:slave', 'master_host:rd-0.redis', 'master_port:6379', 'master_link_status:up', 'slave_read_only:1', ''].join('\r\n');

  it('reads key:value lines, skipping section headers and CRs', () => {
    const m = redis.redisInfo(master);
    expect(m.role).toBe('master');
    expect(m.connected_slaves).toBe('2');
    expect(m.slave0).toBe('ip=10.244.1.5,port=6379,state=online,offset=1120,lag=0');
    expect(Object.keys(m)).not.toContain('# Replication');
    const s = redis.redisInfo(replica);
    expect([s.role, s.master_host, s.master_link_status]).toEqual(['slave', 'rd-0.redis', 'up']);
  });

  it('has no role in empty output or an error instead of INFO', () => {
    expect(redis.redisInfo('')).toEqual({});
    expect(redis.redisInfo('LOADING Redis is loading the dataset in memory\r\n').role).toBeUndefined();
  });
});

describe('envLines (E6)', () => {
  it('splits `env` output into exact NAME=value lines', () => {
    const lines = env.envLines('KUBERNETES_SERVICE_PORT=443\r\nHOSTNAME=some-pod\nDB_IP_ADDRESSES=1.2.3.4,5.6.7.8\n\n');
    expect(lines).toEqual(['KUBERNETES_SERVICE_PORT=443', 'HOSTNAME=some-pod', 'DB_IP_ADDRESSES=1.2.3.4,5.6.7.8']);
    expect(lines).not.toContain('DB_IP_ADDRESSES=1.2.3.4');
  });
});

describe('petset-nginx fixtures and conversions (E4)', () => {
  const original = fixture('petset-nginx/petset-original.yaml');
  const converted = fixture('petset-nginx/petset.yaml');
  const petset = original.find((o) => o.kind === 'PetSet')!;
  const sts = converted.find((o) => o.kind === 'StatefulSet')!;

  it('the original is the seed: an apps/v1alpha1 PetSet with the alpha annotations', () => {
    expect(petset.apiVersion).toBe('apps/v1alpha1');
    expect(JSON.stringify(petset)).toContain('volume.alpha.kubernetes.io/storage-class');
    expect(JSON.stringify(petset)).toContain('gcr.io/google_containers/nginx-slim:0.8');
    expect(original.find((o) => o.kind === 'Service')).toEqual(converted.find((o) => o.kind === 'Service'));
  });

  it('names every change of the conversion the catalogue asks for, and nothing else', () => {
    const c = nginx.conversions(petset, sts);
    expect(c).toHaveLength(6);
    expect(c[0]).toMatch(/^apps\/v1alpha1 PetSet -> apps\/v1 StatefulSet/);
    expect(c).toContain('spec.selector added: {"matchLabels":{"app":"nginx"}}');
    expect(c.some((x) => x.startsWith('template annotation pod.alpha.kubernetes.io/initialized: "true" dropped'))).toBe(true);
    expect(c.some((x) => x.startsWith('terminationGracePeriodSeconds 0 -> 1 '))).toBe(true);
    expect(c.some((x) => x.startsWith('container nginx: image gcr.io/google_containers/nginx-slim:0.8 -> registry.k8s.io/nginx-slim:0.24'))).toBe(true);
    expect(c.some((x) => /volume\.alpha\.kubernetes\.io\/storage-class: anything dropped, storageClassName unset/.test(x))).toBe(true);
    expect(nginx.conversions(sts, sts)).toEqual([]);
  });

  it('E4.3 variant: every claim template gets storageClassName "", the input is not changed', () => {
    const v = nginx.withoutStorageClass(converted);
    const vcts = (o: KubernetesObject | undefined): { spec?: { storageClassName?: string; accessModes?: string[] } }[] =>
      (o as { spec?: { volumeClaimTemplates?: { spec?: { storageClassName?: string; accessModes?: string[] } }[] } } | undefined)?.spec?.volumeClaimTemplates ??
      [];
    const after = vcts(v.find((o) => o.kind === 'StatefulSet'));
    expect(after.map((t) => t.spec?.storageClassName)).toEqual(['']);
    expect(after[0]?.spec?.accessModes).toEqual(['ReadWriteOnce']);
    expect(vcts(sts).map((t) => t.spec?.storageClassName)).toEqual([undefined]);
    expect(v.find((o) => o.kind === 'Service')).toBe(converted.find((o) => o.kind === 'Service'));
  });
});
