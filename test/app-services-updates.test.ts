import { describe, expect, it } from 'vitest';
import type { V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import type { ObservedEvent } from '../src/kube/watch.ts';
import type { PodEvent } from '../src/ordering.ts';
import { deletionClaimsVerdict, publishedReadyVerdict, updatedStateVerdict, withdrawnVerdict } from '../src/app/verdicts.ts';
import { factsOf } from '../src/app/objects.ts';

let seq = 0;
type State = 'pending' | 'ready' | 'deleting' | 'gone';
const P = (t: number, name: string, uid: string, s: State): PodEvent => ({
  seq: seq++,
  t,
  type: s === 'gone' ? 'DELETED' : 'MODIFIED',
  name,
  uid,
  phase: s === 'pending' ? 'Pending' : 'Running',
  ready: s === 'ready' || s === 'deleting',
  deleting: s === 'deleting' || s === 'gone',
});
type Addr = { pod: string; uid: string; ready: boolean; terminating?: boolean };
const S = (t: number, addrs: Addr[], o: { service?: string; slice?: string; deleted?: boolean } = {}): ObservedEvent<V1EndpointSlice> => ({
  seq: seq++,
  t,
  type: o.deleted ? 'DELETED' : 'MODIFIED',
  object: {
    addressType: 'IPv4',
    metadata: { name: o.slice ?? 'web-abc', labels: { 'kubernetes.io/service-name': o.service ?? 'nginx' } },
    endpoints: addrs.map((a) => ({
      addresses: ['10.0.0.1'],
      targetRef: { kind: 'Pod', name: a.pod, uid: a.uid },
      conditions: { ready: a.ready, serving: a.ready, terminating: a.terminating ?? false },
    })),
  },
});
const member = (pod: string): boolean => /^web-\d+$/.test(pod);

describe('publishedReadyVerdict (A4.3)', () => {
  const pods = [P(0, 'web-0', 'u0', 'pending'), P(1000, 'web-0', 'u0', 'ready'), P(20_000, 'web-0', 'u0', 'pending')];
  it('passes ready addresses of Ready pods, allowing the controller 5 s to notice a pod stopped being Ready', () => {
    const v = publishedReadyVerdict(
      pods,
      [S(1200, [{ pod: 'web-0', uid: 'u0', ready: true }]), S(24_000, [{ pod: 'web-0', uid: 'u0', ready: true }])],
      ['nginx'],
      member,
      30_000,
    );
    expect(v.reason).toBe('nginx: 2 ready address(es) seen, each of a pod that was Ready (within 5 s)');
    expect(v.ok).toBe(true);
  });
  it('allows the slice stream to run up to 1 s ahead of the pod stream', () => {
    expect(publishedReadyVerdict(pods, [S(600, [{ pod: 'web-0', uid: 'u0', ready: true }])], ['nginx'], member, 30_000).ok).toBe(true);
  });
  it('fails an address ready=true while its pod was not Ready, and a Service that never published one', () => {
    const v = publishedReadyVerdict(pods, [S(26_000, [{ pod: 'web-0', uid: 'u0', ready: true }])], ['nginx', 'web'], member, 30_000);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/^web-0 was ready=true in EndpointSlice web-abc of Service nginx \(event #\d+, 26000 ms\) while it was not Ready/);
    expect(v.reason).toContain('Service web never published a pod of the set as ready');
  });
  it('judges the pod by UID: a ready address of the old incarnation is not the new pod being Ready', () => {
    const twice = [...pods, P(21_000, 'web-0', 'u1', 'ready')];
    expect(publishedReadyVerdict(twice, [S(27_000, [{ pod: 'web-0', uid: 'u0', ready: true }])], ['nginx'], member, 30_000).ok).toBe(false);
    expect(publishedReadyVerdict(twice, [S(27_000, [{ pod: 'web-0', uid: 'u1', ready: true }])], ['nginx'], member, 30_000).ok).toBe(true);
  });
});

describe('withdrawnVerdict (A6.2)', () => {
  const pods = [P(1000, 'web-1', 'u1', 'ready'), P(10_000, 'web-1', 'u1', 'deleting'), P(12_000, 'web-1', 'u1', 'gone')];
  const before = S(2000, [{ pod: 'web-1', uid: 'u1', ready: true }]);
  it('passes an address marked ready=false, terminating=true within 5 s, or removed', () => {
    const v = withdrawnVerdict(pods, [before, S(10_300, [{ pod: 'web-1', uid: 'u1', ready: false, terminating: true }]), S(12_100, [])], ['nginx'], member);
    expect(v.reason).toBe('1 deletion(s) of a published pod: each withdrawn within 5 s (1 seen as ready=false, terminating=true before the address went)');
    expect(v.ok).toBe(true);
    expect(withdrawnVerdict(pods, [before, S(10_300, [])], ['nginx'], member).ok).toBe(true);
  });
  it('fails an address still ready 5 s after the deletion, or ready again later', () => {
    const stuck = withdrawnVerdict(pods, [before, S(10_300, [{ pod: 'web-1', uid: 'u1', ready: true }])], ['nginx'], member);
    expect(stuck.ok).toBe(false);
    expect(stuck.reason).toContain('web-1 (deleting since 10000 ms) was still ready=true in EndpointSlice web-abc of Service nginx 5 s later');
    const notTerminating = withdrawnVerdict(pods, [before, S(10_300, [{ pod: 'web-1', uid: 'u1', ready: false }])], ['nginx'], member);
    expect(notTerminating.reason).toContain('was still not terminating');
    const again = withdrawnVerdict(pods, [before, S(10_300, []), S(16_000, [{ pod: 'web-1', uid: 'u1', ready: true }])], ['nginx'], member);
    expect(again.reason).toMatch(/web-1 was ready=true again in EndpointSlice web-abc of Service nginx after its deletion/);
  });
  it('fails when no published pod was seen deleted', () => {
    expect(withdrawnVerdict(pods.slice(0, 1), [before], ['nginx'], member).reason).toMatch(/nothing was shown/);
    expect(withdrawnVerdict(pods, [S(2000, [{ pod: 'web-1', uid: 'u1', ready: false }])], ['nginx'], member).reason).toMatch(/nothing was shown/);
  });
});

describe('updatedStateVerdict (A8.2, A8.3)', () => {
  const f = { ...factsOf({ metadata: { name: 'web' }, spec: { replicas: 3, serviceName: 'nginx', selector: {}, template: {} } }) };
  const pod = (name: string, rev: string): V1Pod => ({ metadata: { name, labels: { 'controller-revision-hash': rev } } });
  it('passes every pod at the new revision, updatedReplicas = replicas and currentRevision = updateRevision', () => {
    const v = updatedStateVerdict(
      f,
      [pod('web-0', 'r2'), pod('web-1', 'r2'), pod('web-2', 'r2')],
      { replicas: 3, updateRevision: 'r2', currentRevision: 'r2', updatedReplicas: 3 },
      'r1',
    );
    expect(v).toEqual({ ok: true, reason: '3 pod(s) at the new revision r2, currentRevision = updateRevision; updatedReplicas 3' });
  });
  it('fails no new revision, a pod left behind, and a status that does not say the update is done', () => {
    expect(updatedStateVerdict(f, [], { replicas: 3, updateRevision: 'r1' }, 'r1').reason).toMatch(/^no new revision/);
    const v = updatedStateVerdict(
      f,
      [pod('web-0', 'r1'), pod('web-1', 'r2'), pod('web-2', 'r2')],
      { replicas: 3, updateRevision: 'r2', currentRevision: 'r1', updatedReplicas: 2 },
      'r1',
    );
    expect(v.reason).toBe('web-0 is at revision r1, not r2; status.updatedReplicas is 2, not 3; status.currentRevision is r1, not the update revision r2');
  });
  it('with a partition, the pods below it must keep the revision they had', () => {
    const p = { ...f, partition: 2 };
    const ok = updatedStateVerdict(
      p,
      [pod('web-0', 'r1'), pod('web-1', 'r1'), pod('web-2', 'r2')],
      { replicas: 3, updateRevision: 'r2', currentRevision: 'r1', updatedReplicas: 1 },
      'r1',
    );
    expect(ok.reason).toBe('1 pod(s) at the new revision r2, the 2 below the partition still at r1; updatedReplicas 1');
    const moved = updatedStateVerdict(
      p,
      [pod('web-0', 'r1'), pod('web-1', 'r2'), pod('web-2', 'r2')],
      { replicas: 3, updateRevision: 'r2', updatedReplicas: 1 },
      'r1',
    );
    expect(moved.reason).toBe('web-1 is at revision r2, not r1 (below the partition: it must keep it)');
  });
});

describe('deletionClaimsVerdict (A3.5)', () => {
  const c = (uid: string, phase = 'Bound', volume = `pv-${uid}`) => ({ uid, phase, volume });
  const claims = ['www-web-0', 'www-web-1'];
  const before = new Map([
    ['www-web-0', c('a')],
    ['www-web-1', c('b')],
  ]);
  it('Retain: the same Bound claims while the StatefulSet is gone, re-bound by its re-creation', () => {
    const v = deletionClaimsVerdict({ name: 'web', whenDeleted: 'Retain' }, { claims, before, afterDelete: before, afterRecreate: before });
    expect(v).toEqual({
      ok: true,
      reason: 'www-web-0, www-web-1 kept Bound while StatefulSet web was gone, and re-bound by its re-creation (same UIDs and volumes)',
    });
  });
  it('Retain: fails a claim deleted with the StatefulSet, or a new claim after the re-creation', () => {
    const v = deletionClaimsVerdict(
      { name: 'web', whenDeleted: 'Retain' },
      { claims, before, afterDelete: new Map([['www-web-0', c('a')]]), afterRecreate: new Map([...before, ['www-web-1', c('z')]]) },
    );
    expect(v.reason).toBe(
      'www-web-1 was deleted with StatefulSet web (whenDeleted: Retain); www-web-1 is a new claim (b → z) after the re-creation: not re-bound',
    );
  });
  it('Delete: the claims are gone once the pods are; one left fails', () => {
    expect(deletionClaimsVerdict({ name: 'web', whenDeleted: 'Delete' }, { claims, before, afterDelete: new Map(), afterRecreate: new Map() }).ok).toBe(true);
    const left = deletionClaimsVerdict(
      { name: 'web', whenDeleted: 'Delete' },
      { claims, before, afterDelete: new Map([['www-web-1', c('b')]]), afterRecreate: new Map() },
    );
    expect(left.reason).toBe('www-web-1 still exists (Bound) after StatefulSet web and its pods were gone (whenDeleted: Delete)');
  });
});
