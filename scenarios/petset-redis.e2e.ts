/**
 * E5 — the blog's redis PetSet, master and replicas (seeds/004 L162-400; catalogue §E5, assertions E5.1–E5.4, derived
 * from the upstream e2e test the seed links at L164) on profile K2, as the catalogue's harness equivalent: an
 * apps/v1 StatefulSet `rd` of redis:7.2 whose start command makes rd-0 the master and the others its replicas.
 * The upstream test writes foo=bar to member 0 and reads it from member 2, also after every pod was restarted.
 */
import { expect } from 'vitest';
import { defineScenario, feature, type World } from '../src/scenario.ts';
import { orderedCreate } from '../src/ordering.ts';
import { eventually } from '../src/eventually.ts';
import { describePods, podNames, runningReady, waitRunningAndReady } from '../src/kube/statefulset.ts';

const SET = 'rd';
const MEMBERS = podNames(SET, 0, 2);
const CLAIMS = MEMBERS.map((m) => `datadir-${m}`);
const FIXTURE = 'redis.yaml';

/** `INFO` output (`# Section` headers, `key:value` lines, CRLF) as a map. */
export function redisInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** `redis-cli -h <member>.redis <args>` inside that member, as the upstream test does (`redis-cli -h <pod>`). */
async function redisCli(w: World, member: string, args: readonly string[]): Promise<string> {
  const r = await w.exec(member, ['redis-cli', '-h', `${member}.redis`, ...args], 30);
  if (r.exitCode !== 0) throw new Error(`redis-cli ${args.join(' ')} on ${member} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.replace(/\r/g, '').trim();
}

const replication = async (w: World, member: string): Promise<Record<string, string>> => redisInfo(await redisCli(w, member, ['info', 'replication']));

/** The catalogue's harness equivalent replaces the seed's PetSet (see the comments in redis.yaml). */
const CONVERSIONS: readonly [string, string][] = [
  ['Service/redis', 'annotation service.alpha.kubernetes.io/tolerate-unready-endpoints: "true" -> spec.publishNotReadyAddresses: true'],
  [`StatefulSet/${SET}`, 'apps/v1alpha1 PetSet -> apps/v1 StatefulSet with selector app: redis'],
  [
    `StatefulSet/${SET}`,
    'init containers install (redis-install-3.2.0:e2e) and bootstrap (peer-finder -on-start=on-start.sh) -> a start command: rd-0 master, others --replicaof rd-0.redis 6379',
  ],
  [
    `StatefulSet/${SET}`,
    'image debian:jessie with /opt/redis from the installer -> redis:7.2; redis.conf -> flags --dir /data --appendonly yes --appendfsync always',
  ],
  [
    `StatefulSet/${SET}`,
    '--save "" (no RDB snapshot on SIGTERM: only the append-only file keeps data, as with the seed\'s grace 0) and --protected-mode no (redis 7)',
  ],
  [`StatefulSet/${SET}`, 'terminationGracePeriodSeconds 0 -> 10'],
  [`StatefulSet/${SET}`, 'alpha annotations pod.alpha.kubernetes.io/initialized and volume.alpha.kubernetes.io/storage-class dropped (default StorageClass)'],
];

export const scenario = defineScenario({
  name: 'petset-redis',
  profile: 'K2',
  source: 'seeds/004 L162-400',
  summary: 'E5: redis master/replica StatefulSet (the PetSet, converted) — order, replication, foo=bar across members and restarts',
  fixtures: [FIXTURE],
});

feature(scenario, (f) => {
  let created = 0;

  f.setup('kubectl create -f service.yml -f petset.yml (the harness equivalent, redis.yaml)', async (w) => {
    for (const [object, change] of CONVERSIONS) w.deviation(object, change);
    created = w.mark();
    await w.apply(FIXTURE);
  });

  f.assess('E5.1', 'rd-0, rd-1, rd-2 are created in ordinal order, each after its predecessor is Ready; datadir-rd-0..2 Bound', { timeout: 300 }, async (w) => {
    await waitRunningAndReady(w, SET, 3, 300);
    const v = orderedCreate(w.podEvents(), MEMBERS, created);
    expect(v.ok, v.reason).toBe(true);
    await w.pvcs.until(
      () => CLAIMS.every((c) => w.pvcs.current.get(c)?.status?.phase === 'Bound'),
      w.timeoutMs(60),
      'datadir-rd-0..2 to be Bound',
      () => CLAIMS.map((c) => `${c}=${w.pvcs.current.get(c)?.status?.phase ?? 'absent'}`).join(', '),
    );
    for (const [i, m] of MEMBERS.entries())
      expect(w.pod(m)?.spec?.volumes?.find((v) => v.name === 'datadir')?.persistentVolumeClaim?.claimName, m).toBe(CLAIMS[i]);
  });

  f.assess(
    'E5.2',
    'info replication: rd-0 is master with connected_slaves:2; rd-1 and rd-2 are slaves of rd-0',
    { timeout: 120, needs: ['exec', 'dns'] },
    async (w) => {
      await waitRunningAndReady(w, SET, 3, 120);
      await eventually('rd-0 master with two replicas', w.timeoutMs(120), async () => {
        const m = await replication(w, 'rd-0');
        expect(m.role, JSON.stringify(m)).toBe('master');
        expect(m.connected_slaves, JSON.stringify(m)).toBe('2');
        for (const r of ['rd-1', 'rd-2']) {
          const s = await replication(w, r);
          expect(s.role, `${r}: ${JSON.stringify(s)}`).toBe('slave');
          expect(s.master_host, r).toMatch(/^rd-0(\.|$)/);
          expect(s.master_link_status, r).toBe('up');
        }
      });
    },
  );

  f.assess('E5.3', 'SET foo bar on rd-0, then GET foo on rd-2 returns bar', { timeout: 60, needs: ['exec', 'dns'] }, async (w) => {
    await waitRunningAndReady(w, SET, 3, 60);
    expect(await redisCli(w, 'rd-0', ['SET', 'foo', 'bar'])).toBe('OK');
    await eventually('GET foo on rd-2', w.timeoutMs(60), async () => {
      expect(await redisCli(w, 'rd-2', ['GET', 'foo'])).toBe('bar');
    });
  });

  f.assess(
    'E5.4',
    'after every pod is deleted and back Ready, GET foo on rd-2 still returns bar (the append-only file on the PVC)',
    { timeout: 300, needs: ['exec', 'dns'], after: ['E5.3'] },
    async (w) => {
      await waitRunningAndReady(w, SET, 3, 60);
      const old = Object.fromEntries(MEMBERS.map((m) => [m, w.pod(m)?.metadata?.uid]));
      w.step('kubectl delete pod -l app=redis');
      await w.kube.core.deleteCollectionNamespacedPod({ namespace: w.ns, labelSelector: 'app=redis' });
      await w.pods.until(
        () => MEMBERS.every((m) => runningReady(w.pod(m)) && w.pod(m)?.metadata?.uid !== old[m]),
        w.timeoutMs(300),
        'rd-0..2 to come back Ready',
        () => describePods(w, SET),
      );
      // Ready means PING answers; the replica's copy is the master's only once its sync has finished.
      await eventually('rd-2 in sync with rd-0', w.timeoutMs(120), async () => {
        const s = await replication(w, 'rd-2');
        expect(s.master_link_status, JSON.stringify(s)).toBe('up');
      });
      const value = await redisCli(w, 'rd-2', ['GET', 'foo']);
      w.timeline.add('note', 'redis', `GET foo on rd-2 after the restart: '${value}'`);
      expect(value, 'foo on rd-2 after every pod was deleted').toBe('bar');
    },
  );
});
