/**
 * Pure helpers for the kwok provider: pinned versions, cache paths, fake Node shapes and the kwok Stage config.
 * No processes and no network here, so test/kwok-stages.test.ts can cover it.
 */
import { parseAllDocuments, stringify } from 'yaml';
import { pin } from '../pins.ts';

export interface KwokPaths {
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly etcd: string;
  readonly kwok: string;
  /** Stage YAML copied from the kwok module by ci/build-kwok.sh: stages/<set>/<stage>.yaml */
  readonly stagesDir: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function kwokPaths(env: Env, k8sVersion?: string): KwokPaths {
  const cache = pin('E2E_CACHE', env);
  const kube = `${cache}/kubernetes-${k8sVersion ?? pin('K8S_VERSION', env)}`;
  const kwokDir = `${cache}/kwok-${pin('KWOK_VERSION', env)}`;
  return {
    kubeApiserver: `${kube}/kube-apiserver`,
    kubeControllerManager: `${kube}/kube-controller-manager`,
    kubeScheduler: `${kube}/kube-scheduler`,
    etcd: `${cache}/etcd-${pin('ETCD_VERSION', env)}/etcd`,
    kwok: `${kwokDir}/kwok`,
    stagesDir: `${kwokDir}/stages`,
  };
}

/** Stage sets ci/build-kwok.sh copies; all of them must be passed, since any Stage disables kwok's defaults. */
export const STAGE_SETS = ['node-fast', 'node-heartbeat-with-lease', 'pod-fast'] as const;
/** Stages that must be present after loading, or pods/nodes never progress. */
export const REQUIRED_STAGES = ['node-initialize', 'node-heartbeat-with-lease', 'pod-ready', 'pod-delete'] as const;

/** A non-negative integer from env, or the default; anything else is an error naming the variable. */
export function envMs(env: Env, name: string, def: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer of milliseconds, got '${raw}'`);
  return n;
}

export interface StageDelays {
  /** pod-ready: Pending (scheduled) -> Running+Ready. Makes OrderedReady progression observable. */
  readonly readyDelayMs: number;
  /** pod-delete: terminating pod -> removed. Makes a terminating pod visible before DELETED. */
  readonly deleteDelayMs: number;
}

/**
 * Joins the cached Stage documents into one kwok --config file, with `spec.delay` patched into pod-ready and
 * pod-delete. `sources` are the YAML texts (one or more documents each). Throws if a required stage is missing.
 */
export function buildStageConfig(sources: readonly string[], delays: StageDelays): string {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    for (const doc of parseAllDocuments(src)) {
      if (doc.errors.length > 0) throw new Error(`bad stage YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
      const obj: unknown = doc.toJS();
      if (obj === null || typeof obj !== 'object') continue;
      const stage = obj as { kind?: unknown; metadata?: { name?: unknown }; spec?: Record<string, unknown> };
      if (stage.kind !== 'Stage') continue;
      const name = typeof stage.metadata?.name === 'string' ? stage.metadata.name : '';
      if (name === '' || seen.has(name)) continue;
      seen.add(name);
      const spec = stage.spec ?? {};
      if (name === 'pod-ready' && delays.readyDelayMs > 0) spec.delay = { durationMilliseconds: delays.readyDelayMs };
      if (name === 'pod-delete' && delays.deleteDelayMs > 0) spec.delay = { durationMilliseconds: delays.deleteDelayMs };
      stage.spec = spec;
      out.push(stringify(stage, { lineWidth: 0 }));
    }
  }
  const missing = REQUIRED_STAGES.filter((s) => !seen.has(s));
  if (missing.length > 0) throw new Error(`kwok stages missing: ${missing.join(', ')}`);
  return out.join('---\n');
}

export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** A plain Node object (client-node V1Node-compatible) shaped like a kind node, managed by kwok. */
export interface FakeNode {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { podCIDR: string; podCIDRs: string[]; taints?: { key: string; value?: string; effect: string }[] };
  status: { allocatable: Record<string, string>; capacity: Record<string, string> };
}

export function fakeNode(name: string, index: number, controlPlane: boolean): FakeNode {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    type: 'kwok',
  };
  if (controlPlane) {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  const cidr = `10.244.${index}.0/24`; // kind's default pod subnet, one /24 per node
  const resources = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: {
      podCIDR: cidr,
      podCIDRs: [cidr],
      ...(controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
    status: { allocatable: { ...resources }, capacity: { ...resources } },
  };
}

/** Parses `KEY=${KEY:-default}` lines of ci/versions.sh (used by the unit test to check the pins agree). */
export function parseVersionsSh(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Z0-9_]+)=\$\{\1:-([^}]*)\}/gm)) {
    if (m[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}
