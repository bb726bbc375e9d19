/**
 * The one scenario that checks any app: `npm run e2e -- --app PATH [--profile FILE]` runs this file as
 * `app-<basename>`. It reads the app and its profile from the RunContext, plans the guarantees of
 * docs/app-guarantees.md (src/app/guarantees.ts), applies the app into its own namespace and asserts, for each
 * StatefulSet checked, one guarantee per assess step. A guarantee that does not apply is reported skipped with the
 * reason, one that needs what the provider lacks (kwok: exec, DNS, traffic) skipped with that reason, and one this
 * version does not check yet skipped as such; none of them is ever reported passed.
 */
import { randomBytes } from 'node:crypto';
import {
  VersionApi,
  type KubernetesObject,
  type V1EndpointSlice,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1PodDisruptionBudget,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { defineScenario, feature, type World } from '../scenario.ts';
import { CONTEXT_ENV, runContext } from '../context.ts';
import { applyOverlays } from '../manifests.ts';
import { describePods, runningReady, scale, setPods, waitRollout } from '../kube/statefulset.ts';
import { kubectl, kubectlFailure } from '../kube/kubectl.ts';
import { toPodEvent, type ResourceWatch } from '../kube/watch.ts';
import { concurrent, minReady, orderedCreate, orderedReplace, orderedTerminate, podReplaced, type Verdict } from '../ordering.ts';
import { compareVersions } from '../k8s-version.ts';
import { eventually } from '../eventually.ts';
import { factsOf, nameOf, podRange, readinessServiceNames, scaled, type StatefulSetFacts } from './objects.ts';
import { datumIo, datumLedgerAdapter, podDatum } from './datum.ts';
import { quorumFor, type Datum } from './profile.ts';
import type { Ledger } from '../ledger/record.ts';
import { CHECKED, UPDATE_CHECKS, appRelease, appStatefulSet, checkedStatefulSet, prepareApp, type PreparedApp } from './prepare.ts';
import { HELM_RELEASE_TIMEOUT_S, helmRelease, helmReleaseArgs, renderChart } from './helm.ts';
import { comparedText, helmRefusal, prunedObjects, updateText } from './upgrade.ts';
import { datumNeeds } from './guarantees.ts';
import { DNS_PROBE_LABELS, DNS_PROBE_NAME, digA, dnsProbePod } from './dns-probe.ts';
import { waitLabelledReady } from '../kube/labelled-pods.ts';
import {
  claimState,
  claimsOf,
  claimsVerdict,
  createdWithoutWaiting,
  deletionClaimsVerdict,
  datumAvailabilityVerdict,
  declaredPods,
  gracefulStopVerdict,
  identityVerdict,
  maintenanceVerdict,
  observedStops,
  ordinalOf,
  minReadyBeforeNext,
  pdbExpectation,
  pdbVerdict,
  publishedReadyVerdict,
  preferredSpreadVerdict,
  podDnsVerdict,
  quorumKeptVerdict,
  readyAddresses,
  readyServesVerdict,
  spreadOf,
  type ReadAttempt,
  revisionOf,
  updatedStateVerdict,
  SLICE_LAG_MS,
  withdrawnVerdict,
  requiredSpread,
  sameClaimsVerdict,
  scaleClaimsVerdict,
  spreadCapacity,
  spreadVerdict,
  statusVerdict,
  type ClaimState,
  type MaintenanceRecord,
  type NodeLabels,
  type PdbExpectation,
  type ScaleCycle,
} from './verdicts.ts';
import { drain, uncordon, uncordonAll } from '../kube/drain.ts';
import { apiMessage, statusCode } from '../kube/client.ts';

const ctx = process.env[CONTEXT_ENV] ? runContext() : undefined;
const app: PreparedApp | undefined = ctx?.app
  ? prepareApp({
      path: ctx.app.path,
      ...(ctx.app.profile ? { profile: ctx.app.profile } : {}),
      values: [...(ctx.app.values ?? [])],
      set: [...(ctx.app.set ?? [])],
      ...(ctx.app.upgradeTo !== undefined && {
        upgradeTo: ctx.app.upgradeTo,
        upgradeValues: ctx.app.upgradeValues ?? [],
        upgradeSet: ctx.app.upgradeSet ?? [],
      }),
    })
  : undefined;

export const scenario = defineScenario({
  name: app?.name ?? 'app',
  profile: app?.clusterProfile ?? 'K2',
  source: app?.path ?? 'docs/app-guarantees.md',
  summary: 'the guarantees of docs/app-guarantees.md on your own app (--app PATH)',
  fixtures: [],
});

/** One StatefulSet under check. */
interface SetUnder {
  readonly f: StatefulSetFacts;
  /** Its claim templates, as declared. */
  readonly templates: readonly V1PersistentVolumeClaim[];
  /** budgets.maxRecoverySeconds: how long the app may take to be all Ready again. */
  readonly R: number;
}

/** A StatefulSet under check, as declared. */
const setUnder = (sts: V1StatefulSet, R: number): SetUnder => ({ f: factsOf(sts), templates: sts.spec?.volumeClaimTemplates ?? [], R });

/** A guarantee as this file checks it. */
interface Check {
  /** The assess timeout, in seconds. */
  timeout(s: SetUnder): number;
  run(w: World, s: SetUnder, id: string): Promise<void>;
}

/** The ledgers of A5.4 and A8.5: one write and one read per second, each allowed 5 s; read back two keys at a time (each op opens its own port-forward or exec, and 8 at once timed out on kind). */
const LEDGER = { rateHz: 1, durationMs: 3_600_000, opTimeoutMs: 5000, maxInFlight: 4, readBackConcurrency: 2, readBackTimeoutMs: 300_000 } as const;

/** The overlays every object the run applies gets: its namespace, the image map, the pull policy (recorded as deviations). */
const runOverlays = (w: World): Parameters<typeof applyOverlays>[1] => ({ namespace: w.ns, imageMap: w.ctx.imageMap, pullPolicyOverlay: true });

/** The run's worker nodes and their labels (A7.1, A7.2): all of them, or those not cordoned. */
async function workerNodes(w: World, which: 'all' | 'schedulable'): Promise<NodeLabels[]> {
  return (await w.kube.core.listNode()).items
    .filter((n) => w.ctx.workerNodes.includes(n.metadata?.name ?? '') && (which === 'all' || !n.spec?.unschedulable))
    .map((n) => ({ name: n.metadata?.name ?? '?', labels: n.metadata?.labels ?? {} }));
}

/** A4.2: how soon after the watch shows a pod Ready a read through it must have succeeded (one exec or port-forward, on a busy node). */
const READY_SERVES_MS = 5000;

const holds = (w: World, id: string, v: Verdict): void => {
  if (!v.ok) throw new Error(v.reason);
  w.timeline.add('note', id, v.reason);
};

/** Exactly the declared pods exist, all Running and Ready, and the StatefulSet's status says so. */
async function waitAllReady(w: World, f: StatefulSetFacts, timeoutS: number): Promise<void> {
  const names = declaredPods(f);
  await w.pods.until(
    () => {
      const pods = setPods(w, f.name);
      return (
        pods.length === names.length &&
        pods.every((p, i) => p.metadata?.name === names[i] && runningReady(p)) &&
        (w.statefulsets.current.get(f.name)?.status?.readyReplicas ?? 0) === names.length
      );
    },
    w.timeoutMs(timeoutS),
    `${podRange(f)} Running and Ready`,
    () => describePods(w, f.name),
  );
}

const claimStates = (w: World, names: readonly string[]): Map<string, ClaimState> =>
  new Map(names.flatMap((n) => (w.pvcs.current.has(n) ? [[n, claimState(w.pvcs.current.get(n)!)] as const] : [])));

const claimsText = (w: World, names: readonly string[]): string => names.map((n) => `${n}=${w.pvcs.current.get(n)?.status?.phase ?? 'absent'}`).join(', ');

/**
 * The scale cycle that A2.1 (its scale-up part), A2.2, A2.3 and A3.4 observe, run once per StatefulSet by whichever
 * of them comes first: down by two pods (one, with one replica) and back to the declared replicas.
 */
interface Cycle extends ScaleCycle {
  readonly downMark: number;
  readonly upMark: number;
  /** The re-added pods, lowest ordinal first. */
  readonly readded: readonly string[];
}

async function scaleCycle(w: World, s: SetUnder): Promise<Cycle> {
  const { f, R } = s;
  await waitAllReady(w, f, R);
  const all = declaredPods(f);
  const to = f.replicas - Math.min(2, f.replicas);
  const kept = all.slice(0, to);
  const readded = all.slice(to);
  const removed = [...readded].reverse();
  const claims = claimsOf(f, all);
  if (f.claimTemplates.length)
    await w.pvcs.until(
      () => claims.every((n) => w.pvcs.current.get(n)?.status?.phase === 'Bound'),
      w.timeoutMs(R),
      `the PVCs of ${f.name} to be Bound before the scale-down`,
      () => claimsText(w, claims),
    );
  const before = claimStates(w, claims);
  const downMark = w.mark();
  await scale(w, f.name, to);
  await w.pods.until(
    () => removed.every((n) => !w.pod(n)),
    w.timeoutMs(R),
    `${removed.join(', ')} to be gone after the scale-down to ${to}`,
    () => describePods(w, f.name),
  );
  const removedClaims = claimsOf(f, removed);
  if (removedClaims.length && f.whenScaled === 'Delete')
    // Not an error here: A3.4 says what is left, from the snapshot.
    await w.pvcs
      .until(() => removedClaims.every((n) => !w.pvcs.current.has(n)), w.timeoutMs(R), `${removedClaims.join(', ')} to be deleted (whenScaled: Delete)`)
      .catch(() => undefined);
  const afterDown = claimStates(w, claims);
  const upMark = w.mark();
  await scale(w, f.name, f.replicas);
  await waitAllReady(w, f, R);
  return { removed, kept, readded, before, afterDown, afterUp: claimStates(w, claims), downMark, upMark };
}

/** A1.2 and A3.2: the highest ordinal deleted and re-created. */
interface Recreation {
  readonly pod: string;
  readonly oldUid: string;
  readonly before: ReadonlyMap<string, ClaimState>;
  readonly after: ReadonlyMap<string, ClaimState>;
}

async function recreate(w: World, s: SetUnder): Promise<Recreation> {
  const { f, R } = s;
  await waitAllReady(w, f, R);
  const pod = declaredPods(f).at(-1)!;
  const claims = claimsOf(f, [pod]);
  if (claims.length)
    await w.pvcs.until(
      () => claims.every((n) => w.pvcs.current.get(n)?.status?.phase === 'Bound'),
      w.timeoutMs(R),
      `the PVCs of ${pod} to be Bound`,
      () => claimsText(w, claims),
    );
  const before = claimStates(w, claims);
  const oldUid = await deleteAndWaitBack(w, s, pod);
  return { pod, oldUid, before, after: claimStates(w, claims) };
}

/** Deletes a pod of the set and waits until it is back under a new UID and every pod is Ready; the old UID. */
async function deleteAndWaitBack(w: World, s: SetUnder, pod: string): Promise<string> {
  const oldUid = w.pod(pod)?.metadata?.uid ?? '';
  await w.delete('Pod', 'v1', pod);
  await w.pods.until(
    () => {
      const p = w.pod(pod);
      return p !== undefined && p.metadata?.uid !== oldUid;
    },
    w.timeoutMs(s.R),
    `${pod} to be re-created`,
    () => describePods(w, s.f.name),
  );
  await waitAllReady(w, s.f, s.R);
  return oldUid;
}

/** The profile's datum, for a check planned only with one. */
function datumOf(a: PreparedApp): Datum {
  const d = a.profile?.datum;
  if (!d) throw new Error('this check runs with a datum only (a bug in the harness: skipOf should have skipped it)');
  return d;
}

/** An app with a quorum takes a write on any member; without one only the lowest Ready pod is written through. */
const writesAnyPod = (a: PreparedApp, s: SetUnder): boolean => quorumFor(a.profile, s.f.replicas) !== undefined;

/** What A5.4 and A8.5 judge the ledgers by: the budget, what counts, asynchronous replication. */
function availabilityBudgets(a: PreparedApp, s: SetUnder): { maxUnavailableMs: number; judgeWrites: boolean; asyncReplication: boolean } {
  const d = datumOf(a);
  return {
    maxUnavailableMs: (a.profile?.budgets.maxUnavailableSeconds ?? 30) * 1000,
    // Scope pod: each pod's own writes; replicated: writes only with a quorum (else only one pod may take them).
    judgeWrites: d.scope === 'pod' || writesAnyPod(a, s),
    asyncReplication: a.profile?.asyncReplication ?? false,
  };
}

/**
 * Runs `body` under write ledgers of the datum (A5.4, A8.5): one through the Ready pods (scope replicated) or one
 * per pod through that pod alone (scope pod), from a 5 s baseline with every pod Ready to 5 s after every pod is
 * Ready again. `fault(what)` opens a fault window in every ledger and returns its end. The ledgers are stopped and
 * read back even when a step failed, and then the failure is thrown. `writeAnyPod`: the app has a quorum, so any
 * member takes a write (else only the lowest Ready pod is written through).
 */
async function underDatumLedgers(
  w: World,
  s: SetUnder,
  d: Datum,
  o: { readonly name: string; readonly writeAnyPod: boolean },
  body: (fault: (what: string) => () => void) => Promise<void>,
): Promise<{ name: string; ledger: Ledger }[]> {
  const pods = declaredPods(s.f);
  const { name, writeAnyPod } = o;
  const runs =
    d.scope === 'pod'
      ? pods.map((pod) => ({ name: `${name}-${pod}`, run: w.ledger(`${name}-${pod}`, datumLedgerAdapter(w, d, { pod }), LEDGER) }))
      : [{ name, run: w.ledger(name, datumLedgerAdapter(w, d, { set: s.f.name, writeAnyPod }), LEDGER) }];
  let failure: unknown;
  try {
    w.step(`ledger baseline: ${pods.join(', ')} stay Ready for 5 s`);
    await w.pods.hold(w.window(5), (e) =>
      pods.includes(e.object.metadata?.name ?? '') && !runningReady(e.object) ? `${e.object.metadata?.name} stopped being Ready before the ${name}` : undefined,
    );
    await body((what) => {
      const ends = runs.map((r) => r.run.fault(what));
      return () => {
        for (const end of ends) end();
      };
    });
    await waitAllReady(w, s.f, s.R);
    w.step('ledger aftermath: 5 s with every pod Ready');
    await w.pods.hold(w.window(5), () => undefined);
  } catch (err) {
    failure = err;
  }
  for (const r of runs) r.run.stop();
  const ledgers: { name: string; ledger: Ledger }[] = [];
  for (const r of runs) ledgers.push({ name: r.name, ledger: await r.run.done });
  if (failure !== undefined) throw failure;
  return ledgers;
}

/**
 * The update of A8.2-A8.5 for one StatefulSet: `kubectl rollout restart` (a pod-template annotation) without
 * --upgrade-to; with it, the upgrade to the new version (or a restart after it, where it leaves the pod template as it is).
 */
interface Update {
  readonly mark: number;
  /** The update revision before the update (every pod's revision then), and the pods' UIDs then. */
  readonly before: string;
  readonly uids: ReadonlyMap<string, string>;
  /** The datum's ledgers across the update, when A8.5 runs. */
  readonly ledgers?: { name: string; ledger: Ledger }[];
  /** What the update was, noted in each step that judges it. */
  readonly what: string;
}

/** Every pod Ready and at one revision: that revision and the pods' UIDs, recorded before an update. */
async function beforeUpdate(w: World, s: SetUnder): Promise<Pick<Update, 'before' | 'uids'>> {
  const { f, R } = s;
  await waitAllReady(w, f, R);
  const status = w.statefulsets.current.get(f.name)?.status;
  const before = status?.updateRevision ?? '';
  if (!before || status?.currentRevision !== before)
    throw new Error(`${f.name} is not at one revision before the update (current ${status?.currentRevision}, update ${before})`);
  return { before, uids: new Map(setPods(w, f.name).map((p) => [p.metadata?.name ?? '', p.metadata?.uid ?? ''])) };
}

/** Once an update is applied: RollingUpdate, its rollout done and every pod Ready; OnDelete, the status showing the new revision. */
async function awaitUpdate(w: World, s: SetUnder, before: string): Promise<void> {
  const { f, R } = s;
  const gen = (await w.kube.apps.readNamespacedStatefulSet({ name: f.name, namespace: w.ns })).metadata?.generation ?? 0;
  if (f.updateStrategy === 'RollingUpdate') {
    // Each replaced pod may take R to be Ready again.
    await waitRollout(w, f.name, (f.replicas - f.partition) * R + 30, gen);
    await waitAllReady(w, f, R);
  } else
    await w.statefulsets.until(
      () => {
        const st = w.statefulsets.current.get(f.name)?.status;
        return (st?.observedGeneration ?? 0) >= gen && (st?.updateRevision ?? before) !== before;
      },
      w.timeoutMs(30),
      `${f.name}'s status to show the new revision`,
    );
}

async function restartSet(w: World, f: StatefulSetFacts, why: string): Promise<void> {
  const args = ['rollout', 'restart', `sts/${f.name}`];
  w.step(`kubectl ${args.join(' ')} (${why})`);
  const r = await kubectl(w, args);
  if (r.exitCode !== 0) throw new Error(kubectlFailure(args, r));
}

async function rolloutRestart(w: World, s: SetUnder, datum: { readonly d: Datum; readonly writeAnyPod: boolean } | undefined): Promise<Update> {
  const { before, uids } = await beforeUpdate(w, s);
  const what = `kubectl rollout restart sts/${s.f.name} (no new version given: --upgrade-to PATH)`;
  let mark = w.mark();
  const restart = async (): Promise<void> => {
    mark = w.mark();
    await restartSet(w, s.f, 'the update: a pod-template annotation');
    await awaitUpdate(w, s, before);
  };
  if (!datum) {
    await restart();
    return { mark, before, uids, what };
  }
  // A8.5 judges the datum across this same update: the ledgers run from before the restart until after it.
  const ledgers = await underDatumLedgers(w, s, datum.d, { name: 'update', writeAnyPod: datum.writeAnyPod }, async (fault) => {
    const end = fault('rolling update');
    try {
      await restart();
    } finally {
      end();
    }
  });
  return { mark, before, uids, ledgers, what };
}

feature(scenario, (feat) => {
  if (!app) {
    feat.setup('the app of --app PATH', async () => {
      throw new Error('this scenario checks the app given with --app PATH: run it as `npm run e2e -- --app PATH`');
    });
    return;
  }
  const a = app;
  let created = 0;
  /** The app's objects as applied (overlays and all), for A3.5's re-creation of a StatefulSet. */
  let applied: readonly KubernetesObject[] = [];
  const cycles = new Map<string, Promise<Cycle>>();
  const recreations = new Map<string, Promise<Recreation>>();
  /** Runs once per StatefulSet, by whichever step needs it first; the others read what it recorded. */
  const once = <T>(memo: Map<string, Promise<T>>, s: SetUnder, make: () => Promise<T>): Promise<T> => {
    const known = memo.get(s.f.name);
    if (known) return known;
    const p = make();
    memo.set(s.f.name, p);
    return p;
  };
  const cycle = (w: World, s: SetUnder): Promise<Cycle> => once(cycles, s, () => scaleCycle(w, s));
  const recreation = (w: World, s: SetUnder): Promise<Recreation> => once(recreations, s, () => recreate(w, s));
  const updates = new Map<string, Promise<Update>>();
  /** Whether A8.5 runs for this set here (planned, not skipped, and the provider has what the datum needs). */
  const a85 = (w: World, s: SetUnder): boolean =>
    a.assertions.some((x) => x.check.id === 'A8.5' && x.check.statefulSet === s.f.name && x.skip === undefined && x.check.needs.every((n) => w.has(n)));
  /** The update a step of A8.2-A8.5 judges, noted in its timeline. */
  const update = async (w: World, s: SetUnder, id: string): Promise<Update> => {
    const u = a.upgrade
      ? (await upgradeApp(w)).get(s.f.name)
      : await once(updates, s, () => rolloutRestart(w, s, a85(w, s) ? { d: datumOf(a), writeAnyPod: writesAnyPod(a, s) } : undefined));
    if (!u) throw new Error(`the upgrade did not record ${s.f.name} (a bug in the harness: its A8 checks run, so it should have)`);
    w.timeline.add('note', id, `the update: ${u.what}`);
    return u;
  };
  const recoveryS = a.profile?.budgets.maxRecoverySeconds ?? 300;
  /** The checked StatefulSets the upgrade records and waits for: those with a step of A8.2-A8.5 to judge it. */
  const upgraded = (a.upgrade?.sets ?? []).filter((x) =>
    a.assertions.some((as) => UPDATE_CHECKS.includes(as.check.id) && as.check.statefulSet === x.name && as.skip === undefined),
  );
  /** With --upgrade-to, the first A8 step runs the whole upgrade: helm, then every upgraded StatefulSet's rollout. */
  const upgradeExtraS = a.upgrade
    ? HELM_RELEASE_TIMEOUT_S + 30 + upgraded.reduce((t, x) => t + ((appStatefulSet(a.upgrade!, x.name)?.spec?.replicas ?? 1) + 2) * (recoveryS + 30), 0)
    : 0;
  /** How the app was installed, so that the upgrade goes the same way: by helm (the release), or server-side apply. */
  let viaHelm: { readonly release: string; readonly next: readonly KubernetesObject[] } | undefined;
  let upgrading: Promise<Map<string, Update>> | undefined;
  /** The upgrade, once for the whole app (it updates every StatefulSet at once), by the first step that judges it. */
  const upgradeApp = (w: World): Promise<Map<string, Update>> => (upgrading ??= runUpgrade(w));

  /**
   * With --upgrade-to and two charts: both rendered for the run's namespace, and helm install and helm upgrade used
   * when they apply exactly what the run would (helmRefusal); otherwise server-side apply, and the timeline says why.
   */
  function helmPlan(w: World): { release: string; current: KubernetesObject[]; next: KubernetesObject[] } | undefined {
    const u = a.upgrade;
    if (!u || a.input.kind !== 'chart' || u.input.kind !== 'chart') return undefined;
    const release = appRelease(a.input)!;
    const current = renderChart(a.input, { namespace: w.ns, ...a.chartArgs, release });
    const next = renderChart(u.input, { namespace: w.ns, ...u.chartArgs, release });
    const overlays = runOverlays(w);
    const why = helmRefusal([...current, ...next], [...applyOverlays(current, overlays).deviations, ...applyOverlays(next, overlays).deviations], w.ns);
    if (why) {
      w.timeline.add('note', 'helm', `server-side apply instead of helm install and helm upgrade: ${why}`);
      return undefined;
    }
    return { release, current, next };
  }

  /**
   * The new version over the app: `helm upgrade` when helm installed it, else server-side apply with the run's
   * overlays, and the objects it no longer has deleted (as helm upgrade deletes what a chart no longer renders).
   */
  async function applyUpgrade(w: World): Promise<void> {
    const u = a.upgrade!;
    if (viaHelm) {
      w.step(`helm upgrade ${viaHelm.release} ${u.path} (the new version, as its users upgrade it)`);
      await helmRelease(w, helmReleaseArgs('upgrade', { release: viaHelm.release, chart: u.input.path, ...u.chartArgs }));
      applied = viaHelm.next;
      return;
    }
    const { objects, deviations } = applyOverlays(u.objects, runOverlays(w));
    for (const d of deviations) w.deviation(d.object, d.change);
    w.step(`the new version ${u.path}, applied server-side over the app`);
    await w.apply(objects);
    for (const o of prunedObjects(applied, objects)) {
      w.timeline.add('note', 'upgrade', `${o.kind}/${nameOf(o)} is not in ${u.path}: deleted, as helm upgrade deletes what a chart no longer renders`);
      await w.delete(o.kind ?? '', o.apiVersion ?? '', nameOf(o));
    }
    applied = objects;
  }

  /**
   * Each upgraded StatefulSet's revision and pods recorded, the datum ledgers of those whose A8.5 runs started around
   * it, then the new version applied, a rollout restart of each one whose pod template it leaves as it is (its
   * update would replace no pod), and every rollout waited for.
   */
  async function runUpgrade(w: World): Promise<Map<string, Update>> {
    const u = a.upgrade!;
    const sets = upgraded.map((x) => ({ x, s: setUnder(appStatefulSet(u, x.name)!, recoveryS) }));
    const records = new Map<string, Pick<Update, 'before' | 'uids'>>();
    for (const { s } of sets) records.set(s.f.name, await beforeUpdate(w, s));
    let mark = w.mark();
    const run = async (): Promise<void> => {
      mark = w.mark();
      await applyUpgrade(w);
      for (const { x, s } of sets)
        if (x.templateChange === undefined)
          await restartSet(w, s.f, `the new version leaves the pod template of ${x.name} as it is: its update would replace no pod`);
      for (const { s } of sets) await awaitUpdate(w, s, records.get(s.f.name)!.before);
    };
    // A8.5 judges the datum across this same upgrade: each set's ledgers run from before it until after it.
    const withLedgers = sets.filter(({ s }) => a85(w, s));
    const ledgers = new Map<string, { name: string; ledger: Ledger }[]>();
    const nest = async (rest: typeof withLedgers, faults: ((what: string) => () => void)[]): Promise<void> => {
      const [first, ...more] = rest;
      if (!first) {
        const ends = faults.map((fault) => fault(`upgrade to ${u.path}`));
        try {
          await run();
        } finally {
          for (const end of ends) end();
        }
        return;
      }
      const name = withLedgers.length > 1 ? `update-${first.x.name}` : 'update';
      ledgers.set(
        first.x.name,
        await underDatumLedgers(w, first.s, datumOf(a), { name, writeAnyPod: writesAnyPod(a, first.s) }, (fault) => nest(more, [...faults, fault])),
      );
    };
    await nest(withLedgers, []);
    return new Map(
      sets.map(({ x }) => {
        const l = ledgers.get(x.name);
        return [x.name, { mark, ...records.get(x.name)!, ...(l && { ledgers: l }), what: updateText(x, u.path) }];
      }),
    );
  }
  let pdbWatch: Promise<ResourceWatch<V1PodDisruptionBudget>> | undefined;
  const pdbs = (w: World): Promise<ResourceWatch<V1PodDisruptionBudget>> =>
    (pdbWatch ??= w.watch<V1PodDisruptionBudget>(
      { path: `/apis/policy/v1/namespaces/${w.ns}/poddisruptionbudgets`, apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace: w.ns },
      (p) =>
        `expected=${p.status?.expectedPods ?? '?'} healthy=${p.status?.currentHealthy ?? '?'} desired=${p.status?.desiredHealthy ?? '?'} allowed=${p.status?.disruptionsAllowed ?? '?'}`,
    ));

  let sliceWatch: Promise<ResourceWatch<V1EndpointSlice>> | undefined;
  const slices = (w: World): Promise<ResourceWatch<V1EndpointSlice>> =>
    (sliceWatch ??= w.watch<V1EndpointSlice>(
      { path: `/apis/discovery.k8s.io/v1/namespaces/${w.ns}/endpointslices`, apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespace: w.ns },
      (e) =>
        (e.endpoints ?? [])
          .map((x) => `${x.targetRef?.name ?? '?'}:${x.conditions?.ready ? 'ready' : 'not-ready'}${x.conditions?.terminating ? '+terminating' : ''}`)
          .join(' '),
    ));
  const isMemberOf =
    (f: StatefulSetFacts) =>
    (pod: string): boolean =>
      ordinalOf(f.name, pod) !== undefined;

  /** Every pod of every StatefulSet of the app the PDB selects Running and Ready. */
  const pdbSetsReady = async (w: World, x: PdbExpectation, R: number): Promise<void> => {
    for (const name of x.sets) {
      const other = appStatefulSet(a, name);
      if (other) await waitAllReady(w, factsOf(other), R);
    }
  };

  /** The PDB's status once its controller counts every selected pod healthy. */
  const pdbSettled = async (w: World, x: PdbExpectation): Promise<V1PodDisruptionBudget['status']> => {
    const watch = await pdbs(w);
    await watch.until(
      () => {
        const p = watch.current.get(x.name);
        return (
          (p?.status?.observedGeneration ?? 0) >= (p?.metadata?.generation ?? 1) &&
          p?.status?.expectedPods === x.expected &&
          p.status.currentHealthy === x.expected
        );
      },
      w.timeoutMs(120),
      `PDB ${x.name} to count all ${x.expected} selected pods healthy`,
      () => JSON.stringify(watch.current.get(x.name)?.status ?? 'absent'),
    );
    return watch.current.get(x.name)?.status;
  };

  const CHECKS: Readonly<Record<string, Check>> = {
    'A1.1': {
      timeout: (s) => s.R,
      async run(w, s, id) {
        await waitAllReady(w, s.f, s.R);
        const version = (await w.kube.kc.makeApiClient(VersionApi).getCode()).gitVersion;
        const setUid = w.statefulsets.current.get(s.f.name)?.metadata?.uid;
        holds(w, id, identityVerdict(setPods(w, s.f.name), s.f, { ...(setUid && { setUid }), podIndexLabel: compareVersions(version, 'v1.28.0') >= 0 }));
      },
    },
    'A1.2': {
      timeout: (s) => 3 * s.R,
      async run(w, s, id) {
        const r = await recreation(w, s);
        const p = w.pod(r.pod);
        if (p?.metadata?.uid === r.oldUid) throw new Error(`${r.pod} still has its old UID ${r.oldUid}`);
        holds(w, id, {
          ok: true,
          reason: `${r.pod} came back under its name with a new UID (${r.oldUid} → ${p?.metadata?.uid}); ${podRange(s.f)} Ready again`,
        });
      },
    },
    'A1.3': {
      timeout: (s) => 3 * s.R + 180,
      async run(w, s, id) {
        await waitAllReady(w, s.f, s.R);
        w.step(`create the DNS helper pod ${DNS_PROBE_NAME} (dig)`);
        await w.apply(applyOverlays([dnsProbePod()], runOverlays(w)).objects);
        await waitLabelledReady(w, DNS_PROBE_LABELS, 1, 120);
        const fqdn = (pod: string): string => `${pod}.${s.f.serviceName}.${w.ns}.svc.cluster.local`;
        // Each name must resolve to exactly its pod's IP, polled up to 60 s for DNS caches (catalogue 1.7's window).
        const resolves = (pod: string): Promise<string> =>
          eventually(`${fqdn(pod)} to resolve to ${pod}'s IP`, w.timeoutMs(60), async () => {
            const r = await w.exec(DNS_PROBE_NAME, digA(fqdn(pod)), 30);
            const v = podDnsVerdict(r.exitCode === 0 ? r.stdout : '', fqdn(pod), w.pod(pod)?.status?.podIP);
            if (!v.ok) throw new Error(`${v.reason}${r.exitCode !== 0 ? ` (dig exit ${r.exitCode}: ${r.stderr.trim().split('\n')[0] ?? ''})` : ''}`);
            return v.reason;
          });
        try {
          const shown: string[] = [];
          for (const pod of declaredPods(s.f)) shown.push(await resolves(pod));
          // The re-creation shared with A1.2/A3.2 (the highest ordinal, a new pod and most likely a new IP).
          const r = await recreation(w, s);
          const again = await resolves(r.pod);
          holds(w, id, { ok: true, reason: `${shown.join(', ')}; after ${r.pod} was re-created: ${again}` });
        } finally {
          await w.delete('Pod', 'v1', DNS_PROBE_NAME);
        }
      },
    },
    'A2.1': {
      timeout: (s) => 4 * s.R,
      async run(w, s, id) {
        await waitAllReady(w, s.f, s.R);
        const names = declaredPods(s.f);
        holds(w, id, orderedCreate(w.podEvents(), names, created));
        if (s.f.minReadySeconds > 0) holds(w, id, minReadyBeforeNext(w.podEvents(), names, created, s.f.minReadySeconds));
        const c = await cycle(w, s);
        holds(w, id, orderedCreate(w.podEvents(), c.readded, c.upMark, c.kept.at(-1)));
        if (s.f.minReadySeconds > 0) holds(w, id, minReadyBeforeNext(w.podEvents(), c.readded, c.upMark, s.f.minReadySeconds, c.kept.at(-1)));
      },
    },
    'A2.2': {
      timeout: (s) => 4 * s.R,
      async run(w, s, id) {
        const c = await cycle(w, s);
        holds(w, id, orderedTerminate(w.podEvents(), c.removed, c.downMark));
      },
    },
    'A2.3': {
      timeout: (s) => 4 * s.R,
      async run(w, s, id) {
        await waitAllReady(w, s.f, s.R);
        holds(w, id, createdWithoutWaiting(w.podEvents(), declaredPods(s.f), created));
        const c = await cycle(w, s);
        holds(w, id, concurrent(w.podEvents(), c.removed, 'delete', c.downMark));
        holds(w, id, createdWithoutWaiting(w.podEvents(), c.readded, c.upMark));
      },
    },
    'A3.1': {
      timeout: (s) => 2 * s.R,
      async run(w, s, id) {
        await waitAllReady(w, s.f, s.R);
        const claims = claimsOf(s.f, declaredPods(s.f));
        await w.pvcs.until(
          () => claims.every((n) => w.pvcs.current.get(n)?.status?.phase === 'Bound'),
          w.timeoutMs(s.R),
          `${claims.join(', ')} to be Bound`,
          () => claimsText(w, claims),
        );
        holds(w, id, claimsVerdict(setPods(w, s.f.name), w.pvcs.current, s.templates));
      },
    },
    'A3.2': {
      timeout: (s) => 3 * s.R,
      async run(w, s, id) {
        const r = await recreation(w, s);
        holds(w, id, sameClaimsVerdict(r.pod, r.before, r.after));
        holds(w, id, claimsVerdict([w.pod(r.pod)!], w.pvcs.current, s.templates));
      },
    },
    'A3.3': {
      timeout: (s) => (s.f.replicas + 1) * (s.R + 60) + 60,
      async run(w, s, id) {
        const d = a.profile?.datum;
        if (!d) throw new Error('A3.3 runs with a datum only (a bug in the harness: skipOf should have skipped it)');
        const datum = podDatum(w, d);
        await waitAllReady(w, s.f, s.R);
        const pods = declaredPods(s.f);
        const key = `e2e-${w.ctx.runId}-${randomBytes(3).toString('hex')}`;
        if (d.scope === 'pod') {
          // Each pod keeps its own: a value per pod, so that reading another pod's data is caught too.
          const values = new Map(pods.map((p) => [p, `${p}-${randomBytes(4).toString('hex')}`]));
          for (const p of pods) await datum.write(p, key, values.get(p)!);
          for (const p of pods) await datum.expect(p, key, values.get(p)!, 30);
          for (const p of pods) {
            await deleteAndWaitBack(w, s, p);
            await datum.expect(p, key, values.get(p)!, 30);
          }
          holds(w, id, { ok: true, reason: `each of ${pods.join(', ')} read back its own value of ${key} after it was re-created` });
          return;
        }
        const value = randomBytes(6).toString('hex');
        const readWait = a.profile?.asyncReplication ? s.R : 30;
        await datum.write(pods[0]!, key, value);
        for (const p of pods) await datum.expect(p, key, value, readWait);
        for (const gone of pods) {
          await deleteAndWaitBack(w, s, gone);
          for (const p of pods) await datum.expect(p, key, value, readWait);
        }
        holds(w, id, { ok: true, reason: `${key}=${value} written through ${pods[0]} was read through every pod, also after each was re-created` });
      },
    },
    'A3.4': {
      timeout: (s) => 4 * s.R,
      async run(w, s, id) {
        holds(w, id, scaleClaimsVerdict(s.f, await cycle(w, s)));
      },
    },
    'A3.5': {
      timeout: (s) => 3 * s.R + 180,
      async run(w, s, id) {
        const { f, R } = s;
        await waitAllReady(w, f, R);
        const pods = declaredPods(f);
        const claims = claimsOf(f, pods);
        await w.pvcs.until(
          () => claims.every((n) => w.pvcs.current.get(n)?.status?.phase === 'Bound'),
          w.timeoutMs(R),
          `${claims.join(', ')} to be Bound`,
          () => claimsText(w, claims),
        );
        // With a datum the provider can reach, one value written before the deletion must be read after it.
        const d = a.profile?.datum;
        const reach = d && f.whenDeleted === 'Retain' ? datumNeeds(d)[0] : undefined;
        const datum = d && reach && w.has(reach) ? podDatum(w, d) : undefined;
        if (d && reach && !datum) w.partial('the datum read back after the re-creation', reach);
        const key = `e2e-${w.ctx.runId}-${randomBytes(3).toString('hex')}`;
        const values = new Map(pods.map((p) => [p, d?.scope === 'pod' ? `${p}-${randomBytes(4).toString('hex')}` : `v-${key}`]));
        if (datum) {
          if (d?.scope === 'pod') for (const p of pods) await datum.write(p, key, values.get(p)!);
          else await datum.write(pods[0]!, key, values.get(pods[0]!)!);
        }
        const before = claimStates(w, claims);
        const sts = applied.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === f.name);
        if (!sts) throw new Error(`StatefulSet ${f.name} is not among the applied objects (a bug in the harness)`);
        w.step(`kubectl delete statefulset ${f.name}; its pods go with it`);
        await w.delete('StatefulSet', 'apps/v1', f.name);
        await w.pods.until(
          () => pods.every((p) => !w.pod(p)),
          w.timeoutMs(R),
          `the pods of ${f.name} to be gone`,
          () => describePods(w, f.name),
        );
        if (f.whenDeleted === 'Delete')
          await w.pvcs
            .until(() => claims.every((n) => !w.pvcs.current.has(n)), w.timeoutMs(R), `${claims.join(', ')} to be deleted (whenDeleted: Delete)`)
            .catch(() => undefined); // the verdict says what is left
        // Retain: nothing may delete the claims while the StatefulSet is gone (5 s window, as for 1.12).
        else
          await w.pvcs.hold(w.window(5), (e) =>
            claims.includes(e.object.metadata?.name ?? '') && (e.type === 'DELETED' || e.object.metadata?.deletionTimestamp)
              ? `${e.object.metadata?.name} is being deleted`
              : undefined,
          );
        const afterDelete = claimStates(w, claims);
        w.step(`kubectl apply the StatefulSet ${f.name} again`);
        await w.apply([sts]);
        await waitAllReady(w, f, R);
        holds(w, id, deletionClaimsVerdict(f, { claims, before, afterDelete, afterRecreate: claimStates(w, claims) }));
        if (datum) {
          for (const p of pods) await datum.expect(p, key, values.get(d?.scope === 'pod' ? p : pods[0]!)!, a.profile?.asyncReplication ? R : 30);
          w.timeline.add('note', id, `the datum ${key} written before the deletion was read through ${pods.join(', ')} after the re-creation`);
        }
      },
    },
    'A4.1': {
      timeout: (s) => s.R + s.f.minReadySeconds + 30,
      async run(w, s, id) {
        await waitAllReady(w, s.f, s.R);
        await w.statefulsets.until(
          () => (w.statefulsets.current.get(s.f.name)?.status?.availableReplicas ?? 0) === s.f.replicas,
          w.timeoutMs(s.f.minReadySeconds + 30),
          `status.availableReplicas of ${s.f.name} to reach ${s.f.replicas}`,
          () => describePods(w, s.f.name),
        );
        holds(w, id, statusVerdict(w.pods.events, w.statefulsets.events, s.f.name, { minReadySeconds: s.f.minReadySeconds, now: w.timeline.now() }));
      },
    },
    'A4.2': {
      timeout: (s) => 3 * s.R + 120,
      async run(w, s, id) {
        const d = datumOf(a);
        const datum = podDatum(w, d);
        const io = datumIo(w, d);
        await waitAllReady(w, s.f, s.R);
        const pods = declaredPods(s.f);
        const pod = pods.at(-1)!;
        // A ledger-style value (`<key>#v1`), which an exec read with match: line picks out of any other output.
        const key = `e2e-${w.ctx.runId}-${randomBytes(3).toString('hex')}`;
        const value = `${key}#v1`;
        await datum.write(d.scope === 'pod' ? pod : pods[0]!, key, value);
        await datum.expect(pod, key, value, a.profile?.asyncReplication ? s.R : 30);
        const oldUid = w.pod(pod)?.metadata?.uid ?? '';
        await w.delete('Pod', 'v1', pod);
        await w.pods.until(
          () => {
            const p = w.pod(pod);
            return p?.metadata?.uid !== undefined && p.metadata.uid !== oldUid && runningReady(p);
          },
          w.timeoutMs(s.R),
          `${pod} to be re-created and Ready`,
          () => describePods(w, s.f.name),
        );
        const uid = w.pod(pod)?.metadata?.uid;
        const readyAt = w.podEvents().find((e) => e.uid === uid && e.ready)?.t ?? w.timeline.now();
        // Reads through the pod from the moment the watch showed it Ready, until one succeeds or R ends.
        const attempts: ReadAttempt[] = [];
        w.step(`read the datum through ${pod} as soon as it is Ready, until a read succeeds`);
        while (w.timeline.now() - readyAt < w.timeoutMs(s.R)) {
          try {
            const got = await io.read(pod, key);
            attempts.push({
              at: w.timeline.now(),
              ok: got === value,
              detail: got === value ? 'read' : `read ${got === undefined ? 'nothing' : `'${got.slice(0, 80)}'`}`,
            });
          } catch (err) {
            attempts.push({ at: w.timeline.now(), ok: false, detail: (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 160) });
          }
          if (attempts.at(-1)!.ok) break;
          await w.pods.hold(w.window(0.5), () => undefined);
        }
        const v = readyServesVerdict(pod, readyAt, attempts, READY_SERVES_MS);
        const served = attempts.find((x) => x.ok);
        w.report({ readToServeS: served ? Math.round((served.at - readyAt) / 100) / 10 : -1 });
        holds(w, id, v);
      },
    },
    'A4.3': {
      timeout: (s) => s.R + 30,
      async run(w, s, id) {
        await waitAllReady(w, s.f, s.R);
        const watch = await slices(w);
        const services = readinessServiceNames(a.objects, s.f.labels);
        // Every pod Ready: each Service's slices list them ready within the controller's lag.
        await watch.until(
          () => services.every((svc) => readyAddresses(watch.current.values(), svc, isMemberOf(s.f)).length >= s.f.replicas),
          w.timeoutMs(SLICE_LAG_MS / 1000 + 25),
          `the EndpointSlices of ${services.join(', ')} to list the ${s.f.replicas} Ready pods of ${s.f.name} as ready`,
        );
        holds(w, id, publishedReadyVerdict(w.podEvents(), watch.events, services, isMemberOf(s.f), w.timeline.now()));
      },
    },
    'A5.1': {
      timeout: (s) => s.R + 120,
      async run(w, s, id) {
        const x = pdbExpectation(a.objects, s.f.name);
        if (!x) throw new Error(`no single usable PDB selects the pods of ${s.f.name}, although the plan said one does (a bug in the harness)`);
        await pdbSetsReady(w, x, s.R);
        holds(w, id, pdbVerdict(await pdbSettled(w, x), x));
      },
    },
    'A5.2': {
      timeout: (s) => 3 * s.R + s.f.replicas * (150 + s.R) + 240,
      async run(w, s, id) {
        const x = pdbExpectation(a.objects, s.f.name);
        if (!x) throw new Error(`no single usable PDB selects the pods of ${s.f.name}, although the plan said one does (a bug in the harness)`);
        const sets = x.sets.map((n) => factsOf(appStatefulSet(a, n)!));
        const allReady = async (): Promise<void> => {
          for (const f of sets) await waitAllReady(w, f, s.R);
        };
        await allReady();
        await pdbSettled(w, x);
        const none = { pdb: x, accepted: [], drains: [], fewestReady: x.expected };
        // A PDB that lets every pod go at once protects nothing: said before any eviction, which would take them all.
        if (x.desiredHealthy <= 0) return holds(w, id, maintenanceVerdict(none));
        // 1. Evictions through the API, highest ordinal first, until one is refused: exactly N - D are accepted.
        const candidates = sets.flatMap((f) => declaredPods(f).reverse());
        const accepted: string[] = [];
        let refused: MaintenanceRecord['refused'];
        for (const pod of candidates) {
          if (accepted.length > x.expected - x.desiredHealthy) break;
          w.step(`evict pod ${pod} (the Eviction API, as kubectl drain uses it)`);
          try {
            await w.kube.core.createNamespacedPodEviction({ name: pod, namespace: w.ns, body: { metadata: { name: pod, namespace: w.ns } } });
            accepted.push(pod);
          } catch (err) {
            refused = { pod, code: statusCode(err), message: apiMessage(err) };
            w.timeline.add('note', id, `the eviction of ${pod} was refused: HTTP ${refused.code ?? '?'}: ${refused.message}`);
            break;
          }
        }
        await allReady();
        await pdbSettled(w, x);
        // 2. The nodes of the pods drained one at a time: drain (PDBs honoured), uncordon once its pods are gone,
        // every pod Ready again, the next node.
        const mark = w.mark();
        const nodes = [...new Set(sets.flatMap((f) => declaredPods(f).map((p) => w.pod(p)?.spec?.nodeName ?? '')))].filter(Boolean);
        const drains: { node: string; exitCode: number; seconds: number; errors: string[] }[] = [];
        for (const node of nodes) {
          w.step(`kubectl drain ${node} --ignore-daemonsets --force --delete-emptydir-data --timeout=150s (through the Eviction API)`);
          const t0 = w.timeline.now();
          const r = await drain(w.kube, node, { timeoutMs: w.timeoutMs(150), timeline: w.timeline, by: w.ctx.runId });
          drains.push({ node, exitCode: r.exitCode, seconds: Math.round((w.timeline.now() - t0) / 100) / 10, errors: r.errors });
          w.step(`kubectl uncordon ${node}; every pod Ready again before the next node`);
          await uncordon(w.kube, node);
          if (r.exitCode !== 0) break;
          await allReady();
        }
        const low = minReady(w.podEvents(), sets.flatMap(declaredPods), mark);
        w.report({ evictionsAccepted: accepted.length, fewestReady: low.min, ...Object.fromEntries(drains.map((d, i) => [`drain${i}S`, d.seconds])) });
        holds(
          w,
          id,
          maintenanceVerdict({
            pdb: x,
            accepted,
            ...(refused && { refused }),
            drains,
            fewestReady: low.min,
            ...(low.at && { fewestAt: `event #${low.at.seq}, ${low.at.type} ${low.at.name}` }),
          }),
        );
      },
    },
    'A5.3': {
      timeout: (s) => s.R + 120,
      async run(w, s, id) {
        const x = pdbExpectation(a.objects, s.f.name);
        const quorum = quorumFor(a.profile, s.f.replicas);
        if (!x || quorum === undefined)
          throw new Error(`A5.3 runs with a quorum and one usable PDB over ${s.f.name} only (a bug in the harness: the plan said both)`);
        await pdbSetsReady(w, x, s.R);
        holds(w, id, quorumKeptVerdict(await pdbSettled(w, x), x.name, quorum));
      },
    },
    'A5.4': {
      timeout: (s) => 2 * s.R + s.f.replicas * (150 + s.R) + 240,
      async run(w, s, id) {
        const d = datumOf(a);
        const pods = declaredPods(s.f);
        await waitAllReady(w, s.f, s.R);
        const x = pdbExpectation(a.objects, s.f.name);
        if (x) await pdbSettled(w, x);
        const drains: { node: string; exitCode: number; seconds: number; errors: string[] }[] = [];
        let mark = w.mark();
        const ledgers = await underDatumLedgers(w, s, d, { name: 'drains', writeAnyPod: writesAnyPod(a, s) }, async (fault) => {
          // The nodes drained back to back, as an automated node upgrade does: drain, uncordon, the next at once.
          // Only the PDB, if any, paces them (a drain's evictions are refused with 429 until the pods it protects are back).
          const nodes = [...new Set(pods.map((p) => w.pod(p)?.spec?.nodeName ?? ''))].filter(Boolean);
          mark = w.mark();
          for (const node of nodes) {
            const end = fault(`drain ${node}`);
            w.step(`kubectl drain ${node} --ignore-daemonsets --force --delete-emptydir-data (through the Eviction API); then uncordon, the next at once`);
            const t0 = w.timeline.now();
            const r = await drain(w.kube, node, { timeoutMs: w.timeoutMs(150 + s.R), timeline: w.timeline, by: w.ctx.runId });
            drains.push({ node, exitCode: r.exitCode, seconds: Math.round((w.timeline.now() - t0) / 100) / 10, errors: r.errors });
            await uncordon(w.kube, node);
            end();
            if (r.exitCode !== 0) break;
          }
        });
        const quorum = quorumFor(a.profile, s.f.replicas);
        const low = minReady(w.podEvents(), pods, mark);
        const v = datumAvailabilityVerdict({
          ...availabilityBudgets(a, s),
          ledgers,
          drains,
          ...(quorum !== undefined && { quorum }),
          fewestReady: low.min,
          ...(low.at && { fewestAt: `event #${low.at.seq}, ${low.at.type} ${low.at.name}` }),
        });
        w.report({ ...v.numbers, ...Object.fromEntries(drains.map((x, i) => [`drain${i}S`, x.seconds])) });
        holds(w, id, v);
      },
    },
    'A6.1': {
      timeout: (s) => 3 * s.R + s.f.terminationGracePeriodSeconds + 60,
      async run(w, s, id) {
        // Every deletion of the run is judged (the re-creation, the scale cycle's scale-down, …); the re-creation,
        // shared with A1.2/A3.2, makes sure there is at least one.
        await recreation(w, s);
        const deleting = (): string[] =>
          observedStops(w.pods.events, s.f.name)
            .filter((x) => x.goneAt === undefined)
            .map((x) => x.pod);
        await w.pods.until(
          () => deleting().length === 0,
          w.timeoutMs(s.f.terminationGracePeriodSeconds + 30),
          `every deleted pod of ${s.f.name} to be gone`,
          () => `still there: ${deleting().join(', ')}`,
        );
        const stops = observedStops(w.pods.events, s.f.name);
        const failures = new Map<string, string[]>();
        for (const pod of new Set(stops.map((x) => x.pod))) failures.set(pod, await w.eventsFor(pod, 'FailedPreStopHook'));
        holds(w, id, gracefulStopVerdict(stops, failures));
      },
    },
    'A6.2': {
      timeout: (s) => 3 * s.R + s.f.terminationGracePeriodSeconds + 60,
      async run(w, s, id) {
        // Every deletion of the run is judged; the re-creation (shared with A1.2, A3.2, A6.1) makes sure there is one.
        await recreation(w, s);
        const watch = await slices(w);
        // The last deletion's 5 s must have passed before its withdrawal is judged: a window in which nothing is required.
        await w.pods.hold(w.window(SLICE_LAG_MS / 1000 + 1), () => undefined);
        holds(w, id, withdrawnVerdict(w.podEvents(), watch.events, readinessServiceNames(a.objects, s.f.labels), isMemberOf(s.f)));
      },
    },
    'A7.1': {
      timeout: (s) => s.R + 60,
      async run(w, s, id) {
        const sts = appStatefulSet(a, s.f.name)!;
        const terms = requiredSpread(sts);
        const nodes = await workerNodes(w, 'all');
        const capacity = spreadCapacity(terms, nodes);
        if (capacity >= s.f.replicas) await waitAllReady(w, s.f, s.R);
        else {
          // Fewer domains than replicas: the surplus pods must stay Pending, and say why.
          const unscheduled = (): V1Pod[] => setPods(w, s.f.name).filter((p) => !p.spec?.nodeName);
          await w.pods.until(
            () => setPods(w, s.f.name).filter((p) => p.spec?.nodeName).length >= capacity && unscheduled().length > 0,
            w.timeoutMs(s.R),
            `${capacity} pod(s) of ${s.f.name} scheduled (one per domain) and the rest Pending`,
            () => describePods(w, s.f.name),
          );
          await eventually(`FailedScheduling events for the Pending pods of ${s.f.name}`, w.timeoutMs(60), async () => {
            for (const p of unscheduled()) {
              const name = p.metadata?.name ?? '?';
              if ((await w.eventsFor(name, 'FailedScheduling')).length === 0) throw new Error(`${name} is Pending without a FailedScheduling event`);
            }
          });
        }
        holds(w, id, spreadVerdict(setPods(w, s.f.name), [...w.pods.current.values()], nodes, terms));
      },
    },
    'A7.2': {
      timeout: (s) => s.R + 60,
      async run(w, s, id) {
        await waitAllReady(w, s.f, s.R);
        const nodes = await workerNodes(w, 'schedulable');
        // Where the scheduler first put each pod, with every node free: later drains (A5.2, A5.4) cordon nodes, and a
        // pod evicted then may rightly land beside another.
        const first = new Map<string, string>();
        for (const e of w.podEvents()) if (e.seq > created && e.nodeName && isMemberOf(s.f)(e.name) && !first.has(e.name)) first.set(e.name, e.nodeName);
        const placed = declaredPods(s.f).map(
          (name): V1Pod => ({ metadata: { name }, spec: { containers: [], ...(first.has(name) && { nodeName: first.get(name) }) } }),
        );
        holds(w, id, preferredSpreadVerdict(placed, nodes, spreadOf(appStatefulSet(a, s.f.name)!, 'preferred')));
      },
    },
    'A8.1': {
      timeout: () => 10,
      async run(w, s, id) {
        const u = a.upgrade?.sets.find((x) => x.name === s.f.name);
        if (!a.upgrade || !u) throw new Error('A8.1 runs with --upgrade-to only (a bug in the harness: skipOf should have skipped it)');
        holds(w, id, { ok: true, reason: comparedText(u, a.path, a.upgrade.path) });
      },
    },
    'A8.2': {
      timeout: (s) => (s.f.replicas + 2) * (s.R + 30) + upgradeExtraS,
      async run(w, s, id) {
        const u = await update(w, s, id);
        const replaced = declaredPods(s.f)
          .filter((p) => ordinalOf(s.f.name, p)! >= s.f.partition)
          .reverse();
        const maxU = scaled(s.f.maxUnavailable, s.f.replicas) ?? 1;
        if (maxU <= 1) holds(w, id, orderedReplace(w.podEvents(), replaced, u.mark));
        else {
          const low = minReady(w.podEvents(), declaredPods(s.f), u.mark);
          if (low.min < s.f.replicas - maxU) throw new Error(`only ${low.min} pod(s) were Ready during the update, more than maxUnavailable ${maxU} down`);
        }
        holds(w, id, updatedStateVerdict(s.f, setPods(w, s.f.name), w.statefulsets.current.get(s.f.name)?.status, u.before));
      },
    },
    'A8.3': {
      timeout: (s) => (s.f.replicas + 3) * (s.R + 30) + upgradeExtraS,
      async run(w, s, id) {
        const u = await update(w, s, id);
        const below = declaredPods(s.f).filter((p) => ordinalOf(s.f.name, p)! < s.f.partition);
        const touched = below.filter((p) => w.pod(p)?.metadata?.uid !== u.uids.get(p));
        if (touched.length) throw new Error(`${touched.join(', ')} (below partition ${s.f.partition}) were replaced by the update`);
        holds(w, id, updatedStateVerdict(s.f, setPods(w, s.f.name), w.statefulsets.current.get(s.f.name)?.status, u.before));
        const pod = below.at(-1)!;
        await deleteAndWaitBack(w, s, pod);
        const rev = revisionOf(w.pod(pod));
        if (rev !== u.before) throw new Error(`${pod} (below the partition) was re-created at revision ${rev ?? 'none'}, not the current ${u.before}`);
        holds(w, id, { ok: true, reason: `${below.join(', ')} kept revision ${u.before} through the update; ${pod}, deleted, came back at ${u.before}` });
      },
    },
    'A8.4': {
      timeout: (s) => 2 * s.R + 150 + upgradeExtraS,
      async run(w, s, id) {
        const u = await update(w, s, id);
        const members = new Set(declaredPods(s.f));
        w.step(`OnDelete: no pod of ${s.f.name} is replaced for 60 s`);
        await w.pods.hold(w.window(60), (e) => {
          const pe = toPodEvent(e);
          return members.has(pe.name) ? podReplaced(pe, u.uids) : undefined;
        });
        const updateRev = w.statefulsets.current.get(s.f.name)?.status?.updateRevision;
        const pod = declaredPods(s.f).at(-1)!;
        await deleteAndWaitBack(w, s, pod);
        const problems = declaredPods(s.f).flatMap((p) => {
          const want = p === pod ? updateRev : u.before;
          return revisionOf(w.pod(p)) === want ? [] : [`${p} is at revision ${revisionOf(w.pod(p)) ?? 'none'}, not ${want}`];
        });
        if (problems.length) throw new Error(problems.join('; '));
        holds(w, id, {
          ok: true,
          reason: `no pod replaced for 60 s after the update; ${pod}, deleted, came back at ${updateRev}, the others kept ${u.before}`,
        });
      },
    },
    'A8.5': {
      timeout: (s) => (s.f.replicas + 2) * (s.R + 30) + 120 + upgradeExtraS,
      async run(w, s, id) {
        const u = await update(w, s, id);
        if (!u.ledgers) throw new Error('the update ran without the datum ledger (a bug in the harness: A8.5 should have been planned)');
        const low = minReady(w.podEvents(), declaredPods(s.f), u.mark);
        const v = datumAvailabilityVerdict({ ...availabilityBudgets(a, s), ledgers: u.ledgers, fewestReady: low.min });
        w.report(v.numbers);
        holds(w, id, v);
      },
    },
  };
  const unchecked = CHECKED.filter((id) => !CHECKS[id]);
  if (unchecked.length) throw new Error(`prepare.ts CHECKED lists ${unchecked.join(', ')}, which check.e2e.ts does not check (a bug in the harness)`);

  const names = a.objects.map((o) => `${o.kind}/${o.metadata?.name}`);
  feat.setup(`apply the app: ${names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ')}`, async (w) => {
    // With --upgrade-to and two charts, helm installs the app when it applies exactly what the run would (no overlay).
    const helm = helmPlan(w);
    const { objects, deviations } = helm ? { objects: helm.current, deviations: [] } : applyOverlays(a.objects, runOverlays(w));
    applied = objects;
    const left = a.namespacesLeftOut.map((n) => ({ object: `Namespace/${n}`, change: "not applied: the app runs in the run's own namespace" }));
    for (const d of [...deviations, ...left]) {
      w.deviations.push(d);
      w.timeline.add('note', 'overlay', `${d.object}: ${d.change}`);
    }
    // A4.3 and A6.2 judge every EndpointSlice change of the run: their watch starts before anything exists.
    if (a.assertions.some((x) => (x.check.id === 'A4.3' || x.check.id === 'A6.2') && x.skip === undefined)) await slices(w);
    created = w.mark(); // the watches already run
    if (helm) {
      viaHelm = helm;
      w.step(`helm install ${helm.release} ${a.path} (with --upgrade-to, the app is installed as its users install it)`);
      await helmRelease(w, helmReleaseArgs('install', { release: helm.release, chart: a.input.path, ...a.chartArgs }));
    } else await w.apply(objects);
  });

  feat.teardown('uncordon every node the drains (A5.2) cordoned, even after a failure', async (w) => {
    const nodes = await uncordonAll(w.kube, w.ctx.runId);
    if (nodes.length > 0) w.timeline.add('note', 'teardown', `uncordoned ${nodes.join(', ')}`);
  });

  for (const as of a.assertions) {
    const c = as.check;
    const s = setUnder(checkedStatefulSet(a, c)!, recoveryS);
    const impl = as.skip === undefined ? CHECKS[c.id] : undefined;
    feat.assess(as.id, as.title, { timeout: impl?.timeout(s) ?? 10, needs: c.needs, ...(as.skip !== undefined && { skip: as.skip }) }, async (w) => {
      if (!c.applies || !impl) return; // skipped before it runs (the skip option)
      w.timeline.add('note', as.id, `asserts: ${c.asserts}`);
      try {
        await impl.run(w, s, as.id);
      } catch (err) {
        // The manifests already said it would fail: say so with the failure.
        if (c.warning) throw new Error(`${err instanceof Error ? err.message : String(err)} (known from the manifests: ${c.warning})`);
        throw err;
      }
    });
  }
});
