/**
 * E2 — Cassandra on a DaemonSet (seeds/000 L523-642; the book's nodeSelector variant, seeds/001 L878-904; catalogue
 * §E2, assertions E2.1–E2.4) on profile K3: one Cassandra pod per schedulable node, seeds found through the API as in
 * E1 (the KubernetesSeedProvider of the v12 stand-in, docs/app-images.md), then the book's DaemonSet that places
 * pods only on nodes labelled app=cassandra. The node labels are the run's, removed by teardown and by any cleanup.
 */
import { expect } from 'vitest';
import type { V1DaemonSet, V1Pod } from '@kubernetes/client-node';
import { defineScenario, feature, type World } from '../src/scenario.ts';
import { eventually } from '../src/eventually.ts';
import { labelNode, unlabelAll, unlabelNode } from '../src/kube/node-labels.ts';
import { describeLabelled, labelledPods, livePods, waitNoLabelledPods } from '../src/kube/labelled-pods.ts';
import { runningReady } from '../src/kube/statefulset.ts';
import { V12_RING as RING, waitForRingOf } from '../src/apps/cassandra.ts';

const DS = 'cassandra';
const BOOK_DS = 'cassandra-daemonset';
const FIXTURE = 'cassandra-daemonset.yaml';
const BOOK_FIXTURE = 'cassandra-daemonset-node-selector.yaml';
const APP = { app: 'cassandra' };

export const scenario = defineScenario({
  name: 'cassandra-daemonset',
  profile: 'K3',
  source: 'seeds/000 L523-642; seeds/001 L878-904',
  summary: 'E2: Cassandra on a DaemonSet: one pod per worker, every node UN; the book’s nodeSelector variant follows node labels',
  fixtures: ['service.yaml', 'rbac.yaml', FIXTURE, BOOK_FIXTURE],
  fixtureDir: 'cassandra-v12',
  heavy: true, // three Cassandra JVMs; catalogue §0.5: never beside S3 or S4
});

const members = (w: World): V1Pod[] => livePods(w, APP);

async function readDs(w: World, name: string): Promise<V1DaemonSet> {
  return w.kube.apps.readNamespacedDaemonSet({ name, namespace: w.ns });
}

/** The DaemonSet's status, once its controller has seen the current spec. */
async function dsStatus(w: World, name: string): Promise<{ desired: number; current: number; ready: number }> {
  const ds = await readDs(w, name);
  expect(ds.status?.observedGeneration ?? 0, `ds/${name} status not yet observed`).toBeGreaterThanOrEqual(ds.metadata?.generation ?? 1);
  return { desired: ds.status?.desiredNumberScheduled ?? -1, current: ds.status?.currentNumberScheduled ?? -1, ready: ds.status?.numberReady ?? -1 };
}

/** Exactly one member pod on each of `nodes` and none elsewhere, each Running and Ready (the seed has no probe: started). */
async function onePodOn(w: World, nodes: readonly string[], timeoutS: number): Promise<V1Pod[]> {
  const want = [...nodes].sort();
  await w.pods.until(
    () => {
      const all = labelledPods(w, APP);
      const on = all.map((p) => p.spec?.nodeName ?? '').sort();
      return all.every((p) => runningReady(p) && p.status?.podIP) && JSON.stringify(on) === JSON.stringify(want);
    },
    w.timeoutMs(timeoutS),
    `one Running and Ready cassandra pod on each of ${want.join(', ') || 'no node'}, none elsewhere`,
    () => describeLabelled(w, APP),
  );
  return members(w);
}

feature(scenario, (f) => {
  f.setup('kubectl create -f the Service, the RBAC and the DaemonSet (converted to apps/v1)', async (w) => {
    w.deviation(`DaemonSet/${DS}`, 'apiVersion extensions/v1beta1 -> apps/v1, with selector matchLabels app: cassandra (required by apps/v1)');
    w.deviation(`DaemonSet/${DS}`, 'image gcr.io/google-samples/cassandra:v12 is the project’s stand-in: Cassandra 5.0.6 with its own KubernetesSeedProvider');
    w.deviation('Role/cassandra-seed-provider, RoleBinding/cassandra-seed-provider', 'added: the default ServiceAccount may read endpoints (catalogue §E1)');
    await w.apply('service.yaml');
    await w.apply('rbac.yaml');
    await w.apply(FIXTURE);
  });

  f.teardown('remove the node labels this run set, even after a failure', async (w) => {
    const removed = await unlabelAll(w.kube, w.ctx.runId);
    if (removed.length > 0) w.timeline.add('note', 'teardown', `node labels removed: ${removed.join('; ')}`);
  });

  f.assess(
    'E2.1',
    'ds/cassandra (no RC of E1 in this namespace): desiredNumberScheduled = currentNumberScheduled = numberReady = the schedulable workers (the tainted control plane excluded)',
    { timeout: 720 },
    async (w) => {
      const n = w.ctx.workerNodes.length;
      await onePodOn(w, w.ctx.workerNodes, 720);
      await eventually(`ds/${DS} status desired = current = ready = ${n}`, w.timeoutMs(60), async () => {
        expect(await dsStatus(w, DS)).toEqual({ desired: n, current: n, ready: n });
      });
    },
  );

  f.assess(
    'E2.2',
    'exactly one pod per worker (distinct nodes), and nodetool status on each pod shows every pod IP UN',
    { timeout: 600, after: ['E2.1'] },
    async (w) => {
      const pods = await onePodOn(w, w.ctx.workerNodes, 120);
      const nodes = pods.map((p) => p.spec?.nodeName);
      expect(new Set(nodes).size, `nodes: ${nodes.join(', ')}`).toBe(pods.length);
      if (!w.has('exec')) {
        w.partial(`nodetool status on each pod: exactly the ${pods.length} pod IPs UN`, 'exec');
        return;
      }
      const ips = () => members(w).map((p) => p.status?.podIP ?? '');
      for (const p of pods) await waitForRingOf(w, p.metadata!.name!, ips, pods.length, 600, RING);
    },
  );

  f.assess(
    'E2.4',
    'kubectl delete daemonset cassandra and kubectl delete service -l app=cassandra remove every pod and the Service',
    { timeout: 300 },
    async (w) => {
      await w.delete('DaemonSet', 'apps/v1', DS, { propagationPolicy: 'Background' });
      w.step('kubectl delete service -l app=cassandra');
      const services = await w.kube.core.listNamespacedService({ namespace: w.ns, labelSelector: 'app=cassandra' });
      for (const s of services.items) await w.delete('Service', 'v1', s.metadata!.name!);
      await waitNoLabelledPods(w, APP, 300);
      await eventually('no Service labelled app=cassandra', w.timeoutMs(60), async () => {
        expect((await w.kube.core.listNamespacedService({ namespace: w.ns, labelSelector: 'app=cassandra' })).items.map((s) => s.metadata?.name)).toEqual([]);
      });
    },
  );

  f.assess(
    'E2.3',
    'the book’s DaemonSet with nodeSelector app=cassandra: no labelled node, no pod; two workers labelled, a pod on exactly those two; the label removed from one, its pod goes',
    { timeout: 600, after: ['E2.4'] },
    async (w) => {
      w.deviation(`DaemonSet/${BOOK_DS}`, 'selector matchLabels app: cassandra added (apps/v1 requires it); image v11 -> v12 (catalogue §0.4)');
      await w.apply(BOOK_FIXTURE);
      await eventually(`ds/${BOOK_DS} status desired = 0`, w.timeoutMs(60), async () => {
        expect(await dsStatus(w, BOOK_DS)).toEqual({ desired: 0, current: 0, ready: 0 });
      });
      // "Nothing happens" window: with no node labelled, no pod is created.
      await w.pods.hold(w.window(10), (e) =>
        e.type === 'ADDED' && e.object.metadata?.labels?.app === 'cassandra' ? `${e.object.metadata.name} was created` : undefined,
      );
      const [a, b] = w.ctx.workerNodes;
      for (const node of [a!, b!]) {
        w.step(`kubectl label node ${node} app=cassandra`);
        await labelNode(w.kube, node, 'app', 'cassandra', w.ctx.runId);
      }
      await onePodOn(w, [a!, b!], 600);
      const onB = members(w).find((p) => p.spec?.nodeName === b)!.metadata!.name!;
      w.step(`kubectl label node ${b} app-`);
      await unlabelNode(w.kube, b!, 'app', w.ctx.runId);
      await w.pods.until(
        () => !w.pod(onB),
        w.timeoutMs(300),
        `${onB} (on ${b}) to be deleted`,
        () => describeLabelled(w, APP),
      );
      await onePodOn(w, [a!], 60);
      await eventually(`ds/${BOOK_DS} status desired = 1`, w.timeoutMs(60), async () => {
        expect((await dsStatus(w, BOOK_DS)).desired).toBe(1);
      });
    },
  );
});
