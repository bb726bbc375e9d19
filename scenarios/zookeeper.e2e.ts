/**
 * S4a — ZooKeeper ensemble (seeds/002 L1511-2250; catalogue §S4a, assertions 4.1–4.19) on profile K3.
 * Identity (myid = ordinal+1, zoo.cfg, FQDNs), quorum, /hello written on one member and read on the others,
 * persistence across deleting the StatefulSet, rolling update and undo, process and liveness failures, and
 * the required anti-affinity.
 */
import { expect } from 'vitest';
import type { V1EndpointSlice, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { defineScenario, feature, type World } from '../src/scenario.ts';
import { holds, minReady, orderedCreate, orderedReplace, restartedInPlace, runningBeforeReady } from '../src/ordering.ts';
import { eventually } from '../src/eventually.ts';
import { JSON_PATCH } from '../src/kube/client.ts';
import { cordon, uncordon, uncordonAll } from '../src/kube/drain.ts';
import type { ResourceWatch } from '../src/kube/watch.ts';
import { nslookupAddress } from '../src/parsers/nslookup.ts';
import { quorumShape } from '../src/parsers/zookeeper.ts';
import { srvr, watchPdbs, zkCliCreate, zkCliGet, zkCreate, zkGet } from '../src/apps/zookeeper.ts';
import { kubectl, kubectlFailure, kubectlRolloutComplete } from '../src/kube/kubectl.ts';
import { describePods, podNames, runningReady, scale, setPods, waitNoPods, waitRollout, waitRunningAndReady, waitSetReady } from '../src/kube/statefulset.ts';

const SET = 'zk';
const MEMBERS = podNames(SET, 0, 2);

const fqdn = (w: World, pod: string): string => `${pod}.zk-hs.${w.ns}.svc.cluster.local`;
const restarts = (w: World, pod: string): number => w.pod(pod)?.status?.containerStatuses?.[0]?.restartCount ?? 0;
const cpuRequests = (w: World): (string | undefined)[] =>
  setPods(w, SET).map((p) => {
    const cpu: unknown = p.spec?.containers?.[0]?.resources?.requests?.cpu;
    return cpu === undefined ? undefined : String(cpu);
  });

/**
 * /hello as the tutorial reads it: zkCli.sh on the member, and the protocol client through a port-forward (where
 * there is no network, the assertion reports that part as not shown).
 */
async function helloReads(w: World, pods: readonly string[], timeoutS: number): Promise<void> {
  const protocol = w.has('network');
  if (!protocol) w.partial(`/hello read through the ZooKeeper protocol on ${pods.join(', ')}`, 'network');
  for (const pod of pods) {
    await eventually(`/hello on ${pod}`, w.timeoutMs(timeoutS), async () => {
      expect(await zkCliGet(w, pod, '/hello')).toContain('world');
      if (protocol) expect(await zkGet(w.kube, w.ns, pod, '/hello')).toBe('world');
    });
  }
}

async function quorum(w: World, timeoutS: number): Promise<void> {
  await eventually('one leader and two followers', w.timeoutMs(timeoutS), async () => {
    const modes = await Promise.all(MEMBERS.map(async (p) => (await srvr(w, p)).mode));
    const q = quorumShape(modes);
    if (!q.ok) throw new Error(q.reason);
  });
}

export const scenario = defineScenario({
  name: 'zookeeper',
  profile: 'K3',
  source: 'seeds/002 L1511-2250',
  summary: 'S4a: ZooKeeper ensemble — identity, quorum, /hello across members, persistence, updates, probes, anti-affinity',
  fixtures: ['zookeeper.yaml', 'dns-test.yaml'],
  disruptive: true, // [4.19] cordons a worker
});

feature(scenario, (f) => {
  let created = 0;
  let pdbs: ResourceWatch<V1PodDisruptionBudget>;

  f.setup('kubectl apply -f zookeeper.yaml (watches already running)', async (w) => {
    pdbs = await watchPdbs(w);
    created = w.mark();
    await w.apply('zookeeper.yaml');
  });

  f.assess('4.1', 'zk-hs, zk-cs, zk-pdb and zk exist as specified; the PDB allows one disruption', { timeout: 360 }, async (w) => {
    const hs = await w.kube.core.readNamespacedService({ name: 'zk-hs', namespace: w.ns });
    expect(hs.spec?.clusterIP).toBe('None');
    expect(hs.spec?.ports?.map((p) => `${p.name}:${p.port}`)).toEqual(['server:2888', 'leader-election:3888']);
    const cs = await w.kube.core.readNamespacedService({ name: 'zk-cs', namespace: w.ns });
    expect(cs.spec?.ports?.map((p) => `${p.name}:${p.port}`)).toEqual(['client:2181']);
    await waitRunningAndReady(w, SET, 3, 360);
    await pdbs.until(
      () => {
        const s = pdbs.current.get('zk-pdb')?.status;
        return s?.expectedPods === 3 && s.currentHealthy === 3 && s.desiredHealthy === 2 && s.disruptionsAllowed === 1;
      },
      w.timeoutMs(60),
      'zk-pdb status expectedPods 3, currentHealthy 3, desiredHealthy 2, disruptionsAllowed 1',
      () => JSON.stringify(pdbs.current.get('zk-pdb')?.status ?? {}),
    );
    const pdb = pdbs.current.get('zk-pdb')!;
    expect(pdb.spec?.maxUnavailable).toBe(1);
    expect(pdb.spec?.minAvailable).toBeUndefined();
  });

  f.assess('4.2', 'zk-0, zk-1, zk-2 are created in order, each after its predecessor is Running and Ready', { timeout: 360 }, async (w) => {
    await waitRunningAndReady(w, SET, 3, 360);
    holds(orderedCreate(w.podEvents(), MEMBERS, created));
    if (w.has('probes')) {
      // The readiness probe starts after 10 s: each member is seen Running but not Ready (0/1) before it is
      // first Ready (1/1), in the same incarnation (L1695-1710); a not-Ready event after Ready does not count.
      for (const m of MEMBERS) holds(runningBeforeReady(w.podEvents(), m, created));
    } else w.partial('each member Running but not Ready before it is first Ready (the readiness probe)', 'probes');
  });

  f.assess('4.3', 'the members run on three different nodes (required anti-affinity)', { timeout: 10 }, async (w) => {
    const nodes = MEMBERS.map((m) => w.pod(m)?.spec?.nodeName);
    expect(nodes.every(Boolean)).toBe(true);
    expect(new Set(nodes).size).toBe(3);
  });

  f.assess('4.4', 'hostname is zk-i and hostname -f is zk-i.zk-hs.<ns>.svc.cluster.local', { timeout: 30, needs: ['exec'] }, async (w) => {
    for (const m of MEMBERS) {
      expect((await w.exec(m, ['hostname'])).stdout.trim()).toBe(m);
      expect((await w.exec(m, ['hostname', '-f'])).stdout.trim()).toBe(fqdn(w, m));
    }
  });

  f.assess('4.5', 'myid is ordinal+1: zk-0 has 1, zk-1 has 2, zk-2 has 3', { timeout: 30, needs: ['exec'] }, async (w) => {
    for (const [i, m] of MEMBERS.entries()) {
      expect((await w.exec(m, ['cat', '/var/lib/zookeeper/data/myid'])).stdout.trim()).toBe(String(i + 1));
    }
  });

  f.assess('4.6', 'zoo.cfg carries the flag values and exactly the three server lines', { timeout: 30, needs: ['exec'] }, async (w) => {
    const cfg = (await w.exec('zk-0', ['cat', '/opt/zookeeper/conf/zoo.cfg'])).stdout;
    for (const line of ['clientPort=2181', 'dataDir=/var/lib/zookeeper/data', 'tickTime=2000', 'initLimit=10', 'syncLimit=5']) {
      expect(cfg.split('\n').map((l) => l.trim())).toContain(line);
    }
    const servers = cfg
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('server.'));
    expect(servers).toEqual(MEMBERS.map((m, i) => `server.${i + 1}=${fqdn(w, m)}:2888:3888`));
  });

  f.assess('4.7', 'each zk-i.zk-hs FQDN resolves to exactly zk-i’s pod IP', { timeout: 60, needs: ['exec', 'dns'] }, async (w) => {
    await w.apply(w.fixture('dns-test.yaml').filter((o) => o.metadata?.name === 'dns-test'));
    await w.pods.until(() => runningReady(w.pod('dns-test')), w.timeoutMs(120), 'dns-test to be Running');
    for (const m of MEMBERS) {
      await eventually(`nslookup ${fqdn(w, m)}`, w.timeoutMs(60), async () => {
        const r = await w.exec('dns-test', ['nslookup', fqdn(w, m)]);
        expect(nslookupAddress(r.stdout, fqdn(w, m)), r.stdout).toBe(w.pod(m)?.status?.podIP);
        expect(r.stdout.match(/^Address \d+:/gm)?.length, 'one answer besides the server').toBe(2);
      });
    }
  });

  f.assess('4.8', 'srvr across the members: exactly one leader and two followers', { timeout: 120, needs: ['exec'] }, async (w) => {
    await quorum(w, 120);
  });

  f.assess('4.9', '/hello created on zk-0 reads back as world on zk-1 and zk-2', { timeout: 60, needs: ['exec'] }, async (w) => {
    await waitSetReady(w, SET, 360); // its own precondition, so `--grep '\[4\.9\]'` runs it alone
    expect(await zkCliCreate(w, 'zk-0', '/hello', 'world')).toContain('Created /hello');
    await helloReads(w, ['zk-1', 'zk-2'], 60);
    if (w.has('network')) {
      // Protocol variant: write through a port-forward to zk-0, read through zk-2.
      await zkCreate(w.kube, w.ns, 'zk-0', '/hello-protocol', 'world');
      expect(await zkGet(w.kube, w.ns, 'zk-2', '/hello-protocol')).toBe('world');
    } else w.partial('/hello-protocol written through zk-0 and read through zk-2 by the ZooKeeper protocol', 'network');
  });

  f.assess('4.10', 'deleting the StatefulSet keeps the PVCs; re-applying brings the ensemble and /hello back', { timeout: 600 }, async (w) => {
    const claims = MEMBERS.map((m) => `datadir-${m}`);
    for (const c of claims) {
      const pvc = w.pvcs.current.get(c);
      expect(pvc?.status?.phase, c).toBe('Bound');
      expect(pvc?.status?.capacity?.storage).toBe('10Gi');
      expect(pvc?.spec?.accessModes).toEqual(['ReadWriteOnce']);
    }
    const pvcUids = claims.map((c) => w.pvcs.current.get(c)?.metadata?.uid);
    const svcUid = (await w.kube.core.readNamespacedService({ name: 'zk-hs', namespace: w.ns })).metadata?.uid;
    const pdbUid = pdbs.current.get('zk-pdb')?.metadata?.uid;
    await w.delete('StatefulSet', 'apps/v1', SET);
    await waitNoPods(w, SET, 300);
    expect(claims.map((c) => w.pvcs.current.get(c)?.metadata?.uid)).toEqual(pvcUids);
    const mark = w.mark();
    await w.apply('zookeeper.yaml');
    await waitRunningAndReady(w, SET, 3, 300);
    holds(orderedCreate(w.podEvents(), MEMBERS, mark));
    expect((await w.kube.core.readNamespacedService({ name: 'zk-hs', namespace: w.ns })).metadata?.uid).toBe(svcUid);
    expect(pdbs.current.get('zk-pdb')?.metadata?.uid).toBe(pdbUid);
    expect(claims.map((c) => w.pvcs.current.get(c)?.metadata?.uid)).toEqual(pvcUids);
    if (w.has('exec')) await helloReads(w, ['zk-2'], 300);
    else w.partial('/hello read on zk-2 after the re-apply', 'exec');
  });

  f.assess('4.11', 'logging goes to the console: log4j CONSOLE appender, kubectl logs shows [myid:1]', { timeout: 60, needs: ['exec', 'logs'] }, async (w) => {
    const props = (await w.exec('zk-0', ['cat', '/usr/etc/zookeeper/log4j.properties'])).stdout;
    expect(props).toMatch(/^zookeeper\.root\.logger=CONSOLE/m);
    expect(props).toMatch(/^log4j\.appender\.CONSOLE=org\.apache\.log4j\.ConsoleAppender/m);
    const log = await w.kube.core.readNamespacedPodLog({ name: 'zk-0', namespace: w.ns, tailLines: 20 });
    const lines = log.split('\n').filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(lines.some((l) => /\[myid:1\]/.test(l))).toBe(true);
  });

  f.assess('4.12', 'ZooKeeper runs as uid 1000 and owns its data directory', { timeout: 30, needs: ['exec'] }, async (w) => {
    expect((await w.exec('zk-0', ['id', '-u'])).stdout.trim()).toBe('1000');
    expect((await w.exec('zk-0', ['ps', '-o', 'uid=', '-C', 'java'])).stdout.trim()).toBe('1000');
    expect((await w.exec('zk-0', ['stat', '-c', '%U:%G', '/var/lib/zookeeper/data'])).stdout.trim()).toBe('zookeeper:zookeeper');
  });

  f.assess('4.13', 'the JVM heap comes from --heap=512M', { timeout: 30, needs: ['exec'] }, async (w) => {
    expect((await w.exec('zk-0', ['ps', '-o', 'args=', '-C', 'java'])).stdout).toContain('-Xmx512M');
  });

  let revisionBefore = '';
  f.assess('4.14', 'rolling update (cpu 0.3) replaces zk-2, zk-1, zk-0 in order with two Ready members at every moment', { timeout: 720 }, async (w) => {
    revisionBefore = w.statefulsets.current.get(SET)?.status?.currentRevision ?? '';
    const mark = w.mark();
    w.step("kubectl patch sts zk --type=json -p='[{op: replace, path: /spec/template/spec/containers/0/resources/requests/cpu, value: 0.3}]'");
    const s = await w.kube.apps.patchNamespacedStatefulSet(
      { name: SET, namespace: w.ns, body: [{ op: 'replace', path: '/spec/template/spec/containers/0/resources/requests/cpu', value: '0.3' }] },
      JSON_PATCH,
    );
    await waitRollout(w, SET, 720, s.metadata?.generation ?? 0);
    w.timeline.add('note', '4.14', await kubectlRolloutComplete(w, SET));
    await waitRunningAndReady(w, SET, 3, 120);
    holds(orderedReplace(w.podEvents(), ['zk-2', 'zk-1', 'zk-0'], mark));
    const low = minReady(w.podEvents(), MEMBERS, mark);
    expect(low.min, `Ready members fell to ${low.min} at #${low.at?.seq} (${low.at?.type} ${low.at?.name})`).toBeGreaterThanOrEqual(2);
    expect(cpuRequests(w)).toEqual(['300m', '300m', '300m']);
    const revisions = await w.kube.apps.listNamespacedControllerRevision({ namespace: w.ns });
    const ours = revisions.items.filter((r) => r.metadata?.ownerReferences?.some((o) => o.kind === 'StatefulSet' && o.name === SET));
    expect(ours.map((r) => r.revision).sort()).toEqual([1, 2]);
    if (w.has('exec')) await helloReads(w, ['zk-0'], 180);
    else w.partial('/hello read on zk-0 after the update', 'exec');
  });

  f.assess('4.15', 'kubectl rollout undo goes back to the previous revision: cpu 500m again', { timeout: 720 }, async (w) => {
    const args = ['rollout', 'undo', `sts/${SET}`];
    w.step(`kubectl ${args.join(' ')} (back to ${revisionBefore})`);
    const r = await kubectl(w, args);
    expect(r.exitCode, kubectlFailure(args, r)).toBe(0);
    expect(r.stdout.trim()).toBe(`statefulset.apps/${SET} rolled back`);
    const s = await w.kube.apps.readNamespacedStatefulSet({ name: SET, namespace: w.ns });
    await waitRollout(w, SET, 720, s.metadata?.generation ?? 0);
    await waitRunningAndReady(w, SET, 3, 120);
    expect(cpuRequests(w)).toEqual(['500m', '500m', '500m']);
    // The revision kubectl rolled back to is the one recorded before the update (4.14), and kubectl agrees it is done.
    expect(w.statefulsets.current.get(SET)?.status?.updateRevision).toBe(revisionBefore);
    w.timeline.add('note', '4.15', await kubectlRolloutComplete(w, SET));
  });

  f.assess(
    '4.16',
    'pkill java restarts the container in place: same pod, Error → Running → Ready, restartCount + 1',
    { timeout: 180, needs: ['exec', 'probes'] },
    async (w) => {
      const uid = w.pod('zk-0')?.metadata?.uid;
      if (!uid) throw new Error('zk-0 does not exist');
      const before = restarts(w, 'zk-0');
      const mark = w.mark();
      await w.exec('zk-0', ['pkill', 'java']).catch(() => undefined); // the exec stream may die with the process
      await w.pods.until(
        () => restarts(w, 'zk-0') === before + 1 && runningReady(w.pod('zk-0')),
        w.timeoutMs(180),
        'zk-0 to restart and be Ready',
        () => describePods(w, SET),
      );
      holds(restartedInPlace(w.podEvents(), 'zk-0', uid, before, mark));
    },
  );

  let slices: ResourceWatch<V1EndpointSlice> | undefined;
  let sliceMark = 0;
  f.assess(
    '4.17',
    'removing zookeeper-ready fails the liveness probe; the container restarts and is Ready again',
    { timeout: 240, needs: ['exec', 'probes'] },
    async (w) => {
      slices = await w.watch<V1EndpointSlice>(
        {
          path: `/apis/discovery.k8s.io/v1/namespaces/${w.ns}/endpointslices`,
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          namespace: w.ns,
          labelSelector: 'kubernetes.io/service-name=zk-cs',
        },
        (s) => (s.endpoints ?? []).map((e) => `${e.targetRef?.name}:${e.conditions?.ready ? 'ready' : 'notready'}`).join(' '),
      );
      sliceMark = w.mark();
      const before = restarts(w, 'zk-0');
      await w.exec('zk-0', ['rm', '/opt/zookeeper/bin/zookeeper-ready']);
      await w.pods.until(
        () => restarts(w, 'zk-0') === before + 1 && runningReady(w.pod('zk-0')),
        w.timeoutMs(240),
        'zk-0 to restart after the liveness failure',
        () => describePods(w, SET),
      );
      expect((await w.eventsFor('zk-0', 'Unhealthy')).some((m) => /Liveness probe failed/.test(m))).toBe(true);
      expect((await w.exec('zk-0', ['ls', '/opt/zookeeper/bin/zookeeper-ready'])).exitCode).toBe(0);
    },
  );

  f.assess('4.18', 'while zk-0 is not Ready its address is ready=false in the zk-cs EndpointSlices', { timeout: 10, needs: ['probes'] }, async () => {
    if (!slices) throw new Error('4.17 did not run, so nothing was observed');
    const seen = slices.events
      .filter((e) => e.seq >= sliceMark)
      .some((e) => (e.object.endpoints ?? []).some((ep) => ep.targetRef?.name === 'zk-0' && ep.conditions?.ready === false));
    expect(seen, 'an EndpointSlice event with zk-0 ready=false').toBe(true);
  });

  f.assess('4.19', 'with only two schedulable workers zk-2 stays Pending on pod anti-affinity (K2 via a cordoned worker)', { timeout: 420 }, async (w) => {
    // K2 stand-in: zk-2's node is cordoned, leaving two schedulable workers that both host a member. On node-local
    // storage zk-2's PV would pin it to the cordoned node (a volume-affinity failure, not the tutorial's), so there
    // zk-2 is recreated without its PVC, as on a fresh K2 cluster.
    const node = w.pod('zk-2')?.spec?.nodeName;
    if (!node) throw new Error('zk-2 is not scheduled');
    const volume = w.pvcs.current.get('datadir-zk-2')?.spec?.volumeName;
    const pinned = volume ? Boolean((await w.kube.core.readPersistentVolume({ name: volume })).spec?.nodeAffinity) : false;
    w.timeline.add('note', 'deviation', `4.19 needs K2: worker ${node} is cordoned${pinned ? ' and zk-2 recreated without its node-pinned PVC' : ''}`);
    if (pinned) {
      await scale(w, SET, 2);
      await w.pods.until(
        () => !w.pod('zk-2'),
        w.timeoutMs(120),
        'zk-2 to be deleted',
        () => describePods(w, SET),
      );
      await w.delete('PersistentVolumeClaim', 'v1', 'datadir-zk-2');
      await w.pvcs.until(() => !w.pvcs.current.has('datadir-zk-2'), w.timeoutMs(60), 'datadir-zk-2 to be deleted');
    }
    await cordon(w.kube, node, w.ctx.runId);
    try {
      const uid = w.pod('zk-2')?.metadata?.uid;
      if (pinned) await scale(w, SET, 3);
      else await w.delete('Pod', 'v1', 'zk-2');
      await w.pods.until(() => w.pod('zk-2') !== undefined && w.pod('zk-2')?.metadata?.uid !== uid, w.timeoutMs(60), 'zk-2 to be created');
      await w.pods.hold(w.window(120), (e) =>
        e.object.metadata?.name === 'zk-2' && e.object.spec?.nodeName ? `zk-2 was scheduled onto ${e.object.spec.nodeName}` : undefined,
      );
      expect(w.pod('zk-2')?.status?.phase).toBe('Pending');
      const events = await w.eventsFor('zk-2', 'FailedScheduling');
      expect(
        events.some((m) => /didn't match pod anti-affinity rules/.test(m)),
        events.join(' | '),
      ).toBe(true);
    } finally {
      await uncordon(w.kube, node);
    }
    await waitRunningAndReady(w, SET, 3, 240);
  });

  f.teardown('uncordon every node', async (w) => {
    const nodes = await uncordonAll(w.kube, w.ctx.runId);
    if (nodes.length > 0) w.timeline.add('note', 'teardown', `uncordoned ${nodes.join(', ')}`);
  });
});
