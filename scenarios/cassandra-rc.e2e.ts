/**
 * E1 — Cassandra on a ReplicationController with the KubernetesSeedProvider (seeds/000 L387-521 and L632-642; the
 * book's anti-affinity variant, seeds/001 L740-876; catalogue §E1, assertions E1.1–E1.6) on profile K3. The pods
 * have no stable names or storage: each finds its seeds through the API, by the endpoints of svc/cassandra, which it
 * reads with the namespace's default ServiceAccount (the Role in rbac.yaml). Without that Role every pod founds a
 * ring of its own (E1.3). The image is the project's stand-in for cassandra:v12 (docs/app-images.md).
 */
import { expect } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { defineScenario, feature, type World } from '../src/scenario.ts';
import { eventually } from '../src/eventually.ts';
import { describeLabelled, livePods, waitLabelledReady, waitNoLabelledPods } from '../src/kube/labelled-pods.ts';
import { scaleRc } from '../src/kube/replication-controller.ts';
import { nodetoolInfo, requireHostId, V12_RING as RING, waitForRingOf } from '../src/apps/cassandra.ts';

const RC = 'cassandra';
const FIXTURE = 'cassandra-controller.yaml';
const BOOK_FIXTURE = 'cassandra-controller-anti-affinity.yaml';
const APP = { app: 'cassandra' };

export const scenario = defineScenario({
  name: 'cassandra-rc',
  profile: 'K3',
  source: 'seeds/000 L387-521, L632-642; seeds/001 L740-876',
  summary: 'E1: Cassandra on a ReplicationController: seeds from the API by svc/cassandra’s endpoints; 2 → 4 nodes UN; a split ring without RBAC',
  fixtures: ['service.yaml', 'rbac.yaml', FIXTURE, BOOK_FIXTURE],
  fixtureDir: 'cassandra-v12',
  heavy: true, // up to four Cassandra JVMs; catalogue §0.5: never beside S3 or S4
});

/** The RC's pods that are not being deleted, by name. */
const members = (w: World): V1Pod[] => livePods(w, APP);
/** Exactly `n` of them, none terminating, each Running and Ready with an IP; the seed has no probe, so Ready means started. */
const membersReady = (w: World, n: number, timeoutS: number): Promise<V1Pod[]> => waitLabelledReady(w, APP, n, timeoutS);

/** `kubectl delete rc cassandra`: as kubectl, propagation Background (the API's default for a v1 RC orphans its pods); then no pod is left. */
async function deleteRc(w: World): Promise<void> {
  await w.delete('ReplicationController', 'v1', RC, { propagationPolicy: 'Background' });
  await waitNoLabelledPods(w, APP, 300);
}

/** rc/cassandra's status agrees: `n` replicas, `n` ready. */
async function rcStatus(w: World, n: number, timeoutS: number): Promise<void> {
  await eventually(`rc/${RC} status replicas = readyReplicas = ${n}`, w.timeoutMs(timeoutS), async () => {
    const rc = await w.kube.core.readNamespacedReplicationController({ name: RC, namespace: w.ns });
    expect({ replicas: rc.status?.replicas, readyReplicas: rc.status?.readyReplicas ?? 0 }).toEqual({ replicas: n, readyReplicas: n });
  });
}

const ips = (pods: readonly V1Pod[]): string[] => pods.map((p) => p.status?.podIP ?? '');

/** Every member's `nodetool status` shows exactly the members UN (each pod's own view: a split ring shows on one). */
async function everyMemberSeesRing(w: World, timeoutS: number): Promise<void> {
  const pods = members(w);
  for (const p of pods) await waitForRingOf(w, p.metadata!.name!, () => ips(members(w)), pods.length, timeoutS, RING);
}

feature(scenario, (f) => {
  const hostIds = new Map<string, string>();

  f.setup('kubectl create -f the Service, the RBAC and the ReplicationController (two replicas)', async (w) => {
    w.deviation(`ReplicationController/${RC}`, 'replicas: 2 added (the seed omits it, so it would be 1; its text expects 2, L457, L466)');
    w.deviation(`ReplicationController/${RC}`, 'env POD_NAMESPACE: fieldRef moved under valueFrom (the seed’s form is invalid, L424-426)');
    w.deviation(
      `ReplicationController/${RC}`,
      'image gcr.io/google-samples/cassandra:v12 is the project’s stand-in: Cassandra 5.0.6 with its own KubernetesSeedProvider',
    );
    w.deviation('Role/cassandra-seed-provider, RoleBinding/cassandra-seed-provider', 'added: the default ServiceAccount may read endpoints (catalogue §E1)');
    await w.apply('service.yaml');
    await w.apply('rbac.yaml');
    await w.apply(FIXTURE);
  });

  f.assess(
    'E1.1',
    'rc/cassandra reaches 2/2 Ready, and nodetool status on each pod shows 2 UN nodes, the pod IPs, Datacenter: datacenter1',
    { timeout: 600 },
    async (w) => {
      await membersReady(w, 2, 600);
      await rcStatus(w, 2, 60);
      if (!w.has('exec')) {
        w.partial('nodetool status on each pod: exactly the 2 pod IPs UN in datacenter1', 'exec');
        return;
      }
      await everyMemberSeesRing(w, 600);
    },
  );

  f.assess(
    'E1.2',
    'kubectl scale rc cassandra --replicas=4: 4 pods, and nodetool status shows 4 UN nodes, the pod IPs',
    { timeout: 720, after: ['E1.1'] },
    async (w) => {
      await scaleRc(w, RC, 4);
      await membersReady(w, 4, 720);
      await rcStatus(w, 4, 60);
      if (!w.has('exec')) {
        w.partial('nodetool status on each pod: exactly the 4 pod IPs UN', 'exec');
        return;
      }
      await everyMemberSeesRing(w, 720);
      for (const p of members(w)) hostIds.set(p.metadata!.name!, requireHostId(await nodetoolInfo(w, p.metadata!.name!), p.metadata!.name!));
    },
  );

  f.assess(
    'E1.4',
    'a deleted pod is replaced by a pod with a new Host ID (its emptyDir went with it), UN in the ring',
    { timeout: 600, after: ['E1.2'], needs: ['exec'] },
    async (w) => {
      const before = members(w);
      const victim = before[0]!.metadata!.name!;
      const known = new Set(hostIds.values());
      await w.delete('Pod', 'v1', victim);
      await w.pods.until(() => !w.pod(victim), w.timeoutMs(120), `${victim} to be gone`);
      const after = await membersReady(w, before.length, 600);
      const fresh = after.find((p) => !before.some((b) => b.metadata?.name === p.metadata?.name));
      expect(fresh, `a replacement for ${victim}: ${describeLabelled(w, APP)}`).toBeDefined();
      const name = fresh!.metadata!.name!;
      // The replacement joins as a new node: the members' IPs, its own among them, UN in its view (the deleted node
      // stays in the ring as DN, which this does not count).
      await waitForRingOf(w, name, () => ips(members(w)), after.length, 600, RING);
      const id = requireHostId(await nodetoolInfo(w, name), name);
      w.report({ hostIdsBefore: known.size });
      expect(known.has(id), `${name}'s Host ID ${id} is one of the earlier nodes' (${[...known].join(', ')})`).toBe(false);
    },
  );

  f.assess('E1.6', 'kubectl delete rc cassandra removes all of its pods', { timeout: 300, after: ['E1.1'] }, async (w) => {
    await deleteRc(w);
  });

  f.assess(
    'E1.5',
    'the book’s RC with a required pod anti-affinity: at most one cassandra pod per node; scaled past the workers, the surplus pod stays Pending with FailedScheduling',
    { timeout: 120, after: ['E1.6'] },
    async (w) => {
      w.deviation(
        `ReplicationController/${RC} (${BOOK_FIXTURE})`,
        'label app: Cassandra -> app: cassandra, so that its anti-affinity (app In [cassandra]) selects its own pods',
      );
      w.deviation(`ReplicationController/${RC} (${BOOK_FIXTURE})`, 'image gcr.io/google-samples/cassandra:v11 -> v12 (catalogue §0.4)');
      const workers = w.ctx.workerNodes.length;
      await w.apply(BOOK_FIXTURE);
      await scaleRc(w, RC, workers + 1);
      // Scheduling, not Cassandra, is under test here: placed means bound to a node.
      await w.pods.until(
        () => members(w).length === workers + 1 && members(w).filter((p) => p.spec?.nodeName).length === workers,
        w.timeoutMs(120),
        `${workers} of ${workers + 1} cassandra pods bound to nodes`,
        () => describeLabelled(w, APP),
      );
      const placed = members(w).filter((p) => p.spec?.nodeName);
      const nodes = placed.map((p) => p.spec!.nodeName!);
      expect(new Set(nodes).size, `nodes: ${nodes.join(', ')}`).toBe(nodes.length);
      const surplus = members(w).find((p) => !p.spec?.nodeName)!;
      await eventually(`a FailedScheduling event for ${surplus.metadata!.name}`, w.timeoutMs(60), async () => {
        const events = await w.eventsFor(surplus.metadata!.name!, 'FailedScheduling');
        expect(
          events.some((m) => /didn't match pod anti-affinity rules/.test(m)),
          events.join(' | ') || 'no FailedScheduling event',
        ).toBe(true);
      });
      expect(w.pod(surplus.metadata!.name!)?.status?.phase).toBe('Pending');
      // Its JVMs are not needed: the RC goes before the next assertion starts its own.
      await deleteRc(w);
    },
  );

  f.assess(
    'E1.3',
    'without the RBAC each pod sees only itself: the API refuses the endpoints (403), and each pod’s nodetool status shows one UN node, its own IP (a split ring)',
    { timeout: 360, after: ['E1.6'], needs: ['exec', 'logs'] },
    async (w) => {
      await w.delete('RoleBinding', 'rbac.authorization.k8s.io/v1', 'cassandra-seed-provider');
      await w.apply(FIXTURE);
      const pods = await membersReady(w, 2, 360);
      for (const p of pods) {
        const name = p.metadata!.name!;
        await waitForRingOf(w, name, () => [p.status!.podIP!], 1, 360, RING, { onlyUn: true });
        const log = await w.kube.core.readNamespacedPodLog({ name, namespace: w.ns, container: 'cassandra' });
        expect(log, `${name}'s log: the seed provider's refusal`).toMatch(/KubernetesSeedProvider: cannot read endpoints .*HTTP 403/);
      }
    },
  );
});
