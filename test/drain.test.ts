import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { parseKubectlDrain, planDrain, TUTORIAL_DRAIN } from '../src/kube/drain.ts';

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

describe('parseKubectlDrain', () => {
  // Recorded: kubectl v1.32.4 against the kwok control plane (v1.34.4), S4b's 4.23 and 4.26 (stdout and stderr as
  // kubectl splits them: progress on stdout, errors on stderr).
  it('a drain blocked by a PDB: exit 1, the refusal as an error, nothing evicted', () => {
    const r = parseKubectlDrain({
      exitCode: 1,
      stdout: ['node/n2 already cordoned', 'evicting pod zk-ns/zk-2', 'evicting pod zk-ns/zk-2', 'pod/zk-2'].join('\n'),
      stderr: [
        `error when evicting pods/"zk-2" -n "zk-ns" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`,
        `There are pending pods in node "n2" when an error occurred: error when evicting pods/"zk-2" -n "zk-ns": global timeout reached: 2m0s`,
        `error: unable to drain node "n2" due to error: error when evicting pods/"zk-2" -n "zk-ns": global timeout reached: 2m0s, continuing command...`,
        'There are pending nodes to be drained:',
        'n2',
        `error when evicting pods/"zk-2" -n "zk-ns": global timeout reached: 2m0s`,
      ].join('\n'),
    });
    expect(r.exitCode).toBe(1);
    expect(r.evicted).toEqual([]);
    expect(r.errors[0]).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(r.errors.some((e) => e.startsWith('error: unable to drain node "n2"'))).toBe(true);
  });
  it('a drain that succeeds: exit 0 and the evicted pods', () => {
    const r = parseKubectlDrain({
      exitCode: 0,
      stdout: 'node/n2 already cordoned\nevicting pod zk-ns/zk-2\npod/zk-2 evicted\nnode/n2 drained\n',
      stderr: '',
    });
    expect(r).toMatchObject({ exitCode: 0, evicted: ['zk-2'], errors: [] });
    expect(r.output).toContain('node/n2 drained');
  });
});
