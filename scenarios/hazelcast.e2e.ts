/**
 * E3 — Hazelcast discovery (seeds/003 L86-287; catalogue §E3, assertions E3.1–E3.4) on profile K2. The seed creates
 * Service hazelcast, then a one-replica ReplicationController whose member finds its peers through the Kubernetes
 * API by that Service's endpoints; it reads the endpoints back (L196-235), scales to 2 and reads the members' logs
 * (L239-264), then scales to 4 (L266-270). The harness equivalent runs Hazelcast 5.5 in API mode (hazelcast.yaml).
 */
import { expect } from 'vitest';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { defineScenario, feature, type World } from '../src/scenario.ts';
import { eventually } from '../src/eventually.ts';
import { endpointsArePods, SERVICE_NAME_LABEL, type PodAddress } from '../src/kube/endpoints.ts';
import { waitLabelledReady } from '../src/kube/labelled-pods.ts';
import { scaleRc } from '../src/kube/replication-controller.ts';
import type { ResourceWatch } from '../src/kube/watch.ts';
import { lastMembership } from '../src/parsers/hazelcast.ts';

const RC = 'hazelcast';
const SERVICE = 'hazelcast';
const PORT = 5701;
/** What the seed's manifest says (003 L126-182) where the fixture differs (catalogue §E3). */
const SEED_IMAGE = 'quay.io/pires/hazelcast-kubernetes:0.5';
const SEED_CPU_LIMIT = '0.1';

export const scenario = defineScenario({
  name: 'hazelcast',
  profile: 'K2',
  source: 'seeds/003 L86-287',
  summary: 'E3: Hazelcast members find each other through the API by the endpoints of svc/hazelcast; scale 1 → 2 → 4 → 2',
  fixtures: ['hazelcast.yaml'],
  heavy: true, // up to four JVMs starting at once; catalogue §0.5 and issue 15: never beside S3 or S4
});

const MEMBER = { name: 'hazelcast' };

/** Waits until exactly `n` member pods exist (none terminating) and each is Running and Ready. */
async function membersReady(w: World, n: number, timeoutS: number): Promise<PodAddress[]> {
  const pods = await waitLabelledReady(w, MEMBER, n, timeoutS);
  return pods.map((p) => ({ name: p.metadata!.name!, ip: p.status!.podIP! }));
}

feature(scenario, (f) => {
  let slices: ResourceWatch<V1EndpointSlice> | undefined;

  /** The EndpointSlices of svc/hazelcast list exactly these pods on 5701/TCP (catalogue E3.1–E3.3's addresses). */
  async function endpointsAre(w: World, pods: readonly PodAddress[], timeoutS: number): Promise<void> {
    slices ??= await w.watch<V1EndpointSlice>(
      {
        path: `/apis/discovery.k8s.io/v1/namespaces/${w.ns}/endpointslices`,
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        namespace: w.ns,
        labelSelector: `${SERVICE_NAME_LABEL}=${SERVICE}`,
      },
      (s) => (s.endpoints ?? []).map((e) => `${e.targetRef?.name}:${e.addresses.join(',')}:${e.conditions?.ready === false ? 'notready' : 'ready'}`).join(' '),
    );
    const watch = slices;
    const verdict = () => endpointsArePods([...watch.current.values()], SERVICE, pods, PORT);
    await watch.until(
      () => verdict().ok,
      w.timeoutMs(timeoutS),
      `svc/${SERVICE}'s EndpointSlices to list exactly the ${pods.length} member(s)`,
      () => verdict().reason,
    );
  }

  /**
   * The newest membership view in each member's log lists exactly the members (size and addresses). Members start
   * as separate clusters and merge, so this is polled (catalogue E3.3).
   */
  async function everyMemberSees(w: World, pods: readonly PodAddress[], timeoutS: number): Promise<void> {
    if (!w.has('logs')) {
      w.partial(`each member's newest log view is Members {size:${pods.length}} with exactly the member addresses`, 'logs');
      return;
    }
    const want = pods.map((p) => `${p.ip}:${PORT}`).sort();
    await eventually(`every member's newest view to be the ${pods.length} members`, w.timeoutMs(timeoutS), async () => {
      for (const p of pods) {
        const log = await w.kube.core.readNamespacedPodLog({ name: p.name, namespace: w.ns });
        const view = lastMembership(log);
        expect(view, `${p.name} logged no membership view`).toBeDefined();
        expect(view?.size, `${p.name}'s newest view: ${JSON.stringify(view)}`).toBe(pods.length);
        expect([...(view?.members ?? [])].sort(), `${p.name}'s newest view`).toEqual(want);
      }
    });
  }

  f.setup('kubectl create -f hazelcast.yaml (svc/hazelcast, the RBAC, rc/hazelcast with one replica)', async (w) => {
    const rc = w.fixture('hazelcast.yaml').find((o) => o.kind === 'ReplicationController') as
      | { spec?: { template?: { spec?: { containers?: { image?: string; resources?: { limits?: Record<string, string | number> } }[] } } } }
      | undefined;
    const c = rc?.spec?.template?.spec?.containers?.[0];
    if (c?.image && c.image !== SEED_IMAGE) w.deviation(`ReplicationController/${RC}`, `image ${SEED_IMAGE} -> ${c.image} (harness equivalent, catalogue §E3)`);
    const cpu = c?.resources?.limits?.cpu;
    if (cpu !== undefined && String(cpu) !== SEED_CPU_LIMIT)
      w.deviation(
        `ReplicationController/${RC}`,
        `cpu limit ${SEED_CPU_LIMIT} -> ${cpu}, memory limit ${c?.resources?.limits?.memory ?? 'none'} (catalogue §E3)`,
      );
    for (const o of w.fixture('hazelcast.yaml'))
      if (['ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind ?? ''))
        w.deviation(`${o.kind}/${o.metadata?.name}`, 'added: the members read endpoints, pods and services (catalogue §E3)');
    await w.apply('hazelcast.yaml');
  });

  f.assess('E3.1', 'with one replica Ready, svc/hazelcast has exactly one endpoint: the pod’s IP, a Pod target, 5701/TCP', { timeout: 300 }, async (w) => {
    // API-level (catalogue: G): the seed has no probe, so Ready means the container started, on any provider.
    const pods = await membersReady(w, 1, 300);
    await endpointsAre(w, pods, 60);
  });

  f.assess('E3.2', 'scale rc to 2: two endpoints, and each member’s newest log view is Members {size:2} with both addresses', { timeout: 300 }, async (w) => {
    await scaleRc(w, RC, 2);
    const pods = await membersReady(w, 2, 300);
    await endpointsAre(w, pods, 60);
    await everyMemberSees(w, pods, 300);
  });

  f.assess('E3.3', 'scale rc to 4: four endpoints, and every member’s newest log view lists the four', { timeout: 360 }, async (w) => {
    await scaleRc(w, RC, 4);
    const pods = await membersReady(w, 4, 360);
    await endpointsAre(w, pods, 60);
    await everyMemberSees(w, pods, 360);
  });

  f.assess('E3.4', 'scale rc to 2: the two surviving members’ newest log view is Members {size:2}', { timeout: 300 }, async (w) => {
    await scaleRc(w, RC, 2);
    const pods = await membersReady(w, 2, 300);
    await endpointsAre(w, pods, 60);
    await everyMemberSees(w, pods, 300);
  });
});
