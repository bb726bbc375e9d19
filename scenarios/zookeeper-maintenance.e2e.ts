/**
 * S4b — ZooKeeper maintenance with a PodDisruptionBudget (seeds/002 L2252-2455; catalogue §S4b, 4.20–4.28) on
 * profile K4S: exactly four schedulable workers and storage that does not pin pods to nodes.
 * The seed's order matters: the first drain moves zk-0 to the empty node, the second leaves zk-1 Pending, and
 * the *third* drain is the one zk-pdb blocks.
 */
import { expect } from 'vitest';
import type { V1Node, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { defineScenario, feature, type World } from '../src/scenario.ts';
import { apiMessage, statusCode } from '../src/kube/client.ts';
import { drain, kubectlDrain, uncordon, uncordonAll, type DrainResult } from '../src/kube/drain.ts';
import type { ResourceWatch } from '../src/kube/watch.ts';
import { describePods, podNames, runningReady, waitRunningAndReady } from '../src/kube/statefulset.ts';
import { quorumShape } from '../src/parsers/zookeeper.ts';
import { pdbSettled, srvr, watchPdbs, zkCliCreate, zkCliGet } from '../src/apps/zookeeper.ts';
import { eventually } from '../src/eventually.ts';

const SET = 'zk';
const MEMBERS = podNames(SET, 0, 2);
/** The tutorial's `kubectl drain … --timeout=120s` (L2288). */
const DRAIN_TIMEOUT_S = 120;
const PDB_BLOCKED = /Cannot evict pod as it would violate the pod's disruption budget/;

export const scenario = defineScenario({
  name: 'zookeeper-maintenance',
  profile: 'K4S',
  source: 'seeds/002 L2252-2455',
  summary: 'S4b: ZooKeeper with a PodDisruptionBudget — cordon and drain; the third drain is blocked',
  fixtures: ['zookeeper.yaml'],
  fixtureDir: 'zookeeper',
  disruptive: true,
});

feature(scenario, (f) => {
  let pdbs: ResourceWatch<V1PodDisruptionBudget>;
  let nodes: ResourceWatch<V1Node>;
  /** N0..N2 host zk-0..zk-2 at the start; N3 is the empty fourth worker. */
  const N: string[] = [];

  const schedulable = (): string[] =>
    [...nodes.current.values()]
      .filter((n) => !n.spec?.unschedulable && !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule'))
      .map((n) => n.metadata!.name!);

  const settled = (expected: number) => pdbSettled(pdbs.current.get('zk-pdb'), 'zk-pdb', expected);

  /**
   * Before each drain, let the PDB settle to its expected value (catalogue: draining too early hits a stale PDB).
   * A missing zk-pdb fails at once, saying so: the disruptionsAllowed checks cannot hold without a PDB.
   */
  async function pdbSettles(w: World, expected: number): Promise<void> {
    if (!pdbs.current.has('zk-pdb')) throw new Error(settled(expected).reason);
    await pdbs.until(
      () => settled(expected).ok,
      w.timeoutMs(120),
      `zk-pdb disruptionsAllowed == ${expected}`,
      () => settled(expected).reason,
    );
  }

  /**
   * The harness's drain (the Eviction API, as kubectl does it) where the drain sets the stage; the real
   * `kubectl drain` where the catalogue observes kubectl's exit code and messages (4.23, 4.26).
   */
  async function drainNode(w: World, node: string, via: 'api' | 'kubectl' = 'api'): Promise<DrainResult> {
    w.step(
      `kubectl drain ${node} --ignore-daemonsets --force --delete-emptydir-data --timeout=${DRAIN_TIMEOUT_S}s${via === 'api' ? ' (through the Eviction API)' : ''}`,
    );
    const r =
      via === 'kubectl'
        ? await kubectlDrain(w.kube, w.ctx.kubeconfig, node, { timeoutS: DRAIN_TIMEOUT_S, timeline: w.timeline, by: w.ctx.runId })
        : await drain(w.kube, node, { timeoutMs: DRAIN_TIMEOUT_S * 1000, timeline: w.timeline, by: w.ctx.runId });
    w.timeline.add('note', 'drain', `exit ${r.exitCode}`);
    return r;
  }

  const nodeOf = (w: World, pod: string): string | undefined => w.pod(pod)?.spec?.nodeName;

  f.setup('kubectl apply -f zookeeper.yaml, wait for the ensemble', async (w) => {
    pdbs = await watchPdbs(w);
    nodes = await w.watch<V1Node>({ path: '/api/v1/nodes', apiVersion: 'v1', kind: 'Node' }, (n) => (n.spec?.unschedulable ? 'cordoned' : 'schedulable'));
    await w.apply('zookeeper.yaml');
    await waitRunningAndReady(w, SET, 3, 360);
    if (w.has('exec')) {
      // "Call /hello on zk-0 before starting" — the data the maintenance must not lose.
      await eventually('create /hello on zk-0', w.timeoutMs(120), async () => {
        expect(await zkCliCreate(w, 'zk-0', '/hello', 'world')).toContain('Created /hello');
      });
    } else {
      // A setup has no verdict: 4.25 and 4.27, which read /hello back, report that part as not shown.
      w.timeline.add('note', 'setup', '/hello not created on zk-0 (needs exec)');
    }
  });

  f.assess('4.20', 'precondition: four schedulable workers; zk-0..2 on three of them, the fourth empty', { timeout: 10 }, async (w) => {
    expect(schedulable().sort()).toEqual([...w.ctx.workerNodes].sort());
    expect(schedulable()).toHaveLength(4);
    N.push(...MEMBERS.map((m) => nodeOf(w, m)!));
    expect(new Set(N).size).toBe(3);
    const empty = schedulable().filter((n) => !N.includes(n));
    expect(empty).toHaveLength(1);
    N.push(empty[0]!);
    w.timeline.add('note', 'nodes', `N0..N3 = ${N.join(', ')}`);
  });

  f.assess('4.21', 'drain N0: zk-0 is evicted and comes back Ready on the empty node N3', { timeout: 300 }, async (w) => {
    await pdbSettles(w, 1);
    const r = await drainNode(w, N[0]!);
    expect(r.exitCode, r.output.join('\n')).toBe(0);
    expect(r.evicted).toContain('zk-0');
    expect(nodes.current.get(N[0]!)?.spec?.unschedulable).toBe(true);
    await w.pods.until(
      () => runningReady(w.pod('zk-0')) && nodeOf(w, 'zk-0') === N[3],
      w.timeoutMs(300),
      `zk-0 Ready on ${N[3]}`,
      () => describePods(w, SET),
    );
    w.readyMeans(`that zk-0 serves on ${N[3]} (zookeeper-ready)`);
    await pdbSettles(w, 1);
  });

  f.assess('4.22', 'drain N1: zk-1 is evicted and stays Pending (no free node); the PDB allows no more disruptions', { timeout: 180 }, async (w) => {
    await pdbSettles(w, 1);
    const r = await drainNode(w, N[1]!);
    expect(r.exitCode, r.output.join('\n')).toBe(0);
    expect(r.evicted).toContain('zk-1');
    await w.pods.until(() => w.pod('zk-1') !== undefined && !w.pod('zk-1')?.metadata?.deletionTimestamp, w.timeoutMs(60), 'zk-1 to be recreated');
    await w.pods.hold(w.window(60), (e) =>
      e.object.metadata?.name === 'zk-1' && e.object.spec?.nodeName ? `zk-1 was scheduled onto ${e.object.spec.nodeName}` : undefined,
    );
    expect(w.pod('zk-1')?.status?.phase).toBe('Pending');
    const events = await w.eventsFor('zk-1', 'FailedScheduling');
    expect(
      events.some((m) => /anti-affinity/.test(m)),
      events.join(' | '),
    ).toBe(true);
    await pdbSettles(w, 0);
  });

  f.assess('4.23', 'drain N2 is blocked by zk-pdb: non-zero exit after the timeout, zk-2 still Running on N2, N2 cordoned', { timeout: 150 }, async (w) => {
    await pdbSettles(w, 0);
    const uid = w.pod('zk-2')?.metadata?.uid;
    const r = await drainNode(w, N[2]!, 'kubectl');
    expect(r.exitCode).not.toBe(0);
    expect(
      r.errors.some((e) => PDB_BLOCKED.test(e)),
      r.output.join('\n'),
    ).toBe(true);
    expect(w.pod('zk-2')?.metadata?.uid).toBe(uid);
    expect(runningReady(w.pod('zk-2'))).toBe(true);
    expect(nodeOf(w, 'zk-2')).toBe(N[2]);
    expect(nodes.current.get(N[2]!)?.spec?.unschedulable).toBe(true);
    // API variant: POST pods/zk-2/eviction → 429.
    const status = await w.kube.core.createNamespacedPodEviction({ name: 'zk-2', namespace: w.ns, body: { metadata: { name: 'zk-2', namespace: w.ns } } }).then(
      () => 201,
      (err: unknown) => {
        w.timeline.add('note', 'eviction', apiMessage(err));
        return statusCode(err);
      },
    );
    expect(status).toBe(429);
  });

  f.assess(
    '4.24',
    'with two of three members the service still answers: /hello is world; zk-0 and zk-2 lead/follow',
    { timeout: 180, needs: ['exec'] },
    async (w) => {
      await eventually('/hello on zk-0', w.timeoutMs(180), async () => {
        expect(await zkCliGet(w, 'zk-0', '/hello')).toContain('world');
      });
      const modes = await Promise.all(['zk-0', 'zk-2'].map(async (p) => (await srvr(w, p)).mode));
      expect(quorumShape(modes).ok, quorumShape(modes).reason).toBe(true);
    },
  );

  f.assess('4.25', 'uncordon N0: zk-1 is scheduled there and becomes Ready', { timeout: 300 }, async (w) => {
    w.step(`kubectl uncordon ${N[0]}`);
    await uncordon(w.kube, N[0]!);
    await w.pods.until(
      () => runningReady(w.pod('zk-1')) && nodeOf(w, 'zk-1') === N[0],
      w.timeoutMs(300),
      `zk-1 Ready on ${N[0]}`,
      () => describePods(w, SET),
    );
    w.readyMeans(`that zk-1 serves on ${N[0]} (zookeeper-ready)`);
    if (w.has('exec')) {
      await eventually('/hello on zk-1', w.timeoutMs(180), async () => {
        expect(await zkCliGet(w, 'zk-1', '/hello')).toContain('world');
      });
    } else w.partial('/hello (created in setup) read on zk-1', 'exec');
  });

  f.assess('4.26', 'drain N2 again: it succeeds now and zk-2 stays Pending', { timeout: 180 }, async (w) => {
    await pdbSettles(w, 1);
    const r = await drainNode(w, N[2]!, 'kubectl');
    expect(r.exitCode, r.output.join('\n')).toBe(0);
    expect(r.evicted).toContain('zk-2');
    await w.pods.until(() => w.pod('zk-2') !== undefined && !w.pod('zk-2')?.metadata?.deletionTimestamp, w.timeoutMs(60), 'zk-2 to be recreated');
    await w.pods.hold(w.window(30), (e) =>
      e.object.metadata?.name === 'zk-2' && e.object.spec?.nodeName ? `zk-2 was scheduled onto ${e.object.spec.nodeName}` : undefined,
    );
    expect(w.pod('zk-2')?.status?.phase).toBe('Pending');
  });

  f.assess('4.27', 'uncordon N1: zk-2 is scheduled there; three Ready members again', { timeout: 300 }, async (w) => {
    w.step(`kubectl uncordon ${N[1]}`);
    await uncordon(w.kube, N[1]!);
    await w.pods.until(
      () => runningReady(w.pod('zk-2')) && nodeOf(w, 'zk-2') === N[1],
      w.timeoutMs(300),
      `zk-2 Ready on ${N[1]}`,
      () => describePods(w, SET),
    );
    await waitRunningAndReady(w, SET, 3, 120);
    w.readyMeans('that zk-0, zk-1 and zk-2 serve (zookeeper-ready)');
    if (w.has('exec')) {
      await eventually('quorum and /hello', w.timeoutMs(300), async () => {
        const modes = await Promise.all(MEMBERS.map(async (p) => (await srvr(w, p)).mode));
        expect(quorumShape(modes).ok, quorumShape(modes).reason).toBe(true);
        expect(await zkCliGet(w, 'zk-2', '/hello')).toContain('world');
      });
    } else w.partial('one leader and two followers (srvr) and /hello (created in setup) read on zk-2', 'exec');
  });

  f.assess('4.28', 'cleanup: uncordon every node; all workers schedulable', { timeout: 30 }, async (w) => {
    // every node this run cordoned (a node someone else cordoned is not ours to uncordon)
    await uncordonAll(w.kube, w.ctx.runId);
    await nodes.until(
      () => schedulable().length === w.ctx.workerNodes.length,
      w.timeoutMs(30),
      'every worker schedulable',
      () => schedulable().join(', '),
    );
  });

  f.teardown('uncordon every node, even after a failure', async (w) => {
    const nodes = await uncordonAll(w.kube, w.ctx.runId);
    if (nodes.length > 0) w.timeline.add('note', 'teardown', `uncordoned ${nodes.join(', ')}`);
  });
});
