/**
 * §F — faults under load on the S4a ZooKeeper ensemble (issue 14; docs/faults.md §F) on profile K3: while the write
 * ledger writes a new znode and reads the newest one 20 times a second through a ZooKeeper session over
 * port-forwards to every member, the leader loses its pod (F1: killed with grace period 0), its node (F2: stopped
 * and started), its network (F3: the node cut off from the others) or its process (F6: the ZooKeeper process killed
 * with SIGKILL on the node; the container restarts in place). The ensemble must go on with the other two
 * and take the member back, and the ledger decides what the app promised: no acknowledged write lost, no stale
 * read, unavailability and recovery within budget.
 */
import { expect } from 'vitest';
import { defineScenario, feature, type World } from '../src/scenario.ts';
import { eventually } from '../src/eventually.ts';
import { quorumShape } from '../src/parsers/zookeeper.ts';
import { srvr, zkLedgerAdapter } from '../src/apps/zookeeper.ts';
import { podNames, restartCount, runningReady, waitRunningAndReady } from '../src/kube/statefulset.ts';
import { gapsAroundFault, ledgerAssertions, membersStayReady, RecordedLedgers, stopMemberNode, underLedger as ledgerAround } from '../src/ledger/steps.ts';
import type { Ledger } from '../src/ledger/record.ts';

const SET = 'zk';
const MEMBERS = podNames(SET, 0, 2);
/** Ticks per second of the ledger: one create and one getData each. */
const RATE_HZ = 20;
/**
 * Budgets (docs/faults.md §F1): ZooKeeper elects a leader in seconds (finalizeWait 200 ms; followers see the old
 * leader's connections close at once when its pod is killed), and the client's session (30 s) survives the move to
 * another member. 30 s for the longest stretch without a successful write or read, 30 s to recover after the
 * member is back: generous enough for 2 busy cores, tight enough that an ensemble without a quorum fails.
 */
const MAX_UNAVAILABLE_MS = 30_000;
const MAX_RECOVERY_MS = 30_000;

export const scenario = defineScenario({
  name: 'zookeeper-faults',
  profile: 'K3',
  source: 'seeds/002 L1511-2250 (the S4a ensemble); issue 14',
  summary: "faults under a write ledger: the ZooKeeper leader's pod killed, its node stopped, its node cut off; no lost write, bounded downtime",
  fixtures: ['zookeeper.yaml'],
  fixtureDir: 'zookeeper',
  disruptive: true, // stops and cuts off nodes
});

async function quorum(w: World, timeoutS: number): Promise<string> {
  return eventually('one leader and two followers', w.timeoutMs(timeoutS), async () => {
    const modes = await Promise.all(MEMBERS.map(async (p) => (await srvr(w, p)).mode));
    const q = quorumShape(modes);
    if (!q.ok) throw new Error(q.reason);
    return MEMBERS[modes.indexOf('leader')]!;
  });
}

/**
 * The ledger around one fault: a 10 s baseline in which no member changes, the fault (a window from its start until
 * `fault` returns, which is when the ensemble has the member back), then a 15 s aftermath in which no member changes.
 */
async function underLedger(w: World, name: string, faultName: string, fault: () => Promise<void>, keep: (l: Ledger) => void): Promise<Ledger> {
  const adapter = await zkLedgerAdapter(w.kube, w.ns, MEMBERS);
  const opts = { rateHz: RATE_HZ, durationMs: 600_000, opTimeoutMs: 2000, baselineS: 10, aftermathS: 15, quiet: membersStayReady(MEMBERS) };
  return ledgerAround(w, name, adapter, faultName, fault, opts, keep);
}

/** What the ledger says of the fault beside its verdicts: the longest stretches without a write and a read around it. */
function aroundFault(w: World, ledger: Ledger, leader: string, newLeader: string): void {
  const { writeGapMs: writeGap, readGapMs: readGap } = gapsAroundFault(ledger);
  w.report({ writeGapAroundFaultMs: writeGap, readGapAroundFaultMs: readGap, leaderAgainSameMember: newLeader === leader ? 1 : 0 });
  w.timeline.add(
    'note',
    'ledger',
    `leader was ${leader}, now ${newLeader}; longest stretch without a write around the fault ${writeGap} ms, without a read ${readGap} ms (the election and the client's move)`,
  );
}

feature(scenario, (f) => {
  const ledgers = new RecordedLedgers();
  const NEEDS = ['exec', 'network', 'probes'] as const;

  f.setup('kubectl apply -f zookeeper.yaml; three Ready members', async (w) => {
    await w.apply('zookeeper.yaml');
    await waitRunningAndReady(w, SET, 3, 600);
  });

  f.assess(
    'F1.1',
    "the leader's pod killed with grace 0 under the ledger: a new leader, the member back Ready, the ensemble whole",
    { timeout: 480, needs: NEEDS },
    async (w) => {
      const leader = await quorum(w, 120);
      const uid = w.pod(leader)?.metadata?.uid;
      const ledger = await underLedger(
        w,
        'kill-leader',
        `kill ${leader}`,
        async () => {
          w.step(`kubectl delete pod ${leader} --grace-period=0 --force (the leader)`);
          await w.delete('Pod', 'v1', leader, { gracePeriodSeconds: 0 });
          await w.pods.until(
            () => runningReady(w.pod(leader)) && w.pod(leader)?.metadata?.uid !== uid,
            w.timeoutMs(300),
            `${leader} recreated (new UID) and Ready`,
          );
        },
        ledgers.keep('F1'),
      );
      aroundFault(w, ledger, leader, await quorum(w, 120));
    },
  );

  ledgerAssertions(f, 'F1', ledgers.of('F1'), {
    across: "when the leader's pod is killed",
    maxUnavailableMs: MAX_UNAVAILABLE_MS,
    maxRecoveryMs: MAX_RECOVERY_MS,
    recoveryFrom: 'the member being back',
    needs: NEEDS,
  });

  f.assess(
    'F2.1',
    "the leader's node stopped for 30 s and started under the ledger: the other two keep a quorum, the member restarts and rejoins",
    { timeout: 720, needs: [...NEEDS, 'faults'] },
    async (w) => {
      await waitRunningAndReady(w, SET, 3, 300);
      const leader = await quorum(w, 120);
      const node = w.pod(leader)?.spec?.nodeName;
      if (!node) throw new Error(`${leader} has no node`);
      const ledger = await underLedger(
        w,
        'stop-leader-node',
        `stop ${node} (${leader})`,
        // 30 s without the node: long enough that the others must elect a leader and serve without it.
        () => stopMemberNode(w, leader, MEMBERS, 30, 300),
        ledgers.keep('F2'),
      );
      aroundFault(w, ledger, leader, await quorum(w, 180));
    },
  );

  ledgerAssertions(f, 'F2', ledgers.of('F2'), {
    across: 'across the node stop',
    maxUnavailableMs: MAX_UNAVAILABLE_MS,
    maxRecoveryMs: MAX_RECOVERY_MS,
    recoveryFrom: 'the member being back after the node stop',
    needs: [...NEEDS, 'faults'],
  });

  f.assess(
    'F3.1',
    "the leader's node cut off from the other nodes for 30 s, then back: the others elect a leader, the cut-off member rejoins",
    { timeout: 600, needs: [...NEEDS, 'faults'] },
    async (w) => {
      await waitRunningAndReady(w, SET, 3, 300);
      const leader = await quorum(w, 120);
      const node = w.pod(leader)?.spec?.nodeName;
      if (!node) throw new Error(`${leader} has no node`);
      const uid = w.pod(leader)?.metadata?.uid;
      const ledger = await underLedger(
        w,
        'isolate-leader-node',
        `isolate ${node} (${leader})`,
        async () => {
          const rejoin = await w.nodeFault('isolate', node);
          // 30 s cut off: shorter than the node controller's grace, so the API keeps the pod as it was; the members
          // on the other nodes must form a quorum without it.
          w.step(`node ${node} cut off: the other members stay Ready for 30 s`);
          await w.pods.hold(w.window(30), membersStayReady(MEMBERS, leader)(`while ${node} is cut off`));
          await rejoin();
          // Back in the ensemble: the same pod (no restart needed), answering srvr as a follower or leader again.
          await eventually(`${leader} serves again`, w.timeoutMs(120), async () => {
            const mode = (await srvr(w, leader)).mode;
            if (mode !== 'leader' && mode !== 'follower') throw new Error(`${leader} mode ${mode ?? '?'}`);
          });
          expect(w.pod(leader)?.metadata?.uid, `${leader} is the same pod`).toBe(uid);
        },
        ledgers.keep('F3'),
      );
      aroundFault(w, ledger, leader, await quorum(w, 120));
    },
  );

  ledgerAssertions(f, 'F3', ledgers.of('F3'), {
    across: 'across the cut-off',
    maxUnavailableMs: MAX_UNAVAILABLE_MS,
    maxRecoveryMs: MAX_RECOVERY_MS,
    recoveryFrom: 'the node being back',
    needs: [...NEEDS, 'faults'],
  });
  f.assess(
    'F6.1',
    "the leader's ZooKeeper process killed (SIGKILL on its node) under the ledger: the container restarts in the same pod, the member rejoins",
    { timeout: 480, needs: [...NEEDS, 'faults'] },
    async (w) => {
      await waitRunningAndReady(w, SET, 3, 300);
      const leader = await quorum(w, 120);
      const uid = w.pod(leader)?.metadata?.uid;
      const ledger = await underLedger(
        w,
        'kill-leader-process',
        `kill the process of ${leader}`,
        async () => {
          const restarts = await w.killProcess(leader);
          await w.pods.until(
            () => runningReady(w.pod(leader)) && restartCount(w.pod(leader)) > restarts,
            w.timeoutMs(300),
            `${leader} restarted in place (restartCount > ${restarts}) and Ready`,
          );
          expect(w.pod(leader)?.metadata?.uid, `${leader} is the same pod`).toBe(uid);
        },
        ledgers.keep('F6'),
      );
      aroundFault(w, ledger, leader, await quorum(w, 120));
    },
  );

  ledgerAssertions(f, 'F6', ledgers.of('F6'), {
    across: "when the leader's process is killed",
    maxUnavailableMs: MAX_UNAVAILABLE_MS,
    maxRecoveryMs: MAX_RECOVERY_MS,
    recoveryFrom: 'the member being back',
    needs: [...NEEDS, 'faults'],
  });
});
