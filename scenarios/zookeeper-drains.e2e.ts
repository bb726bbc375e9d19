/**
 * §F4 — node maintenance under the write ledger (issue 14; docs/faults.md §F4) on profile K4S (four workers, storage
 * that does not pin pods to nodes). Each ZooKeeper member's node is drained in turn the way an automated rolling
 * node upgrade does it: drain, uncordon, and the next node at once, relying on the PodDisruptionBudget to pace it.
 * zk-pdb (maxUnavailable 1) must make each drain wait until the member evicted before is Ready again, so two
 * members always serve: no acknowledged write lost, no stale read, no stretch without writes over the budget.
 * Without the PDB the next drain takes a second member down while the first is still starting, the quorum is lost,
 * and F4.6 fails, F4.4 too when the quorum stays lost for over 10 s (the mutation `zk-no-pdb-drains`).
 */
import { expect } from 'vitest';
import { defineScenario, feature } from '../src/scenario.ts';
import { drain, uncordon, uncordonAll } from '../src/kube/drain.ts';
import { podNames, waitRunningAndReady } from '../src/kube/statefulset.ts';
import { zkLedgerAdapter } from '../src/apps/zookeeper.ts';
import { minReady } from '../src/ordering.ts';
import { gapsAroundFault, ledgerAssertions, membersStayReady, RecordedLedgers, underLedger } from '../src/ledger/steps.ts';

const SET = 'zk';
const MEMBERS = podNames(SET, 0, 2);
const RATE_HZ = 20;
/** Per drain: with zk-pdb a drain waits (evictions refused with 429, retried every 5 s) until the member before is back. */
const DRAIN_TIMEOUT_S = 300;
/**
 * Budgets (docs/faults.md §F4). An evicted member stops gracefully: its peers and the client see its connections
 * close at once, a new leader is elected in well under a second if it led, and the client moves to another member.
 * 10 s for the longest stretch without a successful write or read; an ensemble without a quorum (two members down:
 * one evicted, one still starting, whose readiness probe waits 10 s) cannot meet it.
 */
const MAX_UNAVAILABLE_MS = 10_000;
const MAX_RECOVERY_MS = 30_000;

export const scenario = defineScenario({
  name: 'zookeeper-drains',
  profile: 'K4S',
  source: 'seeds/002 L2250-2330 (drain with a PDB); issue 14',
  summary: "node maintenance under a write ledger: each ZooKeeper member's node drained in turn, paced by zk-pdb; no lost write, no outage",
  fixtures: ['zookeeper.yaml'],
  fixtureDir: 'zookeeper',
  disruptive: true, // cordons and drains nodes
});

feature(scenario, (f) => {
  const ledgers = new RecordedLedgers();
  const recorded = ledgers.of('F4');
  /** Where the drains started in the pod event log, for F4.6. */
  let mark: number | undefined;
  const NEEDS = ['exec', 'network', 'probes'] as const;

  f.setup('kubectl apply -f zookeeper.yaml; three Ready members', async (w) => {
    await w.apply('zookeeper.yaml');
    await waitRunningAndReady(w, SET, 3, 600);
  });

  f.assess(
    'F4.1',
    "each member's node drained in turn under the ledger (drain, uncordon, the next at once): every drain succeeds, three Ready members again",
    { timeout: 1200, needs: NEEDS },
    async (w) => {
      await waitRunningAndReady(w, SET, 3, 300);
      const nodes = MEMBERS.map((m) => w.pod(m)?.spec?.nodeName);
      if (nodes.some((n) => n === undefined) || new Set(nodes).size !== MEMBERS.length) {
        throw new Error(`precondition: the members on three different nodes, found ${MEMBERS.map((m, i) => `${m} on ${nodes[i] ?? '?'}`).join(', ')}`);
      }
      const adapter = await zkLedgerAdapter(w.kube, w.ns, MEMBERS);
      const drainSeconds: number[] = [];
      const ledger = await underLedger(
        w,
        'drain-each-node',
        adapter,
        "drain the members' nodes in turn",
        async () => {
          mark = w.mark();
          for (const node of nodes as string[]) {
            w.step(`kubectl drain ${node} --ignore-daemonsets --force --delete-emptydir-data --timeout=${DRAIN_TIMEOUT_S}s (through the Eviction API)`);
            const t0 = w.timeline.now();
            const r = await drain(w.kube, node, { timeoutMs: DRAIN_TIMEOUT_S * 1000, timeline: w.timeline, by: w.ctx.runId });
            drainSeconds.push(Math.round((w.timeline.now() - t0) / 100) / 10);
            expect(r.exitCode, `drain ${node}: ${[...r.errors, ...r.output].slice(-3).join('; ')}`).toBe(0);
            w.step(`kubectl uncordon ${node}; the next drain at once`);
            await uncordon(w.kube, node);
          }
          await waitRunningAndReady(w, SET, 3, 300);
        },
        { rateHz: RATE_HZ, durationMs: 900_000, opTimeoutMs: 2000, baselineS: 10, aftermathS: 15, quiet: membersStayReady(MEMBERS) },
        ledgers.keep('F4'),
      );
      const { writeGapMs, readGapMs } = gapsAroundFault(ledger);
      w.report({ writeGapAroundDrainsMs: writeGapMs, readGapAroundDrainsMs: readGapMs, ...Object.fromEntries(drainSeconds.map((s, i) => [`drain${i}S`, s])) });
      w.timeline.add(
        'note',
        'ledger',
        `drains took ${drainSeconds.join(' s, ')} s; longest stretch without a write ${writeGapMs} ms, without a read ${readGapMs} ms`,
      );
    },
  );

  ledgerAssertions(f, 'F4', recorded, {
    across: "across the drains of the members' nodes",
    maxUnavailableMs: MAX_UNAVAILABLE_MS,
    maxRecoveryMs: MAX_RECOVERY_MS,
    recoveryFrom: 'the last member being back',
    needs: NEEDS,
  });

  f.assess(
    'F4.6',
    'at no moment of the drains were fewer than two members Running and Ready (zk-pdb: maxUnavailable 1)',
    { timeout: 30, needs: NEEDS, after: ['F4.1'] },
    async (w) => {
      if (mark === undefined) throw new Error('the drains did not start: [F4.1] did not run to its end');
      const low = minReady(w.podEvents(), MEMBERS, mark);
      w.report({ fewestReadyMembers: low.min });
      expect(low.min, `Ready members fell to ${low.min} at #${low.at?.seq} (${low.at?.type} ${low.at?.name})`).toBeGreaterThanOrEqual(2);
    },
  );

  f.teardown('uncordon every node, even after a failure', async (w) => {
    const nodes = await uncordonAll(w.kube, w.ctx.runId);
    if (nodes.length > 0) w.timeline.add('note', 'teardown', `uncordoned ${nodes.join(', ')}`);
  });
});
