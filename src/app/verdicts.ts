/**
 * The verdicts of the API-level app guarantees (docs/app-guarantees.md) over what the watches recorded: pod
 * identity, Parallel creation, minReadySeconds between ordinals, PVCs per pod and across a scale cycle, status counts
 * against the Ready pods, the PDB's status, and required spread. Pure: check.e2e.ts gathers the objects and events,
 * these decide, each with the reason (what was shown, or what broke the guarantee).
 */
import type {
  KubernetesObject,
  V1EndpointSlice,
  V1LabelSelector,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudgetStatus,
  V1StatefulSet,
  V1StatefulSetStatus,
} from '@kubernetes/client-node';
import { firstAdded, isRunningReady, type PodEvent, type Verdict } from '../ordering.ts';
import type { ObservedEvent } from '../kube/watch.ts';
import type { Ledger } from '../ledger/record.ts';
import { describeWrite, ledgerProblems, lostWrites, unavailability } from '../ledger/verdict.ts';
import { factsOf, nameOf, parseQuantity, pdbDesiredHealthy, pdbsOf, selects, selectorText, statefulSetsOf, type StatefulSetFacts } from './objects.ts';

const pass = (reason: string): Verdict => ({ ok: true, reason });
const fail = (reason: string): Verdict => ({ ok: false, reason });
/** At most this many problems in one message; the rest are counted. */
const some = (problems: readonly string[]): string =>
  problems.length <= 4 ? problems.join('; ') : `${problems.slice(0, 4).join('; ')}; and ${problems.length - 4} more`;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The ordinal of a pod of the set, from its name, or undefined for another pod. */
export const ordinalOf = (set: string, pod: string): number | undefined => {
  const m = new RegExp(`^${escapeRe(set)}-(\\d+)$`).exec(pod);
  return m ? Number(m[1]) : undefined;
};
/** The pod names of the set as declared: `<set>-<start>` … `<set>-<start+replicas-1>`. */
export const declaredPods = (f: Pick<StatefulSetFacts, 'name' | 'start' | 'replicas'>): string[] =>
  Array.from({ length: Math.max(0, f.replicas) }, (_, i) => `${f.name}-${f.start + i}`);
/** PVC names `<template>-<pod>` of these pods. */
export const claimsOf = (f: Pick<StatefulSetFacts, 'claimTemplates'>, pods: readonly string[]): string[] =>
  pods.flatMap((p) => f.claimTemplates.map((t) => `${t}-${p}`));

// ---- A1.1 ----

/**
 * Exactly the declared pods exist, each with one controller ownerReference to the StatefulSet (its UID when known),
 * the pod-name label (and the pod-index label when the server sets it, Kubernetes ≥ 1.28), hostname = pod name and
 * subdomain = serviceName when one is set.
 */
export function identityVerdict(pods: readonly V1Pod[], f: StatefulSetFacts, o: { readonly setUid?: string; readonly podIndexLabel: boolean }): Verdict {
  const want = declaredPods(f);
  const have = pods.map((p) => p.metadata?.name ?? '?');
  if (have.join(',') !== want.join(',')) return fail(`the pods of ${f.name} are [${have.join(', ')}], expected exactly [${want.join(', ')}]`);
  const problems: string[] = [];
  for (const p of pods) {
    const name = p.metadata!.name!;
    const owners = (p.metadata?.ownerReferences ?? []).filter((r) => r.controller);
    const o0 = owners[0];
    if (owners.length !== 1 || o0?.kind !== 'StatefulSet' || o0.name !== f.name || (o.setUid !== undefined && o0.uid !== o.setUid))
      problems.push(`${name}: controller ${owners.map((r) => `${r.kind}/${r.name}`).join(', ') || 'none'}, expected StatefulSet/${f.name}`);
    const labels = p.metadata?.labels ?? {};
    if (labels['statefulset.kubernetes.io/pod-name'] !== name)
      problems.push(`${name}: label statefulset.kubernetes.io/pod-name=${labels['statefulset.kubernetes.io/pod-name'] ?? '(none)'}`);
    const ordinal = String(ordinalOf(f.name, name));
    if (o.podIndexLabel && labels['apps.kubernetes.io/pod-index'] !== ordinal)
      problems.push(`${name}: label apps.kubernetes.io/pod-index=${labels['apps.kubernetes.io/pod-index'] ?? '(none)'}, expected ${ordinal}`);
    if (p.spec?.hostname !== name) problems.push(`${name}: spec.hostname=${p.spec?.hostname ?? '(none)'}`);
    if (f.serviceName && p.spec?.subdomain !== f.serviceName)
      problems.push(`${name}: spec.subdomain=${p.spec?.subdomain ?? '(none)'}, expected ${f.serviceName}`);
  }
  if (problems.length) return fail(some(problems));
  return pass(
    `${want.join(', ')}: owned by StatefulSet ${f.name}, pod-name label${o.podIndexLabel ? ', pod-index label' : ''}, hostname${f.serviceName ? ', subdomain' : ''}`,
  );
}

// ---- A2.1 with minReadySeconds, A2.3 ----

/**
 * minReadySeconds between ordinals: each pod of `names` (after `after`, when given) is created at least
 * minReadySeconds after its predecessor turned Ready, by the server's timestamps (whole seconds, so 1 s is allowed).
 */
export function minReadyBeforeNext(events: readonly PodEvent[], names: readonly string[], fromSeq: number, minReadySeconds: number, after?: string): Verdict {
  const chain = after ? [after, ...names] : [...names];
  const shown: string[] = [];
  for (let i = 1; i < chain.length; i++) {
    const name = chain[i]!;
    const prevName = chain[i - 1]!;
    const added = firstAdded(events, name, fromSeq);
    if (!added) return fail(`${name} was never created (no ADDED event since #${fromSeq})`);
    const prev = [...events].reverse().find((e) => e.seq < added.seq && e.name === prevName);
    if (!prev?.readyTransition || !added.creationTimestamp) return fail(`${name}: no Ready time of ${prevName} or no creationTimestamp to compare`);
    const gap = Date.parse(added.creationTimestamp) - Date.parse(prev.readyTransition);
    if (gap < (minReadySeconds - 1) * 1000)
      return fail(
        `${name} was created at ${added.creationTimestamp}, ${(gap / 1000).toFixed(0)} s after ${prevName} turned Ready (${prev.readyTransition}); minReadySeconds is ${minReadySeconds}`,
      );
    shown.push(`${name} ${(gap / 1000).toFixed(0)} s after ${prevName}`);
  }
  return pass(shown.join('; ') || 'one pod');
}

/**
 * Parallel creation: some pod of `names` (in ordinal order) is ADDED before its predecessor is first seen
 * Running+Ready (since fromSeq): the controller did not wait.
 */
export function createdWithoutWaiting(events: readonly PodEvent[], names: readonly string[], fromSeq: number): Verdict {
  if (names.length < 2) return fail(`one pod (${names.join('')}) cannot show that the controller does not wait`);
  const waited: string[] = [];
  for (let i = 1; i < names.length; i++) {
    const name = names[i]!;
    const prevName = names[i - 1]!;
    const added = firstAdded(events, name, fromSeq);
    if (!added) return fail(`${name} was never created (no ADDED event since #${fromSeq})`);
    const prevReady = events.find((e) => e.seq >= fromSeq && e.name === prevName && isRunningReady(e));
    if (!prevReady || added.seq < prevReady.seq)
      return pass(`${name} ADDED #${added.seq} before ${prevName} was Running+Ready (${prevReady ? `#${prevReady.seq}` : 'not yet'})`);
    waited.push(`${name} ADDED #${added.seq} after ${prevName} Ready #${prevReady.seq}`);
  }
  return fail(`every pod waited for its predecessor to be Running+Ready, as OrderedReady would: ${waited.join('; ')}`);
}

// ---- A3.1, A3.2, A3.4 ----

/** For each pod and claim template: PVC `<template>-<pod>` Bound, the template's access modes, at least its storage, mounted as the template's volume. */
export function claimsVerdict(
  pods: readonly V1Pod[],
  pvcs: ReadonlyMap<string, V1PersistentVolumeClaim>,
  templates: readonly V1PersistentVolumeClaim[],
): Verdict {
  const problems: string[] = [];
  const shown: string[] = [];
  for (const p of pods) {
    const pod = p.metadata!.name!;
    for (const t of templates) {
      const tn = t.metadata?.name ?? '?';
      const name = `${tn}-${pod}`;
      const c = pvcs.get(name);
      if (!c) {
        problems.push(`${name} does not exist`);
        continue;
      }
      if (c.status?.phase !== 'Bound') problems.push(`${name} is ${c.status?.phase ?? 'Pending'}, not Bound`);
      const want = [...(t.spec?.accessModes ?? [])].sort().join(',');
      const have = [...(c.spec?.accessModes ?? [])].sort().join(',');
      if (want && want !== have) problems.push(`${name}: access modes ${have || '(none)'}, the template asks ${want}`);
      const requested = t.spec?.resources?.requests?.storage;
      const capacity = c.status?.capacity?.storage;
      const r = requested === undefined ? undefined : parseQuantity(String(requested));
      const cap = capacity === undefined ? undefined : parseQuantity(String(capacity));
      if (r !== undefined && (cap === undefined || cap < r)) problems.push(`${name}: capacity ${capacity ?? '(none)'} < requested ${requested}`);
      const vol = p.spec?.volumes?.find((v) => v.name === tn);
      if (vol?.persistentVolumeClaim?.claimName !== name)
        problems.push(
          `${pod}: volume ${tn} is ${vol?.persistentVolumeClaim?.claimName ? `claim ${vol.persistentVolumeClaim.claimName}` : 'not a PVC'}, expected claim ${name}`,
        );
      shown.push(`${name} Bound ${capacity ?? ''}`.trim());
    }
  }
  if (problems.length) return fail(some(problems));
  return pass(shown.join(', '));
}

/** A PVC as one moment saw it. */
export interface ClaimState {
  readonly uid: string;
  readonly phase: string;
  readonly volume: string;
}
export const claimState = (c: V1PersistentVolumeClaim): ClaimState => ({
  uid: c.metadata?.uid ?? '',
  phase: c.status?.phase ?? 'Pending',
  volume: c.spec?.volumeName ?? '',
});

/** A scale-down by `removed.length` pods and back, with the PVCs before, once the pods were gone, and after the scale-up. */
export interface ScaleCycle {
  /** Removed pods, highest ordinal first. */
  readonly removed: readonly string[];
  /** Pods that stayed. */
  readonly kept: readonly string[];
  readonly before: ReadonlyMap<string, ClaimState>;
  readonly afterDown: ReadonlyMap<string, ClaimState>;
  readonly afterUp: ReadonlyMap<string, ClaimState>;
}

/**
 * A3.4: with whenScaled Retain, the removed pods' PVCs stay Bound while they are gone and are re-used (same UIDs)
 * by the scale-up; with Delete, they are deleted once the pods are gone. Either way the kept pods' PVCs are unchanged.
 */
export function scaleClaimsVerdict(f: Pick<StatefulSetFacts, 'claimTemplates' | 'whenScaled'>, c: ScaleCycle): Verdict {
  const removed = claimsOf(f, c.removed);
  const kept = claimsOf(f, c.kept);
  const problems: string[] = [];
  for (const n of [...removed, ...kept]) if (!c.before.has(n)) problems.push(`${n} did not exist before the scale-down`);
  for (const n of kept) {
    const b = c.before.get(n);
    const d = c.afterDown.get(n);
    if (b && (!d || d.uid !== b.uid)) problems.push(`${n} of a kept pod ${d ? `changed UID ${b.uid} → ${d.uid}` : 'was deleted'} by the scale-down`);
  }
  for (const n of removed) {
    const b = c.before.get(n);
    const d = c.afterDown.get(n);
    const u = c.afterUp.get(n);
    if (f.whenScaled === 'Delete') {
      if (d) problems.push(`${n} still exists (${d.phase}) after its pod was gone (whenScaled: Delete)`);
    } else {
      if (!d) problems.push(`${n} was deleted by the scale-down (whenScaled: Retain)`);
      else if (d.phase !== 'Bound') problems.push(`${n} is ${d.phase} after the scale-down, not Bound (whenScaled: Retain)`);
      if (b && (!u || u.uid !== b.uid))
        problems.push(`${n} ${u ? `has a new UID after the scale-up (${b.uid} → ${u.uid})` : 'is missing after the scale-up'}: not re-used`);
    }
  }
  if (problems.length) return fail(some(problems));
  return pass(
    f.whenScaled === 'Delete'
      ? `${removed.join(', ')} deleted with their pods; ${kept.join(', ') || 'no other PVC'} kept`
      : `${removed.join(', ')} stayed Bound and were re-used by the scale-up (same UIDs)`,
  );
}

/** A3.2: the re-created pod's PVCs are the same objects (UIDs) bound to the same volumes. */
export function sameClaimsVerdict(pod: string, before: ReadonlyMap<string, ClaimState>, after: ReadonlyMap<string, ClaimState>): Verdict {
  const problems: string[] = [];
  for (const [n, b] of before) {
    const a = after.get(n);
    if (!a) problems.push(`${n} is gone`);
    else if (a.uid !== b.uid) problems.push(`${n} has a new UID (${b.uid} → ${a.uid})`);
    else if (a.volume !== b.volume) problems.push(`${n} is bound to ${a.volume || 'nothing'}, was ${b.volume || 'nothing'}`);
  }
  if (before.size === 0) return fail(`${pod} had no PVC before it was deleted`);
  if (problems.length) return fail(`after ${pod} was re-created: ${some(problems)}`);
  return pass(`${[...before.keys()].join(', ')}: same UIDs and volumes after ${pod} was re-created`);
}

// ---- A3.5 ----

/** The set's PVCs before its StatefulSet was deleted, once its pods were gone, and after it was re-created. */
export interface DeletionCycle {
  readonly claims: readonly string[];
  readonly before: ReadonlyMap<string, ClaimState>;
  readonly afterDelete: ReadonlyMap<string, ClaimState>;
  readonly afterRecreate: ReadonlyMap<string, ClaimState>;
}

/**
 * A3.5: with whenDeleted Retain the PVCs outlive the StatefulSet (still Bound, same UIDs) and its re-creation binds
 * the same ones (same UIDs and volumes); with Delete they are deleted once the pods are gone.
 */
export function deletionClaimsVerdict(f: Pick<StatefulSetFacts, 'name' | 'whenDeleted'>, c: DeletionCycle): Verdict {
  const problems: string[] = [];
  for (const n of c.claims) {
    const b = c.before.get(n);
    const d = c.afterDelete.get(n);
    const r = c.afterRecreate.get(n);
    if (!b) {
      problems.push(`${n} did not exist before the deletion`);
      continue;
    }
    if (f.whenDeleted === 'Delete') {
      if (d) problems.push(`${n} still exists (${d.phase}) after StatefulSet ${f.name} and its pods were gone (whenDeleted: Delete)`);
      continue;
    }
    if (!d) problems.push(`${n} was deleted with StatefulSet ${f.name} (whenDeleted: Retain)`);
    else if (d.uid !== b.uid || d.phase !== 'Bound')
      problems.push(`${n} is ${d.phase}${d.uid !== b.uid ? ` under a new UID ${d.uid}` : ''} after the deletion, not the same Bound claim`);
    if (!r || r.uid !== b.uid || r.volume !== b.volume)
      problems.push(
        `${n} ${r ? `is ${r.uid === b.uid ? `bound to ${r.volume || 'nothing'}, was ${b.volume}` : `a new claim (${b.uid} → ${r.uid})`}` : 'is missing'} after the re-creation: not re-bound`,
      );
  }
  if (c.claims.length === 0) problems.push('no PVC to follow');
  if (problems.length) return fail(some(problems));
  return pass(
    f.whenDeleted === 'Delete'
      ? `${c.claims.join(', ')} deleted with StatefulSet ${f.name} (whenDeleted: Delete)`
      : `${c.claims.join(', ')} kept Bound while StatefulSet ${f.name} was gone, and re-bound by its re-creation (same UIDs and volumes)`,
  );
}

// ---- A4.1 ----

/**
 * status.readyReplicas against the Running+Ready pods of the set in the watch (terminating ones included, as the
 * controller counts them): a difference may last at most toleranceMs. availableReplicas never exceeds
 * readyReplicas, equals it with minReadySeconds 0, and otherwise counts no more pods than have been Ready (in the
 * watch) for minReadySeconds, less slackMs for the delay of watch events.
 */
export function statusVerdict(
  pods: readonly ObservedEvent<V1Pod>[],
  sets: readonly ObservedEvent<V1StatefulSet>[],
  set: string,
  o: { readonly minReadySeconds: number; readonly now: number; readonly toleranceMs?: number; readonly slackMs?: number },
): Verdict {
  const tolerance = o.toleranceMs ?? 5000;
  const slack = o.slackMs ?? 2000;
  const merged = [
    ...pods.filter((e) => ordinalOf(set, e.object.metadata?.name ?? '') !== undefined).map((e) => ({ pod: e, sts: undefined })),
    ...sets.filter((e) => e.object.metadata?.name === set).map((e) => ({ pod: undefined, sts: e })),
  ].sort((a, b) => (a.pod ?? a.sts)!.seq - (b.pod ?? b.sts)!.seq);
  const readySince = new Map<string, number>();
  let status: { ready: number; available: number } | undefined;
  let off: { t: number; seq: number; status: number; watched: number } | undefined;
  let statusEvents = 0;
  const offFor = (t: number): string =>
    `from ${off!.t.toFixed(0)} ms (#${off!.seq}) to ${t.toFixed(0)} ms status.readyReplicas was ${off!.status} while ${off!.watched} pod(s) of ${set} were Running+Ready (more than ${tolerance / 1000} s)`;
  for (const m of merged) {
    const e = (m.pod ?? m.sts)!;
    if (off && e.t - off.t > tolerance) return fail(offFor(e.t));
    if (m.pod) {
      const p = m.pod.object;
      const name = p.metadata?.name ?? '?';
      const ready =
        m.pod.type !== 'DELETED' && p.status?.phase === 'Running' && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      if (!ready) readySince.delete(name);
      else if (!readySince.has(name)) readySince.set(name, e.t);
    } else if (m.sts) {
      statusEvents++;
      const st = m.sts.object.status;
      status = m.sts.type === 'DELETED' ? undefined : { ready: st?.readyReplicas ?? 0, available: st?.availableReplicas ?? 0 };
      if (status && status.available > status.ready) return fail(`#${e.seq}: availableReplicas ${status.available} > readyReplicas ${status.ready}`);
      if (status && o.minReadySeconds === 0 && status.available !== status.ready)
        return fail(`#${e.seq}: availableReplicas ${status.available} ≠ readyReplicas ${status.ready} with minReadySeconds 0`);
      if (status && o.minReadySeconds > 0) {
        const long = [...readySince.values()].filter((t0) => e.t - t0 >= o.minReadySeconds * 1000 - slack).length;
        if (status.available > long)
          return fail(`#${e.seq}: availableReplicas ${status.available}, but only ${long} pod(s) had been Ready for ${o.minReadySeconds} s (minReadySeconds)`);
      }
    }
    const watched = readySince.size;
    if (status && status.ready !== watched) off ??= { t: e.t, seq: e.seq, status: status.ready, watched };
    else off = undefined;
  }
  if (off && o.now - off.t > tolerance) return fail(`${offFor(o.now)}, until the end`);
  if (statusEvents === 0) return fail(`no status of StatefulSet ${set} was seen`);
  return pass(
    `status.readyReplicas followed the Running+Ready pods of ${set} through ${statusEvents} status update(s), never off for more than ${tolerance / 1000} s`,
  );
}

// ---- A5.1 ----

export interface PdbExpectation {
  readonly name: string;
  /** The app's StatefulSets whose pods it selects. */
  readonly sets: readonly string[];
  /** expectedPods: their replicas. */
  readonly expected: number;
  readonly desiredHealthy: number;
}

/** What the one PDB that selects the set's pods must report, or undefined when there is not exactly one usable PDB. */
export function pdbExpectation(objects: readonly KubernetesObject[], set: string): PdbExpectation | undefined {
  const all = statefulSetsOf(objects).map(factsOf);
  const f = all.find((x) => x.name === set);
  if (!f) return undefined;
  const pdbs = pdbsOf(objects).filter((p) => selects(p.spec?.selector, f.labels));
  if (pdbs.length !== 1) return undefined;
  const pdb = pdbs[0]!;
  const selected = all.filter((x) => selects(pdb.spec?.selector, x.labels));
  const expected = selected.reduce((n, x) => n + x.replicas, 0);
  const d = pdbDesiredHealthy(pdb, expected);
  if ('error' in d) return undefined;
  return { name: nameOf(pdb), sets: selected.map((x) => x.name), expected, desiredHealthy: d.desiredHealthy };
}

/** The PDB's status with every selected pod healthy: expectedPods, desiredHealthy, disruptionsAllowed = N-D ≥ 1. */
export function pdbVerdict(st: V1PodDisruptionBudgetStatus | undefined, x: PdbExpectation): Verdict {
  const allowed = Math.max(0, x.expected - x.desiredHealthy);
  const have = `expectedPods ${st?.expectedPods ?? '?'}, desiredHealthy ${st?.desiredHealthy ?? '?'}, disruptionsAllowed ${st?.disruptionsAllowed ?? '?'}`;
  if (st?.expectedPods !== x.expected || st.desiredHealthy !== x.desiredHealthy || st.disruptionsAllowed !== allowed)
    return fail(`PDB ${x.name} reports ${have}; expected ${x.expected}, ${x.desiredHealthy} and ${allowed}`);
  if (allowed < 1) return fail(`PDB ${x.name} allows no disruption with all ${x.expected} pods healthy (${have}): no drain can evict a pod`);
  return pass(`PDB ${x.name}: ${have}`);
}

// ---- A7.1 ----

export interface SpreadTerm {
  readonly kind: 'anti-affinity' | 'topology-spread';
  readonly topologyKey: string;
  /** For topology spread; 1 for anti-affinity (each domain at most one pod). */
  readonly maxSkew: number;
  readonly selector?: V1LabelSelector;
  readonly text: string;
}

/**
 * The set's spread terms on its own pods: `required` (required pod anti-affinity, DoNotSchedule topology spread; A7.1)
 * or `preferred` (preferred pod anti-affinity, ScheduleAnyway topology spread; A7.2). Terms that select none of the
 * pods are left out (a finding at planning time).
 */
export function spreadOf(sts: V1StatefulSet, which: 'required' | 'preferred'): SpreadTerm[] {
  const labels = factsOf(sts).labels;
  const pod = sts.spec?.template?.spec;
  const anti = pod?.affinity?.podAntiAffinity;
  const terms =
    which === 'required'
      ? (anti?.requiredDuringSchedulingIgnoredDuringExecution ?? [])
      : (anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).flatMap((x) => (x.podAffinityTerm ? [x.podAffinityTerm] : []));
  const out: SpreadTerm[] = [];
  for (const t of terms) {
    if (!selects(t.labelSelector, labels)) continue;
    out.push({
      kind: 'anti-affinity',
      topologyKey: t.topologyKey,
      maxSkew: 1,
      ...(t.labelSelector && { selector: t.labelSelector }),
      text: `${which} pod anti-affinity on ${t.topologyKey}`,
    });
  }
  const mode = which === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway';
  for (const t of pod?.topologySpreadConstraints ?? []) {
    if ((t.whenUnsatisfiable ?? 'DoNotSchedule') !== mode || !selects(t.labelSelector, labels)) continue;
    out.push({
      kind: 'topology-spread',
      topologyKey: t.topologyKey,
      maxSkew: t.maxSkew,
      ...(t.labelSelector && { selector: t.labelSelector }),
      text: `topology spread (${mode}, maxSkew ${t.maxSkew}) on ${t.topologyKey}`,
    });
  }
  return out;
}

/** The required spread on the set's own pods (A7.1). */
export const requiredSpread = (sts: V1StatefulSet): SpreadTerm[] => spreadOf(sts, 'required');

export interface NodeLabels {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

const domainsOf = (nodes: readonly NodeLabels[], key: string): string[] => [
  ...new Set(nodes.flatMap((n) => (n.labels[key] !== undefined ? [n.labels[key]!] : []))),
];

/** The pods' names by the domain (value of `key`) of their node, in pod order; `outside`: pods on no such node. */
function podsByDomain(pods: readonly V1Pod[], nodes: readonly NodeLabels[], key: string): { by: Map<string, string[]>; outside: V1Pod[] } {
  const nodeOf = new Map(nodes.map((n) => [n.name, n]));
  const by = new Map<string, string[]>();
  const outside: V1Pod[] = [];
  for (const p of pods) {
    const d = nodeOf.get(p.spec?.nodeName ?? '')?.labels[key];
    if (d === undefined) outside.push(p);
    else by.set(d, [...(by.get(d) ?? []), p.metadata?.name ?? '?']);
  }
  return { by, outside };
}

/** How many of the set's pods the required anti-affinity lets the nodes hold (Infinity without anti-affinity). */
export function spreadCapacity(terms: readonly SpreadTerm[], nodes: readonly NodeLabels[]): number {
  return Math.min(...terms.filter((t) => t.kind === 'anti-affinity').map((t) => domainsOf(nodes, t.topologyKey).length), Number.POSITIVE_INFINITY);
}

/**
 * Where the scheduled pods landed, term by term: under anti-affinity no two of the set's pods share a domain of
 * the topology key; under a spread constraint the pods it selects (in the namespace) differ by at most maxSkew
 * between the nodes' domains (domains with no pod count as 0).
 */
export function spreadVerdict(setPods: readonly V1Pod[], namespacePods: readonly V1Pod[], nodes: readonly NodeLabels[], terms: readonly SpreadTerm[]): Verdict {
  const nodeOf = new Map(nodes.map((n) => [n.name, n]));
  const shown: string[] = [];
  for (const t of terms) {
    const domains = domainsOf(nodes, t.topologyKey);
    if (domains.length === 0) return fail(`${t.text}: no worker node has the label ${t.topologyKey}, so the spread cannot be shown on this cluster`);
    const where = (p: V1Pod): string | undefined => nodeOf.get(p.spec?.nodeName ?? '')?.labels[t.topologyKey];
    if (t.kind === 'anti-affinity') {
      const { by } = podsByDomain(setPods, nodes, t.topologyKey);
      const shared = [...by].find(([, ps]) => ps.length > 1);
      if (shared) return fail(`${t.text}: ${shared[1].join(' and ')} share ${t.topologyKey}=${shared[0]}`);
      shown.push(`${t.text}: ${[...by].map(([d, ps]) => `${ps[0]} on ${d}`).join(', ')}`);
    } else {
      const counts = new Map(domains.map((d) => [d, 0]));
      for (const p of namespacePods) {
        const d = where(p);
        if (d !== undefined && selects(t.selector, p.metadata?.labels ?? {})) counts.set(d, (counts.get(d) ?? 0) + 1);
      }
      const values = [...counts.values()];
      const skew = Math.max(...values) - Math.min(...values);
      const text = [...counts].map(([d, n]) => `${d}=${n}`).join(', ');
      if (skew > t.maxSkew) return fail(`${t.text}: pods selected by ${selectorText(t.selector)} per domain ${text}: skew ${skew} > ${t.maxSkew}`);
      shown.push(`${t.text}: ${text} (skew ${skew})`);
    }
  }
  return pass(shown.join('; '));
}

/**
 * A7.2: under preferred spread, with at least as many domains as pods, the scheduler put every pod of the set in a
 * domain of its own, term by term. Fewer domains than pods cannot show it, and says so.
 */
export function preferredSpreadVerdict(setPods: readonly V1Pod[], nodes: readonly NodeLabels[], terms: readonly SpreadTerm[]): Verdict {
  const shown: string[] = [];
  for (const t of terms) {
    const domains = domainsOf(nodes, t.topologyKey);
    if (domains.length < setPods.length)
      return fail(`${t.text}: the cluster has ${domains.length} domain(s) of ${t.topologyKey} for ${setPods.length} pods, so their spread cannot be shown`);
    const { by, outside } = podsByDomain(setPods, nodes, t.topologyKey);
    const off = outside[0];
    if (off)
      return fail(`${t.text}: ${off.metadata?.name ?? '?'} is not on a worker node with the label ${t.topologyKey} (node ${off.spec?.nodeName ?? 'none'})`);
    const shared = [...by].find(([, ps]) => ps.length > 1);
    if (shared)
      return fail(`${t.text}: ${shared[1].join(' and ')} share ${t.topologyKey}=${shared[0]} although ${domains.length} domains were there to spread over`);
    shown.push(`${t.text}: ${[...by].map(([d, ps]) => `${ps[0]} on ${d}`).join(', ')}`);
  }
  return pass(shown.join('; '));
}

// ---- A5.3 ----

/** A5.3: with every selected pod healthy, the PDB's own status keeps at least the quorum: desiredHealthy ≥ quorum. */
export function quorumKeptVerdict(st: V1PodDisruptionBudgetStatus | undefined, pdb: string, quorum: number): Verdict {
  if (st?.desiredHealthy === undefined) return fail(`PDB ${pdb} reports no desiredHealthy`);
  const have = `desiredHealthy ${st.desiredHealthy}, disruptionsAllowed ${st.disruptionsAllowed ?? '?'} of expectedPods ${st.expectedPods ?? '?'}`;
  if (st.desiredHealthy < quorum)
    return fail(`PDB ${pdb} reports ${have}: it lets a drain take the members down to ${st.desiredHealthy}, below the quorum ${quorum}`);
  return pass(`PDB ${pdb} reports ${have}: at least the quorum ${quorum} stays up`);
}

// ---- A1.3 ----

/**
 * A1.3: the A records `dig +short` printed for a pod's FQDN are exactly the pod's current IP. An empty answer (no
 * record), another IP (a stale record of the pod's previous incarnation) or more than one record fail.
 */
export function podDnsVerdict(digOutput: string, fqdn: string, podIp: string | undefined): Verdict {
  if (!podIp) return fail(`the pod behind ${fqdn} has no IP yet`);
  const records = digOutput
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith(';'));
  if (records.length === 0) return fail(`${fqdn} does not resolve (no A record); the pod's IP is ${podIp}`);
  if (records.length === 1 && records[0] === podIp) return pass(`${fqdn} → ${podIp}`);
  return fail(`${fqdn} resolves to ${records.join(', ')}, not exactly the pod's current IP ${podIp}`);
}

// ---- A4.2 ----

/** One read of the datum through a pod that just turned Ready, timed on the timeline's clock (ms). */
export interface ReadAttempt {
  readonly at: number;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * A4.2: the first successful read through a pod that turned Ready at `readyAt` ended within `withinMs` of it. The
 * reads start as soon as the watch shows Ready; a pod whose probe says Ready before it serves fails, with the failed
 * reads as the reason.
 */
export function readyServesVerdict(pod: string, readyAt: number, attempts: readonly ReadAttempt[], withinMs: number): Verdict {
  const first = attempts.find((x) => x.ok);
  const failed = attempts.filter((x) => !x.ok && (!first || x.at <= first.at));
  const failedText = failed.length ? ` after ${failed.length} failed read(s) (${[...new Set(failed.map((x) => x.detail))].slice(0, 2).join('; ')})` : '';
  if (!first) return fail(`${pod} turned Ready, and no read of the datum through it succeeded${failedText}`);
  const s = ((first.at - readyAt) / 1000).toFixed(1);
  if (first.at - readyAt > withinMs)
    return fail(
      `${pod} turned Ready ${s} s before the datum could be read through it${failedText}: its readiness probe says Ready before the pod serves the data`,
    );
  return pass(`${pod} served the datum ${s} s after it turned Ready${failedText}`);
}

// ---- A3.3 with an exec datum ----

/** An argv element of the profile with `{key}` and `{value}` filled in (`${…}` is left to the shell, as profile.ts reads it). */
export const fillTemplate = (arg: string, key: string, value = ''): string =>
  arg.replace(/(?<!\$)\{(key|value)\}/g, (_, p: string) => (p === 'key' ? key : value));

/** An exec read found the value: exit 0 and, with `line`, a trimmed line of stdout equal to it; with `exact`, all of stdout, trimmed. */
export function readVerdict(
  r: { readonly exitCode: number; readonly stdout: string; readonly stderr: string },
  value: string,
  match: 'line' | 'exact',
): Verdict {
  const out = r.stdout.trim();
  const shown = out.length > 120 ? `${out.slice(0, 117)}...` : out;
  if (r.exitCode !== 0) return fail(`exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`);
  const found = match === 'exact' ? out === value : r.stdout.split('\n').some((l) => l.trim() === value);
  return found ? pass(`read ${value}`) : fail(`read '${shown}', expected ${match === 'exact' ? '' : 'a line '}'${value}'`);
}

// ---- A6.1 ----

/** One pod of the set that was deleted during the run, as the pod watch saw it. */
export interface ObservedStop {
  readonly pod: string;
  readonly uid: string;
  /** The grace period of the first deletion (deletionGracePeriodSeconds), and when its request was made (epoch ms). */
  readonly graceS: number;
  readonly requestedMs: number;
  /** Watch times (ms on the timeline's clock): the first event with a deletionTimestamp, and DELETED if seen. */
  readonly seenDeletingAt: number;
  readonly goneAt?: number;
  /** Each container's last state, from the last object seen. */
  readonly containers: readonly { readonly name: string; readonly exitCode?: number; readonly finishedMs?: number; readonly reason?: string }[];
}

const ms = (t: Date | string | undefined): number | undefined => (t === undefined ? undefined : new Date(t).getTime());

/**
 * Every pod of the set that got a deletionTimestamp, by uid. The first deletion fixes the grace period and the time
 * of the request (deletionTimestamp - grace): the kubelet's own final delete, with grace 0, moves both later.
 */
export function observedStops(events: readonly ObservedEvent<V1Pod>[], set: string): ObservedStop[] {
  const stops = new Map<string, { first: ObservedEvent<V1Pod>; last: V1Pod; goneAt?: number }>();
  for (const e of events) {
    const p = e.object;
    const uid = p.metadata?.uid;
    if (!uid || ordinalOf(set, p.metadata?.name ?? '') === undefined) continue;
    const known = stops.get(uid);
    if (!known) {
      if (!p.metadata?.deletionTimestamp) continue;
      stops.set(uid, { first: e, last: p, ...(e.type === 'DELETED' ? { goneAt: e.t } : {}) });
      continue;
    }
    known.last = p;
    if (e.type === 'DELETED') known.goneAt = e.t;
  }
  return [...stops.values()].map(({ first, last, goneAt }) => {
    const graceS = first.object.metadata?.deletionGracePeriodSeconds ?? 0;
    return {
      pod: first.object.metadata?.name ?? '?',
      uid: first.object.metadata?.uid ?? '?',
      graceS,
      requestedMs: (ms(first.object.metadata?.deletionTimestamp) ?? 0) - graceS * 1000,
      seenDeletingAt: first.t,
      ...(goneAt !== undefined ? { goneAt } : {}),
      containers: (last.status?.containerStatuses ?? []).map((c) => {
        const t = c.state?.terminated;
        return {
          name: c.name,
          ...(t ? { exitCode: t.exitCode, reason: t.reason ?? '' } : {}),
          ...(t?.finishedAt ? { finishedMs: ms(t.finishedAt)! } : {}),
        };
      }),
    };
  });
}

/**
 * A6.1: each stopped pod was gone within its grace period + `slackS` of the first watch event that showed it
 * deleting; each of its containers terminated (exit code other than 137, the kill at the end of the grace period)
 * strictly before its grace period ended (finishedAt before the first deletionTimestamp; both have 1 s resolution);
 * and no preStop hook failed (a FailedPreStopHook event). At least one stop must have been seen.
 */
export function gracefulStopVerdict(stops: readonly ObservedStop[], preStopFailures: ReadonlyMap<string, readonly string[]>, slackS = 10): Verdict {
  if (stops.length === 0) return fail('no pod was deleted during the run: nothing showed how its pods stop');
  const problems: string[] = [];
  for (const s of stops) {
    const who = `${s.pod} (uid ${s.uid.slice(0, 8)})`;
    if (s.goneAt === undefined) problems.push(`${who} was never seen gone`);
    else if (s.goneAt - s.seenDeletingAt > (s.graceS + slackS) * 1000)
      problems.push(
        `${who} was gone ${((s.goneAt - s.seenDeletingAt) / 1000).toFixed(1)} s after its deletion, over its grace period ${s.graceS} s + ${slackS} s`,
      );
    if (s.containers.length === 0) problems.push(`${who}: no container status was seen`);
    const end = s.requestedMs + s.graceS * 1000;
    for (const c of s.containers) {
      if (c.exitCode === undefined) problems.push(`${who}: container ${c.name} was never seen terminated`);
      else if (c.exitCode === 137) problems.push(`${who}: container ${c.name} was killed (exit code 137${c.reason ? `, ${c.reason}` : ''})`);
      if (c.finishedMs !== undefined && c.finishedMs >= end)
        problems.push(
          `${who}: container ${c.name} stopped ${((c.finishedMs - s.requestedMs) / 1000).toFixed(0)} s after the deletion, not before its grace period of ${s.graceS} s ended`,
        );
      else if (c.exitCode !== undefined && c.finishedMs === undefined) problems.push(`${who}: container ${c.name} has no finishedAt`);
    }
    for (const m of preStopFailures.get(s.pod) ?? []) problems.push(`${who}: FailedPreStopHook: ${m}`);
  }
  if (problems.length) return fail(some(problems));
  const worst = Math.max(...stops.map((s) => Math.max(...s.containers.map((c) => (c.finishedMs ?? 0) - s.requestedMs))));
  return pass(
    `${stops.length} pod stop(s) (${[...new Set(stops.map((s) => s.pod))].join(', ')}): each container exited (codes ${[
      ...new Set(stops.flatMap((s) => s.containers.map((c) => c.exitCode))),
    ].join(', ')}) within ${(worst / 1000).toFixed(0)} s of the deletion, before its grace period ended, and each pod was gone within grace + ${slackS} s`,
  );
}

// ---- A5.2 ----

/** What the A5.2 check did: evictions until one was refused, then a drain of each node in turn. */
export interface MaintenanceRecord {
  readonly pdb: PdbExpectation;
  /** Pods whose eviction the API accepted, in order, before one was refused (or the candidates ran out). */
  readonly accepted: readonly string[];
  /** The eviction that was refused: the pod, the HTTP status and the API's message. */
  readonly refused?: { readonly pod: string; readonly code: number | undefined; readonly message: string };
  readonly drains: readonly { readonly node: string; readonly exitCode: number; readonly seconds: number; readonly errors: readonly string[] }[];
  /** The fewest selected pods Running and Ready at any moment from the first drain on (minReady over the pod watch). */
  readonly fewestReady: number;
  readonly fewestAt?: string;
}

/**
 * A5.2: with every selected pod healthy, exactly disruptionsAllowed (N - D) evictions are accepted and the next is
 * refused with HTTP 429; each node of the pods drains (exit 0); and the selected Ready pods never numbered fewer than
 * D while the nodes were drained one at a time.
 */
export function maintenanceVerdict(r: MaintenanceRecord): Verdict {
  const { pdb } = r;
  const allowed = pdb.expected - pdb.desiredHealthy;
  const problems: string[] = [];
  if (allowed >= pdb.expected)
    return fail(`PDB ${pdb.name} lets every one of the ${pdb.expected} pods be evicted at once (desiredHealthy ${pdb.desiredHealthy}): it protects nothing`);
  if (r.accepted.length !== allowed || !r.refused)
    problems.push(
      `PDB ${pdb.name} allows ${allowed} disruption(s), but ${r.accepted.length} eviction(s) were accepted (${r.accepted.join(', ') || 'none'})` +
        (r.refused ? ` before ${r.refused.pod} was refused` : ' and none was refused'),
    );
  else if (r.refused.code !== 429)
    problems.push(`the eviction of ${r.refused.pod} was refused with HTTP ${r.refused.code ?? '?'}, not 429: ${r.refused.message}`);
  for (const d of r.drains ?? []) if (d.exitCode !== 0) problems.push(`drain ${d.node} failed after ${d.seconds} s: ${d.errors.slice(-1)[0] ?? 'no message'}`);
  if (r.drains?.length === 0) problems.push('no node was drained');
  if (r.fewestReady < pdb.desiredHealthy)
    problems.push(
      `while the nodes were drained, only ${r.fewestReady} selected pod(s) were Ready${r.fewestAt ? ` (at ${r.fewestAt})` : ''}, fewer than desiredHealthy ${pdb.desiredHealthy}`,
    );
  if (problems.length) return fail(some(problems));
  return pass(
    `${allowed} eviction(s) accepted (${r.accepted.join(', ')}), the next (${r.refused!.pod}) refused with 429; ` +
      `${r.drains.map((d) => `${d.node} drained in ${d.seconds} s`).join(', ')}; never fewer than ${r.fewestReady} Ready (desiredHealthy ${pdb.desiredHealthy})`,
  );
}

// ---- A5.4 ----

/** What A5.4 (the nodes of the pods drained back to back) and A8.5 (an update) recorded. */
export interface DatumAvailabilityRecord {
  /** Scope replicated: one ledger through the Ready pods; scope pod: one per pod, through that pod only. */
  readonly ledgers: readonly { readonly name: string; readonly ledger: Ledger }[];
  /** Whether write gaps count: with a quorum (replicated), or each pod's own writes (scope pod). */
  readonly judgeWrites: boolean;
  readonly maxUnavailableMs: number;
  /** Acknowledged writes lost while a drain ran are counted, not failed; those acknowledged outside every drain fail. */
  readonly asyncReplication: boolean;
  /** A5.4's drains: each must succeed, and there must be one. */
  readonly drains?: MaintenanceRecord['drains'];
  /** The quorum the profile declares, and the fewest pods Running and Ready from the first drain on. */
  readonly quorum?: number;
  readonly fewestReady: number;
  readonly fewestAt?: string;
}

/** Whether instant t lies in one of the ledger's fault windows (a window still open runs to the ledger's end). */
const inWindow = (l: Ledger, t: number): boolean => l.windows.some((x) => t >= x.start && t <= (x.end ?? l.end));

/**
 * A5.4, A8.5: every drain (if any) succeeded; no ledger had a stretch without a successful read (and write, when judged) longer
 * than the budget; no acknowledged write was lost (with asyncReplication: none acknowledged outside the drains);
 * with a quorum, never fewer than that many pods Ready. A ledger with no acknowledged write or no successful read
 * showed nothing and fails.
 */
export function datumAvailabilityVerdict(r: DatumAvailabilityRecord): Verdict & { numbers: Record<string, number> } {
  const problems: string[] = [];
  const told: string[] = [];
  const budget = `the budget of ${r.maxUnavailableMs / 1000} s`;
  const numbers: Record<string, number> = { fewestReady: r.fewestReady, budgetMs: r.maxUnavailableMs };
  for (const d of r.drains ?? []) if (d.exitCode !== 0) problems.push(`drain ${d.node} failed after ${d.seconds} s: ${d.errors.slice(-1)[0] ?? 'no message'}`);
  if (r.drains?.length === 0) problems.push('no node was drained');
  if (r.ledgers.length === 0) problems.push('no ledger ran');
  for (const { name, ledger } of r.ledgers) {
    const broken = ledgerProblems(ledger);
    if (broken.length) {
      problems.push(`ledger ${name}: ${broken[0]}`);
      continue;
    }
    const u = unavailability(ledger);
    const lost = lostWrites(ledger);
    const lostOutside = lost.lost.filter((x) => !inWindow(ledger, x.write.end));
    Object.assign(numbers, {
      [`${name}:readGapMs`]: Math.round(u.read.longest.ms),
      [`${name}:writeGapMs`]: Math.round(u.write.longest.ms),
      [`${name}:acknowledged`]: lost.acknowledged,
      [`${name}:lost`]: lost.lost.length,
    });
    if (u.read.successes === 0) problems.push(`${name}: no read succeeded`);
    else if (u.read.longest.ms > r.maxUnavailableMs)
      problems.push(
        `${name}: no successful read for ${Math.round(u.read.longest.ms)} ms (${Math.round(u.read.longest.from)} to ${Math.round(u.read.longest.to)} ms)`,
      );
    if (r.judgeWrites && u.write.longest.ms > r.maxUnavailableMs)
      problems.push(
        `${name}: no successful write for ${Math.round(u.write.longest.ms)} ms (${Math.round(u.write.longest.from)} to ${Math.round(u.write.longest.to)} ms)`,
      );
    if (lost.acknowledged === 0) problems.push(`${name}: no write was acknowledged, so nothing showed the data survive`);
    if (lost.unverified.length) problems.push(`${name}: ${lost.unverified.length} acknowledged write(s) not read back: ${lost.unverified[0]!.why}`);
    const failing = r.asyncReplication ? lostOutside : lost.lost;
    if (failing.length)
      problems.push(
        `${name}: ${failing.length} acknowledged write(s) lost${r.asyncReplication ? ' outside the drains' : ''}, e.g. ${describeWrite(failing[0]!.write)} read back as ${failing[0]!.found ?? 'missing'}`,
      );
    else if (lost.lost.length) told.push(`${name}: ${lost.lost.length} write(s) acknowledged during a drain lost (asyncReplication: counted, not failed)`);
    told.push(
      `${name}: longest without a read ${Math.round(u.read.longest.ms)} ms${r.judgeWrites ? `, without a write ${Math.round(u.write.longest.ms)} ms` : ''}, ${lost.acknowledged} writes kept`,
    );
  }
  if (r.quorum !== undefined && r.fewestReady < r.quorum)
    problems.push(
      `only ${r.fewestReady} pod(s) were Ready${r.fewestAt ? ` (at ${r.fewestAt})` : ''} while the nodes were drained, fewer than the quorum ${r.quorum}`,
    );
  if (problems.length) return { ok: false, reason: some(problems), numbers };
  return {
    ok: true,
    reason: `${r.drains ? `${r.drains.map((d) => `${d.node} drained in ${d.seconds} s`).join(', ')}; ` : ''}${told.join('; ')}; within ${budget}${r.quorum !== undefined ? `; never fewer than ${r.fewestReady} Ready (quorum ${r.quorum})` : ''}`,
    numbers,
  };
}

// ---- A4.3, A6.2: EndpointSlices ----

/** How long the EndpointSlice controller may take to follow a pod (catalogue A4.3, A6.2). */
export const SLICE_LAG_MS = 5000;
/** The two watches (pods, EndpointSlices) are separate streams: one may deliver a change up to this much earlier. */
export const STREAM_SKEW_MS = 1000;

/** One address of a pod in an EndpointSlice of a Service, as a slice event showed it. */
interface Published {
  readonly t: number;
  readonly seq: number;
  readonly service: string;
  readonly slice: string;
  readonly uid: string;
  readonly pod: string;
  readonly ready: boolean;
  readonly terminating: boolean;
}

/** Every pod address of the given Services' slices, per slice event, in order; a DELETED slice lists nothing. */
function published(
  slices: readonly ObservedEvent<V1EndpointSlice>[],
  services: readonly string[],
): { t: number; seq: number; service: string; slice: string; addresses: Published[] }[] {
  return slices.flatMap((e) => {
    const service = e.object.metadata?.labels?.['kubernetes.io/service-name'] ?? '';
    if (!services.includes(service)) return [];
    const slice = e.object.metadata?.name ?? '?';
    const addresses =
      e.type === 'DELETED'
        ? []
        : (e.object.endpoints ?? []).flatMap((ep) =>
            ep.targetRef?.kind === 'Pod' && ep.targetRef.uid
              ? [
                  {
                    t: e.t,
                    seq: e.seq,
                    service,
                    slice,
                    uid: ep.targetRef.uid,
                    pod: ep.targetRef.name ?? '?',
                    ready: ep.conditions?.ready === true,
                    terminating: ep.conditions?.terminating === true,
                  },
                ]
              : [],
          );
    return [{ t: e.t, seq: e.seq, service, slice, addresses }];
  });
}

/** Per pod UID, the spans (ms) in which the pod watch saw it Running and Ready and not terminating. */
function readySpans(pods: readonly PodEvent[], end: number): Map<string, [number, number][]> {
  const spans = new Map<string, [number, number][]>();
  const since = new Map<string, number>();
  for (const e of pods) {
    const ready = isRunningReady(e);
    const from = since.get(e.uid);
    if (ready && from === undefined) since.set(e.uid, e.t);
    if (!ready && from !== undefined) {
      spans.set(e.uid, [...(spans.get(e.uid) ?? []), [from, e.t]]);
      since.delete(e.uid);
    }
  }
  for (const [uid, from] of since) spans.set(uid, [...(spans.get(uid) ?? []), [from, end]]);
  return spans;
}

/** The pods of the set listed ready=true in the current EndpointSlices of Service `service`. */
export const readyAddresses = (slices: Iterable<V1EndpointSlice>, service: string, isMember: (pod: string) => boolean): string[] =>
  [...slices]
    .filter((x) => x.metadata?.labels?.['kubernetes.io/service-name'] === service)
    .flatMap((x) => x.endpoints ?? [])
    .flatMap((x) => (x.conditions?.ready && x.targetRef?.name && isMember(x.targetRef.name) ? [x.targetRef.name] : []));

/**
 * A4.3: every address of a pod of the set that a slice of `services` showed ready=true, at time t, belongs to a pod
 * the pod watch saw Ready at some moment in [t - 5 s, t + 1 s] (the controller's lag, the streams' skew); and each
 * Service published at least one pod of the set as ready (else nothing was shown).
 */
export function publishedReadyVerdict(
  pods: readonly PodEvent[],
  slices: readonly ObservedEvent<V1EndpointSlice>[],
  services: readonly string[],
  isMember: (pod: string) => boolean,
  end: number,
): Verdict {
  const spans = readySpans(pods, end);
  const problems: string[] = [];
  const seenReady = new Map<string, number>(services.map((s) => [s, 0]));
  for (const ev of published(slices, services))
    for (const a of ev.addresses) {
      if (!isMember(a.pod) || !a.ready) continue;
      seenReady.set(a.service, (seenReady.get(a.service) ?? 0) + 1);
      const ok = (spans.get(a.uid) ?? []).some(([from, to]) => from <= a.t + STREAM_SKEW_MS && to >= a.t - SLICE_LAG_MS);
      if (!ok)
        problems.push(
          `${a.pod} was ready=true in EndpointSlice ${a.slice} of Service ${a.service} (event #${a.seq}, ${Math.round(a.t)} ms) while it was not Ready`,
        );
    }
  for (const [s, n] of seenReady) if (n === 0) problems.push(`Service ${s} never published a pod of the set as ready: nothing was shown`);
  if (problems.length) return fail(some(problems));
  return pass(
    `${[...seenReady].map(([s, n]) => `${s}: ${n} ready address(es) seen`).join(', ')}, each of a pod that was Ready (within ${SLICE_LAG_MS / 1000} s)`,
  );
}

/**
 * A6.2: for each pod of the set the pod watch saw deleted (its first deletionTimestamp at td) that a Service had
 * published as ready before: 5 s after td its address in that Service's slices is gone, or listed ready=false and
 * terminating=true; and no slice shows it ready=true after that. At least one such deletion must have been seen.
 */
export function withdrawnVerdict(
  pods: readonly PodEvent[],
  slices: readonly ObservedEvent<V1EndpointSlice>[],
  services: readonly string[],
  isMember: (pod: string) => boolean,
): Verdict {
  const events = published(slices, services);
  const deletions = new Map<string, { pod: string; t: number }>();
  for (const e of pods) if (e.deleting && isMember(e.name) && !deletions.has(e.uid)) deletions.set(e.uid, { pod: e.name, t: e.t });
  const problems: string[] = [];
  let checked = 0;
  let terminatingSeen = 0;
  for (const [uid, d] of deletions)
    for (const service of services) {
      const wasReady = events.some((ev) => ev.service === service && ev.t < d.t && ev.addresses.some((a) => a.uid === uid && a.ready));
      if (!wasReady) continue;
      checked++;
      // The slices of the Service as they stood at td + 5 s: the latest event of each slice up to then.
      const deadline = d.t + SLICE_LAG_MS;
      const current = new Map<string, Published[]>();
      for (const ev of events) if (ev.service === service && ev.t <= deadline) current.set(ev.slice, ev.addresses);
      const listed = [...current.values()].flat().filter((a) => a.uid === uid);
      if (events.some((ev) => ev.service === service && ev.t < deadline && ev.t >= d.t && ev.addresses.some((a) => a.uid === uid && a.terminating && !a.ready)))
        terminatingSeen++;
      const still = listed.find((a) => a.ready || !a.terminating);
      if (still)
        problems.push(
          `${d.pod} (deleting since ${Math.round(d.t)} ms) was still ${still.ready ? 'ready=true' : 'not terminating'} in EndpointSlice ${still.slice} of Service ${service} ${SLICE_LAG_MS / 1000} s later`,
        );
      const late = events.find((ev) => ev.service === service && ev.t > deadline && ev.addresses.some((a) => a.uid === uid && a.ready));
      if (late) problems.push(`${d.pod} was ready=true again in EndpointSlice ${late.slice} of Service ${service} after its deletion (event #${late.seq})`);
    }
  if (checked === 0) problems.push(`no pod of the set that a Service published as ready was seen deleted: nothing was shown`);
  if (problems.length) return fail(some(problems));
  return pass(
    `${checked} deletion(s) of a published pod: each withdrawn within ${SLICE_LAG_MS / 1000} s (${terminatingSeen} seen as ready=false, terminating=true before the address went)`,
  );
}

// ---- A8.2-A8.4: updates ----

const REVISION_LABEL = 'controller-revision-hash';
export const revisionOf = (p: V1Pod | undefined): string | undefined => p?.metadata?.labels?.[REVISION_LABEL];

/**
 * The state an update of the set must end in (A8.2, A8.3): a new update revision; every pod with ordinal ≥ partition
 * on it and every pod below the partition still on `before`; updatedReplicas = replicas - partition; and with
 * partition 0, currentRevision = updateRevision.
 */
export function updatedStateVerdict(f: StatefulSetFacts, pods: readonly V1Pod[], status: V1StatefulSetStatus | undefined, before: string): Verdict {
  const update = status?.updateRevision;
  if (!update || update === before) return fail(`no new revision after the update: updateRevision is ${update ?? 'unset'}, as before`);
  const problems: string[] = [];
  for (const name of declaredPods(f)) {
    const p = pods.find((x) => x.metadata?.name === name);
    const want = ordinalOf(f.name, name)! >= f.partition ? update : before;
    if (!p) problems.push(`${name} does not exist`);
    else if (revisionOf(p) !== want)
      problems.push(`${name} is at revision ${revisionOf(p) ?? 'none'}, not ${want}${want === before ? ' (below the partition: it must keep it)' : ''}`);
  }
  const updated = f.replicas - f.partition;
  if (status?.updatedReplicas !== updated) problems.push(`status.updatedReplicas is ${status?.updatedReplicas ?? 'unset'}, not ${updated}`);
  if (f.partition === 0 && status?.currentRevision !== update)
    problems.push(`status.currentRevision is ${status?.currentRevision ?? 'unset'}, not the update revision ${update}`);
  if (problems.length) return fail(some(problems));
  return pass(
    `${updated} pod(s) at the new revision ${update}${f.partition > 0 ? `, the ${f.partition} below the partition still at ${before}` : ', currentRevision = updateRevision'}; updatedReplicas ${updated}`,
  );
}
