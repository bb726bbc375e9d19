import { readFileSync } from 'node:fs';
import { kindNodeNames } from '../src/providers/provider.ts';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_PINS as KWOK_PROVIDER_PINS } from '../src/providers/pins.ts';
import { buildStageConfig, envMs, fakeNode, kwokPaths, parseVersionsSh } from '../src/providers/kwok/stages.ts';

// Trimmed copies of the shapes of kwok's stage files (the real ones are loaded from the build cache at run time).
const stage = (name: string, extra = '') => `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ${name}
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
${extra}  next:
    delete: true
`;
const sources = [
  stage('node-initialize'),
  stage('node-heartbeat-with-lease', '  delay:\n    durationMilliseconds: 600000\n'),
  `${stage('pod-ready')}---\n${stage('pod-complete')}`,
  stage('pod-delete'),
  'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n',
];

function stages(text: string): Record<string, { spec: { delay?: { durationMilliseconds: number } } }> {
  const out: Record<string, { spec: { delay?: { durationMilliseconds: number } } }> = {};
  for (const d of parseAllDocuments(text)) {
    const o = d.toJS() as { metadata: { name: string }; spec: { delay?: { durationMilliseconds: number } } };
    out[o.metadata.name] = o;
  }
  return out;
}

describe('buildStageConfig', () => {
  it('keeps every Stage, drops non-Stages, patches pod-ready and pod-delete delays', () => {
    const s = stages(buildStageConfig(sources, { readyDelayMs: 1000, deleteDelayMs: 500 }));
    expect(Object.keys(s).sort()).toEqual(['node-heartbeat-with-lease', 'node-initialize', 'pod-complete', 'pod-delete', 'pod-ready']);
    expect(s['pod-ready']?.spec.delay).toEqual({ durationMilliseconds: 1000 });
    expect(s['pod-delete']?.spec.delay).toEqual({ durationMilliseconds: 500 });
    expect(s['node-heartbeat-with-lease']?.spec.delay).toEqual({ durationMilliseconds: 600000 });
    expect(s['pod-complete']?.spec.delay).toBeUndefined();
  });

  it('adds no delay when it is 0', () => {
    const s = stages(buildStageConfig(sources, { readyDelayMs: 0, deleteDelayMs: 0 }));
    expect(s['pod-ready']?.spec.delay).toBeUndefined();
    expect(s['pod-delete']?.spec.delay).toBeUndefined();
  });

  it('refuses a config without the node and pod stages (kwok would add no defaults)', () => {
    expect(() => buildStageConfig([stage('pod-ready')], { readyDelayMs: 0, deleteDelayMs: 0 })).toThrow(/node-initialize/);
  });
});

describe('envMs', () => {
  it('reads non-negative integers and defaults', () => {
    expect(envMs({}, 'X', 7)).toBe(7);
    expect(envMs({ X: '' }, 'X', 7)).toBe(7);
    expect(envMs({ X: '0' }, 'X', 7)).toBe(0);
    expect(envMs({ X: '2500' }, 'X', 7)).toBe(2500);
    expect(() => envMs({ X: '-1' }, 'X', 7)).toThrow(/X must be/);
    expect(() => envMs({ X: '1.5' }, 'X', 7)).toThrow(/X must be/);
  });
});

describe('nodes', () => {
  it('names nodes in kind order', () => {
    expect(kindNodeNames('c', 3)).toEqual({ controlPlane: 'c-control-plane', workers: ['c-worker', 'c-worker2', 'c-worker3'] });
  });

  it('shapes the control plane and workers like kind, with distinct podCIDRs', () => {
    const cp = fakeNode('c-control-plane', 0, true);
    const w = fakeNode('c-worker', 1, false);
    expect(cp.spec.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    expect(cp.metadata.labels['node-role.kubernetes.io/control-plane']).toBe('');
    expect(w.spec.taints).toBeUndefined();
    expect(w.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'c-worker', 'kubernetes.io/os': 'linux', type: 'kwok' });
    expect(w.metadata.annotations['kwok.x-k8s.io/node']).toBe('fake');
    expect(cp.spec.podCIDR).not.toBe(w.spec.podCIDR);
  });
});

describe('pins and paths', () => {
  it('duplicates the ci/versions.sh defaults exactly', () => {
    const sh = parseVersionsSh(readFileSync(new URL('../ci/versions.sh', import.meta.url), 'utf8'));
    for (const [k, v] of Object.entries(KWOK_PROVIDER_PINS)) expect(sh[k], k).toBe(v);
  });

  it('resolves cache paths, with env overrides', () => {
    const p = kwokPaths({ E2E_CACHE: '/c', KWOK_VERSION: 'v9' });
    expect(p.kubeApiserver).toBe(`/c/kubernetes-${KWOK_PROVIDER_PINS.K8S_VERSION}/kube-apiserver`);
    expect(p.kwok).toBe('/c/kwok-v9/kwok');
    expect(p.etcd).toBe(`/c/etcd-${KWOK_PROVIDER_PINS.ETCD_VERSION}/etcd`);
    expect(kwokPaths({}, 'v1.2.3').kubeScheduler).toBe(`${KWOK_PROVIDER_PINS.E2E_CACHE}/kubernetes-v1.2.3/kube-scheduler`);
  });
});
