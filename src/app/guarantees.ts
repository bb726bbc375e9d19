/**
 * The guarantees checked on a user's stateful app (docs/app-guarantees.md): one stable ID each, and, from the app's
 * objects and profile, whether each applies to each StatefulSet, what exactly it asserts for this app (adapted to
 * podManagementPolicy, updateStrategy and partition, persistentVolumeClaimRetentionPolicy, PDB or none, spread or
 * none), or why it does not apply. Also the upgrade pre-check: which immutable StatefulSet fields a new version
 * changes. Pure: no cluster, no files.
 */
import type { KubernetesObject, V1PodDisruptionBudget, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { HarnessError } from '../errors.ts';
import type { Capability } from '../providers/provider.ts';
import {
  factsOf,
  labelsText,
  nameOf,
  parseQuantity,
  pdbDesiredHealthy,
  pdbsOf,
  podRange,
  scaled,
  selects,
  selectorText,
  serviceSelector,
  servicesOf,
  statefulSetsOf,
  type StatefulSetFacts,
} from './objects.ts';
import { DEFAULT_BUDGETS, quorumFor, type AppProfile, type Budgets, type Datum } from './profile.ts';

export type Area = 'identity' | 'ordering' | 'storage' | 'readiness' | 'availability' | 'graceful-stop' | 'spread' | 'upgrade';

/** The catalogue's section of each area (docs/app-guarantees.md). */
export const AREAS: Readonly<Record<Area, { readonly section: string; readonly title: string }>> = {
  identity: { section: 'A1', title: 'Identity' },
  ordering: { section: 'A2', title: 'Ordering' },
  storage: { section: 'A3', title: 'Storage' },
  readiness: { section: 'A4', title: 'Readiness' },
  availability: { section: 'A5', title: 'Availability under maintenance' },
  'graceful-stop': { section: 'A6', title: 'Graceful stop' },
  spread: { section: 'A7', title: 'Spread' },
  upgrade: { section: 'A8', title: 'Upgrade' },
};

export interface GuaranteeDef {
  /** Stable: reports, --grep and the catalogue name a guarantee by it. */
  readonly id: string;
  readonly area: Area;
  readonly title: string;
  /**
   * What beyond the API it needs (a provider without it, such as kwok, reports it skipped with the reason).
   * `exec` also stands for real containers (signals, exit codes).
   */
  readonly needs: readonly Capability[];
  /** Writes or reads the profile's datum: an exec datum adds `exec`, an adapter `network` (port-forward). */
  readonly usesDatum: boolean;
}

const g = (id: string, area: Area, title: string, needs: readonly Capability[] = [], usesDatum = false): GuaranteeDef => ({
  id,
  area,
  title,
  needs,
  usesDatum,
});

/** Every guarantee, in catalogue order. IDs are never reused or renumbered. */
export const GUARANTEES: readonly GuaranteeDef[] = [
  g('A1.1', 'identity', 'pods have stable names and are owned by the StatefulSet'),
  g('A1.2', 'identity', 'a deleted pod comes back with its name and ordinal'),
  g('A1.3', 'identity', 'each pod resolves by its stable DNS name', ['dns']),
  g('A2.1', 'ordering', 'pods are created in ordinal order'),
  g('A2.2', 'ordering', 'scale-down terminates pods in reverse ordinal order'),
  g('A2.3', 'ordering', 'Parallel pods do not wait for each other'),
  g('A3.1', 'storage', 'each pod has its own bound PVC per claim template'),
  g('A3.2', 'storage', 'a re-created pod gets the same PVCs'),
  g('A3.3', 'storage', 'the datum survives pod re-creation', [], true),
  g('A3.4', 'storage', 'PVCs on scale-down follow whenScaled'),
  g('A3.5', 'storage', 'PVCs on StatefulSet deletion follow whenDeleted'),
  g('A4.1', 'readiness', 'status counts Ready and available pods truthfully'),
  g('A4.2', 'readiness', 'a Ready pod serves the datum', ['probes'], true),
  g('A4.3', 'readiness', 'Services publish only Ready pods'),
  g('A5.1', 'availability', 'the PDB covers the StatefulSet and allows a disruption'),
  g('A5.2', 'availability', 'evictions and drains respect the PDB'),
  g('A5.3', 'availability', 'the PDB keeps a quorum'),
  g('A5.4', 'availability', 'the datum stays available during a drain', [], true),
  g('A6.1', 'graceful-stop', 'pods stop on SIGTERM within their grace period', ['exec']),
  g('A6.2', 'graceful-stop', 'a stopping pod is withdrawn from its Services'),
  g('A7.1', 'spread', 'required spread is enforced'),
  g('A7.2', 'spread', 'preferred spread is achieved where there is room'),
  g('A8.1', 'upgrade', 'a change to an immutable field is reported before anything is applied'),
  g('A8.2', 'upgrade', 'a rolling update replaces pods in reverse ordinal order'),
  g('A8.3', 'upgrade', 'pods below the partition keep their revision'),
  g('A8.4', 'upgrade', 'OnDelete replaces only deleted pods'),
  g('A8.5', 'upgrade', 'the datum survives the update and stays available', [], true),
];

interface CheckBase {
  readonly id: string;
  readonly area: Area;
  readonly title: string;
  readonly statefulSet: string;
  /** The definition's needs plus the datum's (exec or network). */
  readonly needs: readonly Capability[];
}
export type GuaranteeCheck = CheckBase &
  (
    | {
        readonly applies: true;
        /** What exactly is asserted for this StatefulSet. */
        readonly asserts: string;
        /** Something in the manifests that will make it fail, known before any cluster. */
        readonly warning?: string;
      }
    | {
        readonly applies: false;
        readonly reason: string;
        /** The reason is a declaration that looks like a mistake (say so), not a design choice. */
        readonly finding: boolean;
      }
  );

type Verdict = { applies: true; asserts: string; warning?: string } | { applies: false; reason: string; finding: boolean };
const yes = (asserts: string, warning?: string): Verdict => ({ applies: true, asserts, ...(warning && { warning }) });
const no = (reason: string, finding = false): Verdict => ({ applies: false, reason, finding });

interface Ctx {
  readonly f: StatefulSetFacts;
  readonly sts: V1StatefulSet;
  readonly datum?: Datum;
  readonly quorum?: number;
  readonly asyncReplication: boolean;
  readonly budgets: Budgets;
  readonly governing?: V1Service;
  /** The app's Services that select the pods. */
  readonly services: readonly V1Service[];
  /** The app's PDBs that select the pods. */
  readonly pdbs: readonly V1PodDisruptionBudget[];
  /** Replicas of every StatefulSet of the app, for what a PDB selects. */
  readonly all: readonly StatefulSetFacts[];
}

const NO_DATUM = 'no datum in the profile: data checks need datum.exec or datum.adapter';

/** Per-pod DNS: serviceName names a headless Service of the app that selects the pods; else why not. */
function dnsProblem(c: Ctx): { reason: string; finding: boolean } | undefined {
  const sn = c.f.serviceName;
  if (!sn) return { reason: 'no serviceName: the pods get no per-pod DNS names', finding: false };
  const s = c.governing;
  if (!s) return { reason: `no Service '${sn}' (the serviceName) among the app's objects: per-pod DNS names need that headless Service`, finding: true };
  if (s.spec?.clusterIP !== 'None')
    return { reason: `Service ${sn} is not headless (clusterIP ${s.spec?.clusterIP ?? 'unset'}): per-pod DNS names need clusterIP: None`, finding: true };
  if (!selects(serviceSelector(s), c.f.labels))
    return {
      reason: `Service ${sn}'s selector (${selectorText(serviceSelector(s))}) selects none of ${c.f.name}'s pods (${labelsText(c.f.labels)}): no DNS records`,
      finding: true,
    };
  return undefined;
}

/** The Services whose EndpointSlices mark readiness (not publishNotReadyAddresses); else why there are none. */
function readinessServices(c: Ctx): { names: string[] } | { reason: string } {
  if (c.services.length === 0) return { reason: `no Service of the app selects ${c.f.name}'s pods` };
  const names = c.services.filter((s) => !s.spec?.publishNotReadyAddresses).map(nameOf);
  if (names.length === 0)
    return {
      reason: `Service ${c.services.map(nameOf).join(', ')} sets publishNotReadyAddresses: it publishes pods whether Ready or not, by design (peer discovery)`,
    };
  return { names };
}

type PdbPlan = { pdb: V1PodDisruptionBudget; expected: number; desiredHealthy: number } | { reason: string; finding: boolean };

function pdbPlan(c: Ctx): PdbPlan {
  if (c.pdbs.length === 0) return { reason: 'no PDB declared: voluntary disruptions (drain, eviction) are not limited', finding: false };
  if (c.pdbs.length > 1)
    return {
      reason: `PDBs ${c.pdbs.map(nameOf).join(' and ')} all select ${c.f.name}'s pods: the eviction API refuses to evict a pod with more than one PDB, so no drain can finish`,
      finding: true,
    };
  const pdb = c.pdbs[0]!;
  const expected = c.all.filter((f) => selects(pdb.spec?.selector, f.labels)).reduce((n, f) => n + f.replicas, 0);
  const d = pdbDesiredHealthy(pdb, expected);
  if ('error' in d) return { reason: `PDB ${nameOf(pdb)} ${d.error}`, finding: true };
  return { pdb, expected, desiredHealthy: d.desiredHealthy };
}

interface SpreadTerms {
  readonly required: string[];
  readonly preferred: string[];
  /** Declared terms that select none of the StatefulSet's own pods (no-ops), required and preferred. */
  readonly requiredNoOps: string[];
  readonly preferredNoOps: string[];
}

function spreadTerms(sts: V1StatefulSet, labels: Readonly<Record<string, string>>): SpreadTerms {
  const pod = sts.spec?.template?.spec;
  const out: SpreadTerms = { required: [], preferred: [], requiredNoOps: [], preferredNoOps: [] };
  const own = (sel: Parameters<typeof selects>[0], text: string, hard: boolean): void => {
    if (selects(sel, labels)) (hard ? out.required : out.preferred).push(text);
    else (hard ? out.requiredNoOps : out.preferredNoOps).push(`${text} selects ${selectorText(sel)}, not the pods (${labelsText(labels)})`);
  };
  const anti = pod?.affinity?.podAntiAffinity;
  for (const t of anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []) own(t.labelSelector, `required pod anti-affinity on ${t.topologyKey}`, true);
  for (const w of anti?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
    own(w.podAffinityTerm?.labelSelector, `preferred pod anti-affinity on ${w.podAffinityTerm?.topologyKey}`, false);
  for (const t of pod?.topologySpreadConstraints ?? []) {
    const hard = (t.whenUnsatisfiable ?? 'DoNotSchedule') === 'DoNotSchedule';
    own(t.labelSelector, `topology spread (${hard ? 'DoNotSchedule' : 'ScheduleAnyway'}, maxSkew ${t.maxSkew}) on ${t.topologyKey}`, hard);
  }
  return out;
}

const list = (xs: readonly string[]): string => xs.join('; ');

/** The datum phrase for data checks: where it is written and read. */
const datumWhere = (c: Ctx): string =>
  c.datum?.scope === 'pod'
    ? 'a datum written on each pod is read back on that same pod (datum.scope: pod)'
    : `a datum written through the lowest Ready ordinal is read back through every pod${c.asyncReplication ? ` (polled up to ${c.budgets.maxRecoverySeconds} s: asyncReplication)` : ''}`;

const RULES: Readonly<Record<string, (c: Ctx) => Verdict>> = {
  'A1.1': ({ f }) =>
    yes(
      `exactly ${podRange(f)} exist, each with a controller ownerReference to StatefulSet ${f.name}, label statefulset.kubernetes.io/pod-name=<pod> ` +
        `(and apps.kubernetes.io/pod-index=<ordinal> on Kubernetes ≥ 1.28), spec.hostname=<pod>${f.serviceName ? ` and spec.subdomain=${f.serviceName}` : ''}`,
    ),
  'A1.2': ({ f, budgets }) =>
    yes(
      `a deleted pod of ${f.name} is re-created with the same name and ordinal and a new UID, and ${podRange(f)} are all Running and Ready again within ${budgets.maxRecoverySeconds} s (budgets.maxRecoverySeconds)`,
    ),
  'A1.3': (c) => {
    const p = dnsProblem(c);
    if (p) return no(p.reason, p.finding);
    const all = c.governing?.spec?.publishNotReadyAddresses;
    return yes(
      `<pod>.${c.f.serviceName} for each of ${podRange(c.f)} resolves to exactly that pod's current IP${all ? ' (Ready or not: publishNotReadyAddresses)' : ' once it is Ready'}, also after the pod is re-created (polled up to 60 s for DNS caches)`,
    );
  },
  'A2.1': ({ f }) =>
    f.podManagementPolicy === 'Parallel'
      ? no('Parallel policy: creation order not promised')
      : yes(
          `${podRange(f)} are created in ordinal order, on creation and on scale-up: ${f.name}-i is created only after ${f.name}-(i-1) is Running and Ready` +
            (f.minReadySeconds > 0 ? ` and has been Ready for ${f.minReadySeconds} s (minReadySeconds)` : ''),
        ),
  'A2.2': ({ f }) =>
    f.podManagementPolicy === 'Parallel'
      ? no('Parallel policy: termination order not promised')
      : yes(
          `on scale-down, pods are terminated from the highest ordinal down, one at a time: ${f.name}-i gets a deletionTimestamp only after ${f.name}-(i+1) is gone`,
        ),
  'A2.3': ({ f }) =>
    f.podManagementPolicy === 'Parallel'
      ? yes(
          'on creation and scale-up, some pod is created before its predecessor is Ready, and on scale-down, the removed pods all get a deletionTimestamp before any of them is gone: the controller does not wait',
        )
      : no('OrderedReady policy: pods start and stop one at a time (A2.1, A2.2)'),
  'A3.1': ({ f }) =>
    f.claimTemplates.length === 0
      ? no('no volumeClaimTemplates: the StatefulSet keeps no per-pod storage')
      : yes(
          `for each of ${podRange(f)} and each claim template (${f.claimTemplates.join(', ')}), PVC <template>-<pod> is Bound with the template's access modes and at least its requested storage, and is the pod's volume <template>`,
        ),
  'A3.2': ({ f }) =>
    f.claimTemplates.length === 0
      ? no('no volumeClaimTemplates: the StatefulSet keeps no per-pod storage')
      : yes(`a deleted pod of ${f.name} comes back with the same PVCs: their UIDs and bound PersistentVolumes are unchanged`),
  'A3.3': (c) => {
    if (!c.datum) return no(NO_DATUM);
    // Checked, not ruled out: data in a pod's own volume without a claim (emptyDir) is what this guarantee is
    // there to catch, so the run shows the loss instead of calling the guarantee not applicable.
    const noClaim =
      c.datum.scope === 'pod' && c.f.claimTemplates.length === 0
        ? `datum.scope is pod but ${c.f.name} has no volumeClaimTemplates: a pod's own data is expected to be lost with the pod`
        : undefined;
    return yes(`${datumWhere(c)}, also after each pod in turn is deleted and re-created`, noClaim);
  },
  'A3.4': ({ f }) => {
    if (f.claimTemplates.length === 0) return no('no volumeClaimTemplates: the StatefulSet keeps no per-pod storage');
    return f.whenScaled === 'Retain'
      ? yes('after a scale-down, the PVCs of the removed ordinals remain Bound, and a scale-up re-uses them (same UIDs) (whenScaled: Retain)')
      : yes(
          "after a scale-down, the PVCs of the removed ordinals are deleted once their pods are gone, and the remaining pods' PVCs stay (whenScaled: Delete)",
        );
  },
  'A3.5': ({ f, datum }) => {
    if (f.claimTemplates.length === 0) return no('no volumeClaimTemplates: the StatefulSet keeps no per-pod storage');
    return f.whenDeleted === 'Retain'
      ? yes(
          `after StatefulSet ${f.name} is deleted, its PVCs remain; re-creating it re-binds the same PVCs (UIDs unchanged)${datum ? ' and the datum is still readable' : ''} (whenDeleted: Retain)`,
        )
      : yes(`after StatefulSet ${f.name} is deleted, its PVCs are deleted (whenDeleted: Delete)`);
  },
  'A4.1': ({ f }) =>
    yes(
      `status.readyReplicas matches the number of Ready pods of ${f.name} in the watch within 5 s of every change, and reaches ${f.replicas}; ` +
        (f.minReadySeconds > 0
          ? `availableReplicas counts a pod only once it has been Ready for ${f.minReadySeconds} s (minReadySeconds)`
          : 'availableReplicas follows readyReplicas (minReadySeconds 0)'),
    ),
  'A4.2': (c) => {
    const probed = c.f.containers.filter((x) => x.readinessProbe).map((x) => x.name);
    if (probed.length === 0)
      return no(`no readinessProbe in ${c.f.name}'s containers: Ready only means the containers started, so it says nothing about the data`, true);
    if (!c.datum) return no(NO_DATUM);
    return yes(
      `whenever a pod turns Ready (created, re-created, updated), a read of the datum through it succeeds at once (readiness probe in ${probed.join(', ')})`,
    );
  },
  'A4.3': (c) => {
    const s = readinessServices(c);
    if ('reason' in s) return no(s.reason);
    return yes(
      `in the EndpointSlices of Service ${s.names.join(', ')}, a pod's address is ready=true only while the pod is Ready (5 s allowed for the EndpointSlice controller)`,
    );
  },
  'A5.1': (c) => {
    const p = pdbPlan(c);
    if ('reason' in p) return no(p.reason, p.finding);
    const allowed = p.expected - p.desiredHealthy;
    return yes(
      `with all ${p.expected} selected pods Ready, PDB ${nameOf(p.pdb)} reports expectedPods ${p.expected}, desiredHealthy ${p.desiredHealthy} and disruptionsAllowed ${Math.max(0, allowed)} ≥ 1`,
      allowed < 1
        ? `PDB ${nameOf(p.pdb)} allows no disruption even with every pod Ready: no drain of a node with a ${c.f.name} pod can ever finish`
        : undefined,
    );
  },
  'A5.2': (c) => {
    const p = pdbPlan(c);
    if ('reason' in p) return no(p.reason, p.finding);
    return yes(
      `an eviction beyond disruptionsAllowed is refused with HTTP 429, and while the nodes of ${c.f.name}'s pods are drained one at a time the Ready pods selected by PDB ${nameOf(p.pdb)} never number fewer than ${p.desiredHealthy}`,
    );
  },
  'A5.3': (c) => {
    if (c.quorum === undefined) return no('no quorum in the profile');
    const p = pdbPlan(c);
    if ('reason' in p)
      return no(
        `quorum ${c.quorum} declared, but ${p.reason.replace(/^no PDB declared: .*/, 'no PDB declared')}: nothing stops a drain from taking more than ${c.f.replicas - c.quorum} member(s)`,
        true,
      );
    return yes(
      `PDB ${nameOf(p.pdb)} keeps at least the quorum: desiredHealthy ${p.desiredHealthy} ≥ ${c.quorum}`,
      p.desiredHealthy < c.quorum
        ? `PDB ${nameOf(p.pdb)} keeps only ${p.desiredHealthy} of ${p.expected} pods, fewer than the quorum ${c.quorum}: a drain may break it`
        : undefined,
    );
  },
  'A5.4': (c) => {
    if (!c.datum) return no(NO_DATUM);
    const gap = `${c.budgets.maxUnavailableSeconds} s (budgets.maxUnavailableSeconds)`;
    const base = `while the nodes of ${podRange(c.f)} are drained one at a time (each uncordoned once its pods are back)`;
    if (c.datum.scope === 'pod') return yes(`${base}, each pod's own datum is unreadable for at most ${gap}, and the other pods' data stay readable`);
    return yes(
      `${base}, the datum stays readable${c.quorum !== undefined ? ' and writable' : ''} through some Ready pod with no gap longer than ${gap}` +
        (c.asyncReplication ? '; data written before each drain survive it (a write taken by a member as it is evicted may be lost: asyncReplication)' : ''),
    );
  },
  'A6.1': ({ f }) => {
    if (f.terminationGracePeriodSeconds === 0)
      return no('terminationGracePeriodSeconds is 0: pods are killed at once, which is unsafe for a StatefulSet (a pod name could run twice)', true);
    const hooks = f.containers.filter((x) => x.lifecycle?.preStop).map((x) => x.name);
    return yes(
      `every pod of ${f.name} deleted during the run is gone within ${f.terminationGracePeriodSeconds} s (terminationGracePeriodSeconds) + 10 s of its deletion, ` +
        `and each of its containers terminated before the grace period ended, with an exit code other than 137 (not killed)` +
        `${hooks.length ? `; the preStop hook of ${hooks.join(', ')} runs first and does not fail (no FailedPreStopHook event)` : ''}`,
    );
  },
  'A6.2': (c) => {
    const s = readinessServices(c);
    if ('reason' in s) return no(s.reason);
    return yes(
      `once a pod has a deletionTimestamp, its addresses in the EndpointSlices of Service ${s.names.join(', ')} are gone, or ready=false and terminating=true, within 5 s, and never ready again`,
    );
  },
  'A7.1': ({ f, sts, quorum }) => {
    const t = spreadTerms(sts, f.labels);
    if (t.required.length)
      return yes(
        `${list(t.required)}: no two pods of ${f.name} share a domain (or counts differ by at most maxSkew); with fewer domains than replicas the surplus pods stay Pending with a FailedScheduling event`,
      );
    if (t.requiredNoOps.length) return no(`${list(t.requiredNoOps)}: it spreads nothing`, true);
    const none = `no required pod anti-affinity or DoNotSchedule topology spread on ${f.name}'s own pods: pods may share a node`;
    // With a quorum and no spread at all, one node may come to hold a quorum of members: a node failure then stops the app.
    if (quorum !== undefined && t.preferred.length === 0)
      return no(
        `${none}, and with quorum ${quorum} nothing keeps ${quorum} of the ${f.replicas} members off one node (one node's failure would stop the app)`,
        true,
      );
    return no(none);
  },
  'A7.2': ({ f, sts }) => {
    const t = spreadTerms(sts, f.labels);
    if (t.preferred.length)
      return yes(`${list(t.preferred)}: in a cluster with at least ${f.replicas} schedulable domains, the pods of ${f.name} land in distinct domains`);
    if (t.preferredNoOps.length) return no(`${list(t.preferredNoOps)}: it spreads nothing`, true);
    return no(`no preferred pod anti-affinity or ScheduleAnyway topology spread on ${f.name}'s own pods${t.required.length ? ' (required spread: A7.1)' : ''}`);
  },
  'A8.1': ({ f }) =>
    yes(
      `before a new version is applied, a change to ${IMMUTABLE_FIELDS.join(', ')} of StatefulSet ${f.name} is reported in one line naming the field, and nothing is applied`,
    ),
  'A8.2': ({ f, quorum }) => {
    if (f.updateStrategy === 'OnDelete') return no('OnDelete strategy: the controller replaces no pod (A8.4)');
    if (f.partition >= f.replicas) return no(`partition ${f.partition} ≥ replicas ${f.replicas}: an update replaces no pod (A8.3)`, true);
    const maxU = scaled(f.maxUnavailable, f.replicas) ?? 1;
    const which = f.partition > 0 ? `the pods with ordinal ≥ ${f.partition}` : 'every pod';
    const pace =
      maxU <= 1
        ? `one at a time: the next is deleted only after the replaced one is Running and Ready${f.minReadySeconds > 0 ? ` for ${f.minReadySeconds} s` : ''}`
        : `with at most ${maxU} unavailable at once (rollingUpdate.maxUnavailable, behind the MaxUnavailableStatefulSet feature gate)`;
    const done = f.partition > 0 ? `updatedReplicas = ${f.replicas - f.partition}` : `updatedReplicas = ${f.replicas} and currentRevision = updateRevision`;
    return yes(
      `an update replaces ${which} from the highest ordinal down, ${pace}; it ends with ${done}`,
      quorum !== undefined && f.replicas - maxU < quorum
        ? `an update takes ${maxU} of ${f.replicas} pods down at a time, leaving fewer than the quorum ${quorum}: the app stops accepting writes during it`
        : undefined,
    );
  },
  'A8.3': ({ f }) => {
    if (f.updateStrategy === 'OnDelete') return no('OnDelete strategy: no partition');
    if (f.partition === 0) return no('partition 0: every pod is updated');
    return yes(`through an update, the pods with ordinal < ${f.partition} keep the current revision, and a deleted one is re-created at the current revision`);
  },
  'A8.4': ({ f }) =>
    f.updateStrategy === 'OnDelete'
      ? yes('after an update, no pod is replaced during a 60 s window; a deleted pod is re-created at the update revision and the others keep theirs')
      : no('RollingUpdate strategy: the controller replaces pods itself (A8.2)'),
  'A8.5': (c) => {
    if (!c.datum) return no(NO_DATUM);
    const gap = `${c.budgets.maxUnavailableSeconds} s (budgets.maxUnavailableSeconds)`;
    const during =
      c.datum.scope === 'pod'
        ? `each pod's own datum is unreadable for at most ${gap}`
        : `the datum stays readable through some Ready pod with no gap longer than ${gap}`;
    return yes(
      `${datumWhere(c)} after every pod has moved to the new revision${c.f.updateStrategy === 'OnDelete' ? ' (the run deletes them, highest ordinal first)' : ''}; during the update ${during}`,
    );
  },
};

/** What reaching the datum takes: exec for an exec pair, network (a port-forward) for an adapter. */
export const datumNeeds = (d: Datum | undefined): Capability[] => (d ? [d.kind === 'exec' ? 'exec' : 'network'] : []);

/**
 * What every guarantee means for each StatefulSet to check (the profile's statefulSets, else all of the app's; call
 * selectStatefulSets first to reject names the app lacks). Without a profile, the data checks say they do not apply
 * and every API-level guarantee remains.
 */
export function planGuarantees(objects: readonly KubernetesObject[], profile?: AppProfile): GuaranteeCheck[] {
  const sets = statefulSetsOf(objects).filter((s) => !profile?.statefulSets || profile.statefulSets.includes(nameOf(s)));
  const all = statefulSetsOf(objects).map(factsOf);
  const services = servicesOf(objects);
  const pdbs = pdbsOf(objects);
  const out: GuaranteeCheck[] = [];
  for (const sts of sets) {
    const f = factsOf(sts);
    const selecting = (sel: Parameters<typeof selects>[0]): boolean => selects(sel, f.labels);
    const ctx: Ctx = {
      f,
      sts,
      ...(profile?.datum && { datum: profile.datum }),
      ...(quorumFor(profile, f.replicas) !== undefined && { quorum: quorumFor(profile, f.replicas)! }),
      asyncReplication: profile?.asyncReplication ?? false,
      budgets: profile?.budgets ?? DEFAULT_BUDGETS,
      ...(f.serviceName && { governing: services.find((s) => nameOf(s) === f.serviceName) }),
      services: services.filter((s) => selecting(serviceSelector(s))),
      pdbs: pdbs.filter((p) => selecting(p.spec?.selector)),
      all,
    };
    for (const def of GUARANTEES) {
      const v = RULES[def.id]!(ctx);
      const needs = [...new Set([...def.needs, ...(def.usesDatum ? datumNeeds(ctx.datum) : [])])];
      out.push({ id: def.id, area: def.area, title: def.title, statefulSet: f.name, needs, ...v });
    }
  }
  return out;
}

/** One line per check: `[A2.1] web: pods are created in ordinal order: …` or `[A2.3] web: not applicable: …`. */
export function formatCheck(c: GuaranteeCheck): string {
  if (c.applies) return `[${c.id}] ${c.statefulSet}: ${c.title}: ${c.asserts}${c.warning ? ` (warning: ${c.warning})` : ''}`;
  return `[${c.id}] ${c.statefulSet}: not applicable${c.finding ? ' (check the manifests)' : ''}: ${c.reason}`;
}

/** Why a provider with these capabilities cannot show an applicable check (it is then skipped, never passed). */
export function skipReason(c: GuaranteeCheck, capabilities: ReadonlySet<Capability>): string | undefined {
  const missing = c.needs.filter((n) => !capabilities.has(n));
  return missing.length ? `needs ${missing.join(', ')}` : undefined;
}

// ---- the upgrade pre-check ----

/** The StatefulSet spec fields the API server refuses to change in place. */
export const IMMUTABLE_FIELDS = ['spec.selector', 'spec.serviceName', 'spec.volumeClaimTemplates', 'spec.podManagementPolicy'] as const;
export type ImmutableField = (typeof IMMUTABLE_FIELDS)[number];

export interface ImmutableChange {
  readonly field: ImmutableField;
  /** What changed, e.g. `claim www: spec.resources.requests.storage 1Gi → 2Gi`. */
  readonly detail: string;
}

type Json = unknown;

/** Drops what the API server's semantic comparison ignores: null, empty lists and empty maps. */
function prune(v: Json): Json {
  if (Array.isArray(v)) {
    const a = v.map(prune);
    return a.length ? a : undefined;
  }
  if (v && typeof v === 'object') {
    const o: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined) o[k] = p;
    }
    return Object.keys(o).length ? o : undefined;
  }
  return v === null ? undefined : v;
}

/** A claim template as the API server stores it: defaults filled in, status and type fields dropped, quantities as numbers. */
function normalClaim(c: Record<string, Json>): Json {
  const x = structuredClone(c) as { apiVersion?: unknown; kind?: unknown; status?: unknown; metadata?: Record<string, Json>; spec?: Record<string, Json> };
  delete x.apiVersion;
  delete x.kind;
  delete x.status;
  if (x.metadata) delete x.metadata.creationTimestamp;
  if (x.spec) {
    x.spec.volumeMode ??= 'Filesystem';
    const res = x.spec.resources as Record<string, Record<string, Json>> | undefined;
    for (const part of ['requests', 'limits']) {
      for (const [k, q] of Object.entries(res?.[part] ?? {})) {
        const n = typeof q === 'string' || typeof q === 'number' ? parseQuantity(q) : undefined;
        if (n !== undefined) res![part]![k] = n;
      }
    }
  }
  return prune(x);
}

/** The first path at which two pruned values differ, or undefined. */
function firstDiff(a: Json, b: Json, at: string): string | undefined {
  if (a === b) return undefined;
  const obj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDiff(a[i], b[i], `${at}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (obj(a) && obj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDiff(a[k], b[k], at ? `${at}.${k}` : k);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return at;
}

function valueAt(v: Json, at: string): Json {
  let cur = v;
  for (const part of at.match(/[^.[\]]+/g) ?? []) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, Json>)[part];
  }
  return cur;
}

const showValue = (v: Json): string => {
  if (v === undefined || v === null) return '(none)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

function claimChanges(from: readonly Record<string, Json>[], to: readonly Record<string, Json>[]): string | undefined {
  const name = (c: Record<string, Json>): string => String((c.metadata as { name?: string } | undefined)?.name ?? '?');
  const removed = from.filter((c) => !to.some((d) => name(d) === name(c))).map(name);
  const added = to.filter((c) => !from.some((d) => name(d) === name(c))).map(name);
  const parts: string[] = [];
  if (removed.length) parts.push(`claim ${removed.join(', ')} removed`);
  if (added.length) parts.push(`claim ${added.join(', ')} added`);
  for (const c of from) {
    const d = to.find((x) => name(x) === name(c));
    if (!d) continue;
    const at = firstDiff(normalClaim(c), normalClaim(d), '');
    if (at !== undefined) parts.push(`claim ${name(c)}: ${at} ${showValue(valueAt(c, at))} → ${showValue(valueAt(d, at))}`);
  }
  if (parts.length === 0 && from.map(name).join() !== to.map(name).join())
    parts.push(`claims reordered: ${from.map(name).join(', ')} → ${to.map(name).join(', ')}`);
  return parts.length ? parts.join(', ') : undefined;
}

/** Which immutable fields differ between the running (or previous) StatefulSet and the new version of it. */
export function immutableChanges(oldSts: V1StatefulSet, newSts: V1StatefulSet): ImmutableChange[] {
  const out: ImmutableChange[] = [];
  const a = oldSts.spec;
  const b = newSts.spec;
  if (firstDiff(prune(a?.selector), prune(b?.selector), '') !== undefined)
    out.push({ field: 'spec.selector', detail: `${selectorText(a?.selector)} → ${selectorText(b?.selector)}` });
  if ((a?.serviceName ?? '') !== (b?.serviceName ?? ''))
    out.push({ field: 'spec.serviceName', detail: `${a?.serviceName || '(none)'} → ${b?.serviceName || '(none)'}` });
  const claims = claimChanges(
    (a?.volumeClaimTemplates ?? []) as unknown as Record<string, Json>[],
    (b?.volumeClaimTemplates ?? []) as unknown as Record<string, Json>[],
  );
  if (claims) out.push({ field: 'spec.volumeClaimTemplates', detail: claims });
  const pmp = (s: typeof a): string => s?.podManagementPolicy ?? 'OrderedReady';
  if (pmp(a) !== pmp(b)) out.push({ field: 'spec.podManagementPolicy', detail: `${pmp(a)} → ${pmp(b)}` });
  return out;
}

/**
 * Where the new version changes the StatefulSet's pod template (the first differing path under `spec.template`, e.g.
 * `spec.containers[0].env`), or undefined when it does not: then its update revision stays, and the controller
 * replaces no pod (§A8).
 */
export function templateChange(oldSts: V1StatefulSet, newSts: V1StatefulSet): string | undefined {
  const at = firstDiff(prune(oldSts.spec?.template), prune(newSts.spec?.template), '');
  return at === undefined ? undefined : at || 'the whole template';
}

/**
 * The upgrade pre-check over two versions of the app: every StatefulSet in both whose immutable fields differ, in
 * one HarnessError line naming each field, before anything is applied. StatefulSets only in one version are not
 * this check's concern.
 */
export function checkUpgrade(oldObjects: readonly KubernetesObject[], newObjects: readonly KubernetesObject[]): void {
  const olds = statefulSetsOf(oldObjects);
  const problems: string[] = [];
  let fields = 0;
  for (const n of statefulSetsOf(newObjects)) {
    const o = olds.find((x) => nameOf(x) === nameOf(n));
    if (!o) continue;
    const changes = immutableChanges(o, n);
    fields += changes.length;
    if (changes.length) problems.push(`StatefulSet ${nameOf(n)}: ${changes.map((c) => `${c.field} (${c.detail})`).join(', ')}`);
  }
  if (problems.length)
    throw new HarnessError(
      `upgrade: ${problems.join('; ')}: ${fields > 1 ? 'these fields' : 'this field'} cannot change in place; nothing was applied (delete the StatefulSet with --cascade=orphan and re-create it, or keep the field)`,
    );
}
