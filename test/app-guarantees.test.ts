import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject, V1PodDisruptionBudget, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../src/errors.ts';
import { parseManifests } from '../src/manifests.ts';
import { ALL_CAPABILITIES } from '../src/providers/provider.ts';
import { classifyApp } from '../src/app/input.ts';
import { loadProfile, parseProfile, type AppProfile } from '../src/app/profile.ts';
import { AREAS, GUARANTEES, checkUpgrade, formatCheck, immutableChanges, planGuarantees, skipReason, type GuaranteeCheck } from '../src/app/guarantees.ts';

const ROOT = path.join(import.meta.dirname, '..');
const APPS = path.join(import.meta.dirname, 'fixtures', 'apps');

function objectsOf(dir: string): KubernetesObject[] {
  const a = classifyApp(path.join(APPS, dir));
  if (a.kind !== 'manifests') throw new Error(`${dir} is not manifests`);
  return structuredClone(a.objects) as KubernetesObject[];
}
const profileOf = (dir: string): AppProfile => loadProfile(path.join(APPS, dir, 'stateful-e2e.yaml'));
const zookeeper = (): KubernetesObject[] => parseManifests(readFileSync(path.join(ROOT, 'fixtures', 'zookeeper', 'zookeeper.yaml'), 'utf8'), 'zookeeper.yaml');

const sts = (objs: KubernetesObject[], name?: string): V1StatefulSet =>
  objs.find((o) => o.kind === 'StatefulSet' && (!name || o.metadata?.name === name)) as V1StatefulSet;
const byId = (checks: readonly GuaranteeCheck[], id: string, set?: string): GuaranteeCheck => {
  const c = checks.find((x) => x.id === id && (!set || x.statefulSet === set));
  if (!c) throw new Error(`no check ${id}`);
  return c;
};
const asserts = (checks: readonly GuaranteeCheck[], id: string): string => {
  const c = byId(checks, id);
  if (!c.applies) throw new Error(`${id} does not apply: ${c.reason}`);
  return c.asserts;
};
const reason = (checks: readonly GuaranteeCheck[], id: string): string => {
  const c = byId(checks, id);
  if (c.applies) throw new Error(`${id} applies: ${c.asserts}`);
  return c.reason;
};
const applying = (checks: readonly GuaranteeCheck[]): string[] => checks.filter((c) => c.applies).map((c) => c.id);

describe('the catalogue', () => {
  it('IDs are unique, in order, and each in its area section', () => {
    const ids = GUARANTEES.map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const g of GUARANTEES) expect(g.id.startsWith(`${AREAS[g.area].section}.`)).toBe(true);
    const key = (id: string): number[] => id.slice(1).split('.').map(Number);
    const sorted = [...ids].sort((a, b) => key(a)[0]! - key(b)[0]! || key(a)[1]! - key(b)[1]!);
    expect(ids).toEqual(sorted);
  });

  it('docs/app-guarantees.md has a table row for every ID and no other', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'app-guarantees.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| (A\d+\.\d+) \|/gm)].map((m) => m[1]);
    expect(rows).toEqual(GUARANTEES.map((g) => g.id));
    for (const a of Object.values(AREAS)) expect(doc).toContain(`## ${a.section}. ${a.title}`);
  });
});

describe('the tutorial web app (OrderedReady, RollingUpdate, Retain, no PDB, no spread)', () => {
  it('without a profile: every API-level guarantee, and why the rest does not apply', () => {
    const checks = planGuarantees(objectsOf('web'));
    expect(checks.map((c) => c.id)).toEqual(GUARANTEES.map((g) => g.id));
    expect(new Set(checks.map((c) => c.statefulSet))).toEqual(new Set(['web']));
    expect(applying(checks)).toEqual(['A1.1', 'A1.2', 'A1.3', 'A2.1', 'A2.2', 'A3.1', 'A3.2', 'A3.4', 'A3.5', 'A4.1', 'A4.3', 'A6.1', 'A6.2', 'A8.1', 'A8.2']);
    expect(asserts(checks, 'A1.1')).toContain('exactly web-0..web-1 exist');
    expect(asserts(checks, 'A1.1')).toContain('spec.subdomain=nginx');
    expect(asserts(checks, 'A1.3')).toContain('<pod>.nginx for each of web-0..web-1 resolves to exactly');
    expect(asserts(checks, 'A2.1')).toContain('web-i is created only after web-(i-1) is Running and Ready');
    expect(reason(checks, 'A2.3')).toBe('OrderedReady policy: pods start and stop one at a time (A2.1, A2.2)');
    expect(asserts(checks, 'A3.1')).toContain('claim template (www)');
    expect(asserts(checks, 'A3.4')).toContain('whenScaled: Retain');
    expect(asserts(checks, 'A3.5')).toContain('whenDeleted: Retain');
    expect(asserts(checks, 'A3.5')).not.toContain('datum');
    expect(reason(checks, 'A3.3')).toBe('no datum in the profile: data checks need datum.exec or datum.adapter');
    expect(byId(checks, 'A4.2')).toMatchObject({ applies: false, finding: true });
    expect(reason(checks, 'A4.2')).toContain("no readinessProbe in web's containers");
    expect(reason(checks, 'A5.1')).toBe('no PDB declared: voluntary disruptions (drain, eviction) are not limited');
    expect(byId(checks, 'A5.1')).toMatchObject({ finding: false });
    expect(reason(checks, 'A5.3')).toBe('no quorum in the profile');
    expect(asserts(checks, 'A6.1')).toContain('within 30 s (terminationGracePeriodSeconds)');
    expect(reason(checks, 'A7.1')).toBe("no required pod anti-affinity or DoNotSchedule topology spread on web's own pods: pods may share a node");
    expect(asserts(checks, 'A8.2')).toContain('replaces every pod from the highest ordinal down, one at a time');
    expect(asserts(checks, 'A8.2')).toContain('currentRevision = updateRevision');
    expect(reason(checks, 'A8.3')).toBe('partition 0: every pod is updated');
    expect(reason(checks, 'A8.4')).toBe('RollingUpdate strategy: the controller replaces pods itself (A8.2)');
    expect(checks.every((c) => !c.applies || !('warning' in c))).toBe(true);
  });

  it('with its profile: the per-pod datum checks, run by exec', () => {
    const checks = planGuarantees(objectsOf('web'), profileOf('web'));
    expect(applying(checks)).toEqual(expect.arrayContaining(['A3.3', 'A5.4', 'A8.5']));
    expect(asserts(checks, 'A3.3')).toContain('a datum written on each pod is read back on that same pod (datum.scope: pod)');
    expect(byId(checks, 'A3.3').needs).toEqual(['exec']);
    expect(asserts(checks, 'A1.2')).toContain('within 180 s (budgets.maxRecoverySeconds)');
    expect(asserts(checks, 'A5.4')).toContain("each pod's own datum is unreadable for at most 30 s");
    expect(asserts(checks, 'A3.5')).toContain('and the datum is still readable');
  });

  it('kwok shows the API-level checks and skips the rest with the reason', () => {
    const checks = planGuarantees(objectsOf('web'), profileOf('web')).filter((c) => c.applies);
    const kwok = new Set<never>();
    expect(checks.filter((c) => !skipReason(c, kwok)).map((c) => c.id)).toEqual([
      'A1.1',
      'A1.2',
      'A2.1',
      'A2.2',
      'A3.1',
      'A3.2',
      'A3.4',
      'A3.5',
      'A4.1',
      'A4.3',
      'A6.2',
      'A8.1',
      'A8.2',
    ]);
    expect(skipReason(byId(checks, 'A1.3'), kwok)).toBe('needs dns');
    expect(skipReason(byId(checks, 'A3.3'), kwok)).toBe('needs exec');
    expect(checks.every((c) => !skipReason(c, new Set(ALL_CAPABILITIES)))).toBe(true);
  });

  it('formats one line per check', () => {
    const checks = planGuarantees(objectsOf('web'));
    expect(formatCheck(byId(checks, 'A2.3'))).toBe('[A2.3] web: not applicable: OrderedReady policy: pods start and stop one at a time (A2.1, A2.2)');
    expect(formatCheck(byId(checks, 'A4.2'))).toMatch(/^\[A4\.2\] web: not applicable \(check the manifests\): no readinessProbe/);
    expect(formatCheck(byId(checks, 'A2.1'))).toMatch(/^\[A2\.1\] web: pods are created in ordinal order: web-0\.\.web-1 are created/);
    for (const c of checks) expect(formatCheck(c)).not.toContain('\n');
  });
});

describe('the kv app (Parallel, partition, Delete retention, PDB, required anti-affinity, probes)', () => {
  const checks = planGuarantees(objectsOf('kv-parallel'), profileOf('kv-parallel'));

  it('adapts ordering to Parallel', () => {
    expect(reason(checks, 'A2.1')).toBe('Parallel policy: creation order not promised');
    expect(reason(checks, 'A2.2')).toBe('Parallel policy: termination order not promised');
    expect(asserts(checks, 'A2.3')).toContain('the controller does not wait');
  });

  it('adapts storage to the Delete retention policy', () => {
    expect(asserts(checks, 'A3.4')).toContain('are deleted once their pods are gone');
    expect(asserts(checks, 'A3.5')).toBe('after StatefulSet kv is deleted, its PVCs are deleted (whenDeleted: Delete)');
    expect(asserts(checks, 'A3.3')).toContain('read back through every pod (polled up to 240 s: asyncReplication)');
  });

  it('checks the PDB and the quorum it keeps', () => {
    expect(asserts(checks, 'A5.1')).toBe('with all 3 selected pods Ready, PDB kv-pdb reports expectedPods 3, desiredHealthy 2 and disruptionsAllowed 1 ≥ 1');
    expect(asserts(checks, 'A5.2')).toContain('never number fewer than 2');
    expect(asserts(checks, 'A5.3')).toBe('PDB kv-pdb keeps at least the quorum: desiredHealthy 2 ≥ 2');
    expect(asserts(checks, 'A5.4')).toContain('stays readable and writable through some Ready pod with no gap longer than 20 s');
    expect(asserts(checks, 'A5.4')).toContain('asyncReplication');
  });

  it('readiness, graceful stop, spread and the staged update', () => {
    expect(asserts(checks, 'A4.2')).toContain('readiness probe in redis');
    expect(byId(checks, 'A4.2').needs).toEqual(['probes', 'network']);
    expect(asserts(checks, 'A6.1')).toContain('within 20 s (terminationGracePeriodSeconds) + 10 s');
    expect(asserts(checks, 'A6.1')).toContain('the preStop hook of redis runs first and does not fail');
    expect(asserts(checks, 'A7.1')).toContain('required pod anti-affinity on kubernetes.io/hostname: no two pods of kv share a domain');
    expect(reason(checks, 'A7.2')).toBe("no preferred pod anti-affinity or ScheduleAnyway topology spread on kv's own pods (required spread: A7.1)");
    expect(asserts(checks, 'A8.2')).toContain('replaces the pods with ordinal ≥ 1 from the highest ordinal down');
    expect(asserts(checks, 'A8.2')).toContain('updatedReplicas = 2');
    expect(asserts(checks, 'A8.3')).toContain('the pods with ordinal < 1 keep the current revision');
  });
});

describe('adapting to other declarations', () => {
  it('the ZooKeeper tutorial: PDB, anti-affinity, probes; a profile with a quorum', () => {
    const p = parseProfile('datum: { adapter: zookeeper }\nquorum: majority\n', 'stateful-e2e.yaml');
    const checks = planGuarantees(zookeeper(), p);
    expect(asserts(checks, 'A5.3')).toBe('PDB zk-pdb keeps at least the quorum: desiredHealthy 2 ≥ 2');
    expect(asserts(checks, 'A7.1')).toContain('required pod anti-affinity on kubernetes.io/hostname');
    expect(asserts(checks, 'A4.2')).toContain('readiness probe in kubernetes-zookeeper');
    expect(asserts(checks, 'A4.3')).toContain('Service zk-hs, zk-cs');
    expect(asserts(checks, 'A1.3')).toContain('<pod>.zk-hs');
  });

  it('anti-affinity on a label the pods do not carry is a no-op, said as a finding', () => {
    const objs = zookeeper();
    const s = sts(objs);
    s.spec!.selector = { matchLabels: { 'app.kubernetes.io/name': 'zk' } };
    s.spec!.template.metadata!.labels = { 'app.kubernetes.io/name': 'zk' };
    const checks = planGuarantees(objs);
    expect(byId(checks, 'A7.1')).toMatchObject({ applies: false, finding: true });
    expect(reason(checks, 'A7.1')).toBe(
      'required pod anti-affinity on kubernetes.io/hostname selects app in (zk), not the pods (app.kubernetes.io/name=zk): it spreads nothing',
    );
    // The tutorial's Services and PDB select `app: zk` too, so they miss the relabelled pods.
    expect(reason(checks, 'A5.1')).toBe('no PDB declared: voluntary disruptions (drain, eviction) are not limited');
    expect(reason(checks, 'A4.3')).toBe("no Service of the app selects zk's pods");
    expect(reason(checks, 'A1.3')).toContain("Service zk-hs's selector (app=zk) selects none of zk's pods");
  });

  it('topology spread constraints, hard and soft', () => {
    const objs = objectsOf('web');
    sts(objs).spec!.template.spec!.topologySpreadConstraints = [
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'nginx' } } },
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'nginx' } } },
    ];
    const checks = planGuarantees(objs);
    expect(asserts(checks, 'A7.1')).toContain('topology spread (DoNotSchedule, maxSkew 1) on topology.kubernetes.io/zone');
    expect(asserts(checks, 'A7.2')).toContain('topology spread (ScheduleAnyway, maxSkew 1) on kubernetes.io/hostname');
    expect(asserts(checks, 'A7.2')).toContain('at least 2 schedulable domains');
  });

  it('PDBs that cannot work are findings or warnings', () => {
    const objs = objectsOf('kv-parallel');
    const pdb = objs.find((o) => o.kind === 'PodDisruptionBudget') as V1PodDisruptionBudget;
    const p = profileOf('kv-parallel');

    const twice = [...objs, { ...structuredClone(pdb), metadata: { name: 'kv-pdb-2' } }];
    expect(reason(planGuarantees(twice, p), 'A5.1')).toContain('PDBs kv-pdb and kv-pdb-2 all select');
    expect(byId(planGuarantees(twice, p), 'A5.2')).toMatchObject({ applies: false, finding: true });

    pdb.spec = { selector: pdb.spec!.selector, minAvailable: '100%' };
    const full = planGuarantees(objs, p);
    expect(byId(full, 'A5.1')).toMatchObject({
      applies: true,
      warning: 'PDB kv-pdb allows no disruption even with every pod Ready: no drain of a node with a kv pod can ever finish',
    });

    pdb.spec = { selector: pdb.spec.selector, maxUnavailable: '67%' };
    const loose = planGuarantees(objs, p);
    expect(asserts(loose, 'A5.1')).toContain('desiredHealthy 0 and disruptionsAllowed 3');
    expect(byId(loose, 'A5.3')).toMatchObject({ warning: 'PDB kv-pdb keeps only 0 of 3 pods, fewer than the quorum 2: a drain may break it' });

    pdb.spec = { selector: pdb.spec.selector, maxUnavailable: 1, minAvailable: 1 };
    expect(reason(planGuarantees(objs, p), 'A5.1')).toBe('PDB kv-pdb declares both minAvailable and maxUnavailable, which the API rejects');

    const none = objs.filter((o) => o.kind !== 'PodDisruptionBudget');
    expect(byId(planGuarantees(none, p), 'A5.3')).toMatchObject({
      applies: false,
      finding: true,
      reason: 'quorum 2 declared, but no PDB declared: nothing stops a drain from taking more than 1 member(s)',
    });
  });

  it('Services: not headless, missing, or publishing not-ready pods', () => {
    const objs = objectsOf('web');
    const svc = objs.find((o) => o.kind === 'Service') as V1Service;
    svc.spec!.clusterIP = '10.96.0.10';
    expect(byId(planGuarantees(objs), 'A1.3')).toMatchObject({ applies: false, finding: true });
    expect(reason(planGuarantees(objs), 'A1.3')).toBe('Service nginx is not headless (clusterIP 10.96.0.10): per-pod DNS names need clusterIP: None');
    svc.spec!.clusterIP = 'None';
    svc.spec!.publishNotReadyAddresses = true;
    const pub = planGuarantees(objs);
    expect(asserts(pub, 'A1.3')).toContain('(Ready or not: publishNotReadyAddresses)');
    expect(reason(pub, 'A4.3')).toBe('Service nginx sets publishNotReadyAddresses: it publishes pods whether Ready or not, by design (peer discovery)');
    expect(reason(pub, 'A6.2')).toContain('publishNotReadyAddresses');
    svc.spec!.selector = {};
    expect(reason(planGuarantees(objs), 'A1.3')).toBe("Service nginx's selector (none) selects none of web's pods (app=nginx): no DNS records");
    expect(reason(planGuarantees(objs), 'A4.3')).toBe("no Service of the app selects web's pods");
    const noSvc = objs.filter((o) => o.kind !== 'Service');
    expect(reason(planGuarantees(noSvc), 'A1.3')).toBe(
      "no Service 'nginx' (the serviceName) among the app's objects: per-pod DNS names need that headless Service",
    );
    delete sts(noSvc).spec!.serviceName;
    expect(byId(planGuarantees(noSvc), 'A1.3')).toMatchObject({ applies: false, finding: false, reason: 'no serviceName: the pods get no per-pod DNS names' });
  });

  it('no claim templates, a zero grace period, minReadySeconds, start ordinals', () => {
    const objs = objectsOf('web');
    const s = sts(objs);
    delete s.spec!.volumeClaimTemplates;
    s.spec!.template.spec!.terminationGracePeriodSeconds = 0;
    s.spec!.minReadySeconds = 10;
    s.spec!.ordinals = { start: 5 };
    s.spec!.replicas = 3;
    const p = parseProfile('datum: { scope: pod, exec: { container: nginx, write: [w, "{key}", "{value}"], read: [r, "{key}"] } }\n', 'stateful-e2e.yaml');
    const checks = planGuarantees(objs, p);
    for (const id of ['A3.1', 'A3.2', 'A3.4', 'A3.5']) expect(reason(checks, id)).toBe('no volumeClaimTemplates: the StatefulSet keeps no per-pod storage');
    // Checked, with the cause known in advance: an emptyDir datum must be seen lost, not ruled out (mutation app-emptydir).
    expect(byId(checks, 'A3.3')).toMatchObject({
      applies: true,
      warning: "datum.scope is pod but web has no volumeClaimTemplates: a pod's own data is expected to be lost with the pod",
    });
    expect(byId(checks, 'A6.1')).toMatchObject({ applies: false, finding: true });
    expect(asserts(checks, 'A1.1')).toContain('exactly web-5..web-7 exist');
    expect(asserts(checks, 'A2.1')).toContain('has been Ready for 10 s (minReadySeconds)');
    expect(asserts(checks, 'A4.1')).toContain('once it has been Ready for 10 s (minReadySeconds)');
  });

  it('OnDelete, a partition above the replicas, maxUnavailable against a quorum', () => {
    const objs = objectsOf('kv-parallel');
    const s = sts(objs);
    const p = profileOf('kv-parallel');
    s.spec!.updateStrategy = { type: 'OnDelete' };
    let checks = planGuarantees(objs, p);
    expect(reason(checks, 'A8.2')).toBe('OnDelete strategy: the controller replaces no pod (A8.4)');
    expect(reason(checks, 'A8.3')).toBe('OnDelete strategy: no partition');
    expect(asserts(checks, 'A8.4')).toContain('no pod is replaced during a 60 s window');
    expect(asserts(checks, 'A8.5')).toContain('(the run deletes them, highest ordinal first)');

    s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 3 } };
    checks = planGuarantees(objs, p);
    expect(byId(checks, 'A8.2')).toMatchObject({ applies: false, finding: true, reason: 'partition 3 ≥ replicas 3: an update replaces no pod (A8.3)' });
    expect(byId(checks, 'A8.3').applies).toBe(true);

    s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } };
    checks = planGuarantees(objs, p);
    expect(asserts(checks, 'A8.2')).toContain('with at most 2 unavailable at once');
    expect(byId(checks, 'A8.2')).toMatchObject({
      warning: 'an update takes 2 of 3 pods down at a time, leaving fewer than the quorum 2: the app stops accepting writes during it',
    });
  });

  it('several StatefulSets, or only those the profile names', () => {
    const objs = [...objectsOf('web'), ...objectsOf('kv-parallel')];
    const all = planGuarantees(objs);
    expect(all).toHaveLength(2 * GUARANTEES.length);
    expect(new Set(all.map((c) => c.statefulSet))).toEqual(new Set(['web', 'kv']));
    expect(byId(all, 'A2.1', 'web').applies).toBe(true);
    expect(byId(all, 'A2.1', 'kv').applies).toBe(false);
    const onlyKv = planGuarantees(objs, parseProfile('statefulSets: [kv]\n', 'stateful-e2e.yaml'));
    expect(new Set(onlyKv.map((c) => c.statefulSet))).toEqual(new Set(['kv']));
  });
});

describe('immutableChanges: the upgrade pre-check', () => {
  const web = (): V1StatefulSet => sts(objectsOf('web'));

  it('no change, and changes the API server ignores', () => {
    expect(immutableChanges(web(), web())).toEqual([]);
    const b = web();
    b.spec!.replicas = 5;
    b.spec!.template.spec!.containers[0]!.image = 'registry.k8s.io/nginx-slim:0.21';
    b.spec!.podManagementPolicy = 'OrderedReady';
    b.spec!.selector.matchExpressions = [];
    b.spec!.volumeClaimTemplates![0]!.spec!.resources!.requests!.storage = '1024Mi';
    expect(immutableChanges(web(), b)).toEqual([]);
  });

  it('the live object, with its defaults, against the manifest', () => {
    const live = web();
    const claim = live.spec!.volumeClaimTemplates![0]!;
    Object.assign(claim, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Pending' } });
    claim.spec!.volumeMode = 'Filesystem';
    expect(immutableChanges(live, web())).toEqual([]);
  });

  it('each immutable field, named', () => {
    const b = web();
    b.spec!.volumeClaimTemplates![0]!.spec!.resources!.requests!.storage = '2Gi';
    b.spec!.selector = { matchLabels: { app: 'web' } };
    b.spec!.serviceName = 'web';
    b.spec!.podManagementPolicy = 'Parallel';
    expect(immutableChanges(web(), b)).toEqual([
      { field: 'spec.selector', detail: 'app=nginx → app=web' },
      { field: 'spec.serviceName', detail: 'nginx → web' },
      { field: 'spec.volumeClaimTemplates', detail: 'claim www: spec.resources.requests.storage 1Gi → 2Gi' },
      { field: 'spec.podManagementPolicy', detail: 'OrderedReady → Parallel' },
    ]);
  });

  it('claim templates added, removed, or changed in access mode or class', () => {
    const b = web();
    b.spec!.volumeClaimTemplates!.push({ metadata: { name: 'logs' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    expect(immutableChanges(web(), b)).toEqual([{ field: 'spec.volumeClaimTemplates', detail: 'claim logs added' }]);
    expect(immutableChanges(b, web())).toEqual([{ field: 'spec.volumeClaimTemplates', detail: 'claim logs removed' }]);
    const c = web();
    c.spec!.volumeClaimTemplates![0]!.spec!.storageClassName = 'fast';
    expect(immutableChanges(web(), c)[0]!.detail).toBe('claim www: spec.storageClassName (none) → fast');
    const d = web();
    d.spec!.volumeClaimTemplates![0]!.spec!.accessModes = ['ReadWriteOncePod'];
    expect(immutableChanges(web(), d)[0]!.detail).toBe('claim www: spec.accessModes[0] ReadWriteOnce → ReadWriteOncePod');
  });

  it('checkUpgrade: one line naming the StatefulSet and the field, before anything is applied', () => {
    const old = objectsOf('web');
    const next = objectsOf('web');
    sts(next).spec!.volumeClaimTemplates![0]!.spec!.resources!.requests!.storage = '2Gi';
    let err: unknown;
    try {
      checkUpgrade(old, next);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as Error).message).toBe(
      'upgrade: StatefulSet web: spec.volumeClaimTemplates (claim www: spec.resources.requests.storage 1Gi → 2Gi): this field cannot change in place; nothing was applied (delete the StatefulSet with --cascade=orphan and re-create it, or keep the field)',
    );
    expect(() => checkUpgrade(old, objectsOf('web'))).not.toThrow();
    expect(() => checkUpgrade(old, objectsOf('kv-parallel'))).not.toThrow();
    sts(next).spec!.serviceName = 'web';
    expect(() => checkUpgrade(old, next)).toThrow(/spec\.serviceName \(nginx → web\), spec\.volumeClaimTemplates .*: these fields cannot change/);
  });
});
