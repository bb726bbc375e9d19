/**
 * Pure helpers over an app's Kubernetes objects (as parsed from manifests or rendered by kustomize or Helm): find the
 * StatefulSets, Services and PodDisruptionBudgets, match label selectors against a pod template's labels, and the
 * defaults the API server fills in, so that guarantees can adapt to what the app declares.
 */
import type { IntOrString, KubernetesObject, V1Container, V1LabelSelector, V1PodDisruptionBudget, V1Service, V1StatefulSet } from '@kubernetes/client-node';

const isKind = (o: KubernetesObject, group: string, kind: string): boolean =>
  o.kind === kind && (group === '' ? o.apiVersion === 'v1' : (o.apiVersion ?? '').startsWith(`${group}/`));

export const statefulSetsOf = (objects: readonly KubernetesObject[]): V1StatefulSet[] =>
  objects.filter((o) => isKind(o, 'apps', 'StatefulSet')) as V1StatefulSet[];
export const servicesOf = (objects: readonly KubernetesObject[]): V1Service[] => objects.filter((o) => isKind(o, '', 'Service')) as V1Service[];
export const pdbsOf = (objects: readonly KubernetesObject[]): V1PodDisruptionBudget[] =>
  objects.filter((o) => isKind(o, 'policy', 'PodDisruptionBudget')) as V1PodDisruptionBudget[];

export const nameOf = (o: KubernetesObject): string => o.metadata?.name ?? '?';
/** The Services among `objects` that select pods with `labels` and publish only Ready ones (no publishNotReadyAddresses). */
export const readinessServiceNames = (objects: readonly KubernetesObject[], labels: Readonly<Record<string, string>>): string[] =>
  servicesOf(objects)
    .filter((s) => selects(serviceSelector(s), labels) && !s.spec?.publishNotReadyAddresses)
    .map(nameOf);

/** The StatefulSet as the API server defaults it: what a watch on the created object would show. */
export interface StatefulSetFacts {
  readonly name: string;
  readonly replicas: number;
  /** spec.ordinals.start (default 0): the first pod is `<name>-<start>`. */
  readonly start: number;
  readonly serviceName: string;
  readonly podManagementPolicy: 'OrderedReady' | 'Parallel';
  readonly updateStrategy: 'RollingUpdate' | 'OnDelete';
  readonly partition: number;
  /** rollingUpdate.maxUnavailable as declared (behind the MaxUnavailableStatefulSet feature gate), else 1. */
  readonly maxUnavailable: IntOrString;
  readonly minReadySeconds: number;
  readonly whenScaled: 'Retain' | 'Delete';
  readonly whenDeleted: 'Retain' | 'Delete';
  readonly claimTemplates: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly terminationGracePeriodSeconds: number;
  /** The long-running containers: spec.containers plus restartable init containers (sidecars). */
  readonly containers: readonly V1Container[];
}

export function factsOf(sts: V1StatefulSet): StatefulSetFacts {
  const spec = sts.spec;
  const pod = spec?.template?.spec;
  const sidecars = (pod?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return {
    name: nameOf(sts),
    replicas: spec?.replicas ?? 1,
    start: spec?.ordinals?.start ?? 0,
    serviceName: spec?.serviceName ?? '',
    podManagementPolicy: spec?.podManagementPolicy === 'Parallel' ? 'Parallel' : 'OrderedReady',
    updateStrategy: spec?.updateStrategy?.type === 'OnDelete' ? 'OnDelete' : 'RollingUpdate',
    partition: spec?.updateStrategy?.rollingUpdate?.partition ?? 0,
    maxUnavailable: spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1,
    minReadySeconds: spec?.minReadySeconds ?? 0,
    whenScaled: spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete' ? 'Delete' : 'Retain',
    whenDeleted: spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete' ? 'Delete' : 'Retain',
    claimTemplates: (spec?.volumeClaimTemplates ?? []).map((c) => c.metadata?.name ?? '?'),
    labels: spec?.template?.metadata?.labels ?? {},
    terminationGracePeriodSeconds: pod?.terminationGracePeriodSeconds ?? 30,
    containers: [...(pod?.containers ?? []), ...sidecars],
  };
}

/** Pod names `<set>-<start>` … `<set>-<start+n-1>`, as `a..b` for messages. */
export function podRange(f: Pick<StatefulSetFacts, 'name' | 'start' | 'replicas'>): string {
  if (f.replicas <= 0) return `no pod of ${f.name} (replicas 0)`;
  return f.replicas === 1 ? `${f.name}-${f.start}` : `${f.name}-${f.start}..${f.name}-${f.start + f.replicas - 1}`;
}

/**
 * Whether a label selector selects an object with these labels (metav1.LabelSelectorAsSelector): an empty selector
 * selects everything, a missing one nothing.
 */
export function selects(selector: V1LabelSelector | undefined | null, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const v = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(v!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(v!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's selector as a label selector; a Service without one (or with `{}`) selects no pods (its endpoints are not managed). */
export const serviceSelector = (s: V1Service): V1LabelSelector | undefined =>
  s.spec?.selector && Object.keys(s.spec.selector).length > 0 ? { matchLabels: s.spec.selector } : undefined;

/** A selector in the form `kubectl get -l` takes, for messages. */
export function selectorText(selector: V1LabelSelector | undefined | null): string {
  if (!selector) return 'none';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`);
  }
  return parts.length ? parts.join(',') : 'everything';
}

export const labelsText = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',') || '(no labels)';

/** intstr.GetScaledValueFromIntOrPercent with rounding up, as the disruption controller uses it. */
export function scaled(value: IntOrString, total: number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const m = /^(\d+)%$/.exec(value);
  if (m) return Math.ceil((Number(m[1]) * total) / 100);
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * How many of `expected` selected pods a PDB keeps (desiredHealthy), as the disruption controller computes it, or
 * why it cannot say.
 */
export function pdbDesiredHealthy(pdb: V1PodDisruptionBudget, expected: number): { desiredHealthy: number } | { error: string } {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (minAvailable !== undefined && maxUnavailable !== undefined) return { error: 'declares both minAvailable and maxUnavailable, which the API rejects' };
  if (maxUnavailable !== undefined) {
    const n = scaled(maxUnavailable, expected);
    if (n === undefined) return { error: `maxUnavailable ${String(maxUnavailable)} is neither a count nor a percentage` };
    return { desiredHealthy: Math.max(0, expected - n) };
  }
  if (minAvailable !== undefined) {
    const n = scaled(minAvailable, expected);
    if (n === undefined) return { error: `minAvailable ${String(minAvailable)} is neither a count nor a percentage` };
    return { desiredHealthy: n };
  }
  return { error: 'declares neither minAvailable nor maxUnavailable' };
}

/** `1Gi`, `1024Mi`, `0.5`, `500m` … as a number, to compare quantities the way the API server does; undefined if malformed. */
export function parseQuantity(q: string | number): number | undefined {
  if (typeof q === 'number') return q;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  const mult: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
  };
  return base * (m[3] ? mult[m[3]]! : 1);
}
