/**
 * S3 — Cassandra on a StatefulSet (seeds/002 L1216-1510; catalogue §S3, assertions 3.1–3.11) on profile K3.
 * A three-node ring whose nodes are all `UN`, cluster name / DC / rack through CQL, scale to four, identity
 * surviving pod deletion, and deletion keeping the PVCs. Never run together with ZooKeeper (catalogue §0.5):
 * scenarios run one at a time.
 */
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { Log, type KubernetesObject } from '@kubernetes/client-node';
import { defineScenario, feature } from '../src/scenario.ts';
import { holds, addedWhileReady, orderedCreate } from '../src/ordering.ts';
import { eventually } from '../src/eventually.ts';
import { deleteFastClass, fastClassOverlay, nodetoolInfo, nodetoolStatus, requireHostId, TUTORIAL_RING, waitForRing, withCql } from '../src/apps/cassandra.ts';
import { podNames, runningReady, setPods, waitNoPods, waitRunningAndReady, describePods, scale } from '../src/kube/statefulset.ts';

const SET = 'cassandra';
const DC = TUTORIAL_RING.datacenter;
const RACK = TUTORIAL_RING.rack;

const kindOf = (kind: string) => (o: KubernetesObject) => o.kind === kind;

export const scenario = defineScenario({
  name: 'cassandra',
  profile: 'K3',
  source: 'seeds/002 L1216-1510',
  summary: 'S3: Cassandra ring — ordered bootstrap, every node UN, CQL through a port-forward, scale to 4, PVCs kept',
  fixtures: ['cassandra.yaml'],
  heavy: true, // catalogue §0.5: bootstrap saturates both cores; never beside S4
});

feature(scenario, (f) => {
  let created = 0;
  const logs = new Map<string, string>();

  f.assess(
    '3.1',
    'with the seed’s StorageClass unchanged the first PVC waits for minikube’s provisioner and cassandra-1 is never created',
    { timeout: 120 },
    async (w) => {
      const objects = w.fixture('cassandra.yaml');
      await deleteFastClass(w);
      await w.apply(objects.filter((o) => o.kind !== 'StatefulSet'));
      const mark = w.mark();
      await w.apply(objects.filter(kindOf('StatefulSet')));
      await w.pods.hold(w.window(120), (e) =>
        e.object.metadata?.name === 'cassandra-1' ? 'cassandra-1 was created while cassandra-0 cannot start' : undefined,
      );
      expect(w.pvcs.current.get('cassandra-data-cassandra-0')?.status?.phase).toBe('Pending');
      const events = await w.eventsFor('cassandra-data-cassandra-0');
      expect(
        events.some((m) => /k8s\.io\/minikube-hostpath/.test(m)),
        events.join(' | '),
      ).toBe(true);
      expect(w.podEvents().filter((e) => e.seq >= mark && e.name === 'cassandra-1')).toEqual([]);
      // Undo the negative case before the real run.
      await w.delete('StatefulSet', 'apps/v1', SET);
      await waitNoPods(w, SET, 60);
      await w.delete('PersistentVolumeClaim', 'v1', 'cassandra-data-cassandra-0');
      await w.pvcs.until(() => !w.pvcs.current.has('cassandra-data-cassandra-0'), w.timeoutMs(60), 'the pending PVC to go');
      await deleteFastClass(w);
    },
  );

  f.assess('3.2', 'svc/cassandra is headless with port 9042', { timeout: 10 }, async (w) => {
    await w.apply(w.fixture('cassandra.yaml').filter(kindOf('Service')));
    const svc = await w.kube.core.readNamespacedService({ name: 'cassandra', namespace: w.ns });
    expect(svc.spec?.clusterIP).toBe('None');
    expect(svc.spec?.ports?.map((p) => p.port)).toEqual([9042]);
  });

  f.assess('3.3', 'cassandra-0..2 are created in order, each Ready (its own IP UN) before the next', { timeout: 900 }, async (w) => {
    const objects = w.fixture('cassandra.yaml');
    await deleteFastClass(w);
    await w.apply([await fastClassOverlay(w, objects.find(kindOf('StorageClass'))!)]);
    created = w.mark();
    await w.apply(objects.filter(kindOf('StatefulSet')));
    await waitRunningAndReady(w, SET, 3, 900);
    // Ready is the fixture's ready-probe.sh: the node's own IP is UN in nodetool status.
    w.readyMeans("that the node's own IP is UN");
    holds(orderedCreate(w.podEvents(), podNames(SET, 0, 2), created));
  });

  f.assess(
    '3.4',
    'nodetool status: Datacenter DC1-K8Demo, exactly 3 UN lines = the pod IPs, rack Rack1-K8Demo, 32 tokens',
    { timeout: 300, needs: ['exec'] },
    async (w) => {
      const ring = await nodetoolStatus(w, 'cassandra-0');
      expect(new Set(ring.map((r) => r.datacenter))).toEqual(new Set([DC]));
      await waitForRing(w, SET, 'cassandra-0', 3, 300);
    },
  );

  f.assess('3.5', 'CQL through a port-forward: system.local is K8Demo / DC1-K8Demo / Rack1-K8Demo', { timeout: 60, needs: ['network'] }, async (w) => {
    // A pod turns Ready (UN) a few seconds before CQL listens: retry the connection.
    const row = await eventually('CQL on cassandra-0', w.timeoutMs(60), () =>
      withCql(w.kube, w.ns, 'cassandra-0', DC, async (c) => (await c.execute('SELECT cluster_name, data_center, rack FROM system.local')).first()),
    );
    expect([row?.get('cluster_name'), row?.get('data_center'), row?.get('rack')]).toEqual(['K8Demo', DC, RACK]);
  });

  f.assess('3.6', 'the system keyspaces exist', { timeout: 60, needs: ['network'] }, async (w) => {
    const names = await eventually('CQL on cassandra-0', w.timeoutMs(60), () =>
      withCql(w.kube, w.ns, 'cassandra-0', DC, async (c) =>
        (await c.execute('SELECT keyspace_name FROM system_schema.keyspaces')).rows.map((r) => String(r.get('keyspace_name'))),
      ),
    );
    for (const k of ['system', 'system_auth', 'system_distributed', 'system_schema', 'system_traces']) expect(names).toContain(k);
  });

  f.assess('3.7', 'nodetool info shows a 400–512 MB maximum heap (MAX_HEAP_SIZE=512M)', { timeout: 60, needs: ['exec'] }, async (w) => {
    const info = await nodetoolInfo(w, 'cassandra-0');
    expect(info.heapMaxMb).toBeGreaterThanOrEqual(400);
    expect(info.heapMaxMb).toBeLessThanOrEqual(512);
  });

  f.assess('3.8', 'scale to 4: cassandra-3 joins after 0..2 are Ready; 4 Ready replicas (and 4 UN where exec works)', { timeout: 600 }, async (w) => {
    const mark = w.mark();
    await scale(w, SET, 4);
    await waitRunningAndReady(w, SET, 4, 600);
    // Catalogue: cassandra-3 is created after 0..2 are Ready (all three, not only its predecessor).
    holds(addedWhileReady(w.podEvents(), 'cassandra-3', podNames(SET, 0, 2), mark));
    if (w.has('exec')) await waitForRing(w, SET, 'cassandra-0', 4, 600);
    else w.partial('4 UN nodes in nodetool status on cassandra-0', 'exec');
  });

  f.assess(
    '3.9',
    'a deleted pod comes back with the same Host ID and the data is readable at QUORUM',
    { timeout: 600, needs: ['exec', 'network'] },
    async (w) => {
      await eventually('CQL on cassandra-0', w.timeoutMs(60), () =>
        withCql(w.kube, w.ns, 'cassandra-0', DC, async (c) => {
          await c.execute("CREATE KEYSPACE IF NOT EXISTS e2e WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
          await c.execute('CREATE TABLE IF NOT EXISTS e2e.kv (k text PRIMARY KEY, v text)');
          await c.execute("INSERT INTO e2e.kv (k, v) VALUES ('hello', 'world')", [], { consistency: 4 /* QUORUM */ });
        }),
      );
      const before = requireHostId(await nodetoolInfo(w, 'cassandra-1'), 'cassandra-1');
      const uid = w.pod('cassandra-1')?.metadata?.uid;
      await w.delete('Pod', 'v1', 'cassandra-1');
      await w.pods.until(
        () => runningReady(w.pod('cassandra-1')) && w.pod('cassandra-1')?.metadata?.uid !== uid,
        w.timeoutMs(600),
        'cassandra-1 back and Ready',
        () => describePods(w, SET),
      );
      expect(requireHostId(await nodetoolInfo(w, 'cassandra-1'), 'cassandra-1'), 'Host ID of the recreated cassandra-1').toBe(before);
      await eventually('row at QUORUM', w.timeoutMs(120), async () => {
        const row = await withCql(w.kube, w.ns, 'cassandra-0', DC, async (c) =>
          (await c.execute("SELECT v FROM e2e.kv WHERE k = 'hello'", [], { consistency: 4 })).first(),
        );
        expect(row?.get('v')).toBe('world');
      });
      await waitForRing(w, SET, 'cassandra-0', 4, 300);
    },
  );

  f.assess('3.10', 'delete statefulset -l app=cassandra removes the pods and keeps the PVCs; then PVCs and Service go', { timeout: 600 }, async (w) => {
    if (w.has('logs')) {
      // For 3.11: follow each container's log through its termination (preStop runs `nodetool drain`).
      for (const p of setPods(w, SET)) {
        const name = p.metadata!.name!;
        logs.set(name, '');
        const sink = new Writable({
          write(chunk: Buffer, _e, cb) {
            logs.set(name, (logs.get(name) ?? '') + chunk.toString('utf8'));
            cb();
          },
        });
        await new Log(w.kube.kc).log(w.ns, name, 'cassandra', sink, { follow: true, tailLines: 0 }).catch(() => undefined);
      }
    }
    w.step('kubectl delete statefulset -l app=cassandra');
    await w.kube.apps.deleteCollectionNamespacedStatefulSet({ namespace: w.ns, labelSelector: 'app=cassandra' });
    await waitNoPods(w, SET, 600);
    const claims = podNames(SET, 0, 3).map((n) => `cassandra-data-${n}`);
    for (const c of claims) expect(w.pvcs.current.get(c)?.status?.phase, c).toBe('Bound');
    w.step('kubectl delete pvc -l app=cassandra');
    await w.kube.core.deleteCollectionNamespacedPersistentVolumeClaim({ namespace: w.ns, labelSelector: 'app=cassandra' });
    await w.pvcs.until(() => claims.every((c) => !w.pvcs.current.has(c)), w.timeoutMs(120), 'the PVCs to be deleted');
    w.step('kubectl delete service -l app=cassandra');
    const svcs = await w.kube.core.listNamespacedService({ namespace: w.ns, labelSelector: 'app=cassandra' });
    for (const s of svcs.items) await w.delete('Service', 'v1', s.metadata!.name!);
    expect((await w.kube.core.listNamespacedService({ namespace: w.ns, labelSelector: 'app=cassandra' })).items).toEqual([]);
  });

  f.assess(
    '3.11',
    'preStop drains: the log shows the drain and each pod terminated well within the 1800 s grace period',
    { timeout: 10, needs: ['logs', 'probes'] },
    async (w) => {
      expect(logs.size, '3.10 followed the logs').toBeGreaterThan(0);
      for (const [pod, text] of logs) expect(text, pod).toMatch(/DRAINED|drain/i);
      for (const pod of logs.keys()) {
        const ev = w.podEvents().filter((e) => e.name === pod);
        const start = ev.find((e) => e.deleting);
        const gone = ev.find((e) => e.type === 'DELETED');
        expect(start && gone, `${pod} terminated`).toBeTruthy();
        expect(gone!.t - start!.t).toBeLessThan(300_000);
      }
    },
  );

  f.teardown('delete StorageClass fast (cluster-scoped)', deleteFastClass);
});
