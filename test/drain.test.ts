import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { planDrain, TUTORIAL_DRAIN } from '../src/kube/drain.ts';

const pod = (name: string, extra: Partial<{ owner: string; emptyDir: boolean; mirror: boolean; phase: string }> = {}): V1Pod => ({
  metadata: {
    name,
    namespace: 'ns',
    ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: extra.owner, name: 'o', uid: 'u', controller: true }] } : {}),
    ...(extra.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'x' } } : {}),
  },
  spec: { containers: [], volumes: extra.emptyDir ? [{ name: 'v', emptyDir: {} }] : [] },
  status: { phase: extra.phase ?? 'Running' },
});

describe('planDrain (kubectl drain filters)', () => {
  it('evicts StatefulSet pods and skips DaemonSet and mirror pods with the tutorial flags', () => {
    const plan = planDrain([pod('zk-0', { owner: 'StatefulSet' }), pod('kindnet', { owner: 'DaemonSet' }), pod('etcd', { mirror: true })], TUTORIAL_DRAIN);
    expect(plan.evict.map((p) => p.metadata?.name)).toEqual(['zk-0']);
    expect(plan.skip.map((s) => s.reason)).toEqual(['DaemonSet-managed', 'mirror pod']);
    expect(plan.refuse).toEqual([]);
  });
  it('refuses DaemonSet pods without --ignore-daemonsets', () => {
    const plan = planDrain([pod('kindnet', { owner: 'DaemonSet' })], { ...TUTORIAL_DRAIN, ignoreDaemonSets: false });
    expect(plan.refuse[0]?.reason).toMatch(/DaemonSet-managed/);
  });
  it('refuses unmanaged pods without --force, and emptyDir pods without --delete-emptydir-data', () => {
    expect(planDrain([pod('bare')], { ...TUTORIAL_DRAIN, force: false }).refuse[0]?.reason).toMatch(/declare no controller/);
    expect(planDrain([pod('cache', { owner: 'ReplicaSet', emptyDir: true })], { ...TUTORIAL_DRAIN, deleteEmptyDirData: false }).refuse[0]?.reason).toMatch(
      /local storage/,
    );
    expect(planDrain([pod('bare'), pod('cache', { owner: 'ReplicaSet', emptyDir: true })], TUTORIAL_DRAIN).evict).toHaveLength(2);
  });
  it('evicts finished pods even when unmanaged', () => {
    expect(planDrain([pod('job', { phase: 'Succeeded' })], { ...TUTORIAL_DRAIN, force: false }).evict).toHaveLength(1);
  });
});
