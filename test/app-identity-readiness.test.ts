/**
 * The verdicts of A1.3 (per-pod DNS), A4.2 (a Ready pod serves the datum), A5.3 (the PDB keeps the quorum) and A7.2
 * (preferred spread), on recorded answers: each passes on what the guarantee promises and fails, with the reason, on
 * what breaks it. examples/web-chart's preferred anti-affinity is what A7.2 is planned from.
 */
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { findHelm } from '../src/app/helm.ts';
import { prepareApp } from '../src/app/prepare.ts';
import { podDnsVerdict, preferredSpreadVerdict, quorumKeptVerdict, readyAddresses, readyServesVerdict, spreadOf } from '../src/app/verdicts.ts';
import { parseManifests } from '../src/manifests.ts';
import type { V1EndpointSlice, V1StatefulSet } from '@kubernetes/client-node';

describe('A1.3: a pod name resolves to exactly that pod', () => {
  const fqdn = 'web-0.nginx.ns.svc.cluster.local';
  it('one A record, the current IP: pass', () => {
    expect(podDnsVerdict('10.244.1.5\n', fqdn, '10.244.1.5')).toEqual({ ok: true, reason: `${fqdn} → 10.244.1.5` });
  });
  it('no record, a stale IP, two records, or no pod IP: fail', () => {
    expect(podDnsVerdict('', fqdn, '10.244.1.5').reason).toBe(`${fqdn} does not resolve (no A record); the pod's IP is 10.244.1.5`);
    expect(podDnsVerdict(';; connection timed out; no servers could be reached\n', fqdn, '10.244.1.5').ok).toBe(false);
    expect(podDnsVerdict('10.244.1.4\n', fqdn, '10.244.1.5').reason).toBe(`${fqdn} resolves to 10.244.1.4, not exactly the pod's current IP 10.244.1.5`);
    expect(podDnsVerdict('10.244.1.5\n10.244.2.7\n', fqdn, '10.244.1.5').ok).toBe(false);
    expect(podDnsVerdict('10.244.1.5\n', fqdn, undefined).ok).toBe(false);
  });
});

describe('A4.2: a pod that turns Ready serves the datum at once', () => {
  it('read within 5 s of Ready: pass, and the failed reads before it are said', () => {
    expect(readyServesVerdict('zk-2', 1000, [{ at: 1800, ok: true, detail: 'read' }], 5000)).toEqual({
      ok: true,
      reason: 'zk-2 served the datum 0.8 s after it turned Ready',
    });
    const v = readyServesVerdict(
      'zk-2',
      1000,
      [
        { at: 2000, ok: false, detail: 'ConnectionLoss' },
        { at: 3500, ok: true, detail: 'read' },
      ],
      5000,
    );
    expect(v).toEqual({ ok: true, reason: 'zk-2 served the datum 2.5 s after it turned Ready after 1 failed read(s) (ConnectionLoss)' });
  });
  it('a probe that says Ready before the pod serves: fail', () => {
    const reads = [
      { at: 2000, ok: false, detail: 'connection refused' },
      { at: 9000, ok: false, detail: 'connection refused' },
      { at: 21_000, ok: true, detail: 'read' },
    ];
    expect(readyServesVerdict('zk-2', 1000, reads, 5000).reason).toBe(
      'zk-2 turned Ready 20.0 s before the datum could be read through it after 2 failed read(s) (connection refused): its readiness probe says Ready before the pod serves the data',
    );
    expect(readyServesVerdict('zk-2', 1000, [{ at: 2000, ok: false, detail: "read 'old'" }], 5000).reason).toBe(
      "zk-2 turned Ready, and no read of the datum through it succeeded after 1 failed read(s) (read 'old')",
    );
    expect(readyServesVerdict('zk-2', 1000, [], 5000).ok).toBe(false);
  });
});

describe('A5.3: the PDB keeps the quorum', () => {
  it('desiredHealthy ≥ quorum: pass; below: fail', () => {
    expect(quorumKeptVerdict({ expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1, currentHealthy: 3 }, 'zk-pdb', 2)).toEqual({
      ok: true,
      reason: 'PDB zk-pdb reports desiredHealthy 2, disruptionsAllowed 1 of expectedPods 3: at least the quorum 2 stays up',
    });
    expect(quorumKeptVerdict({ expectedPods: 3, desiredHealthy: 1, disruptionsAllowed: 2, currentHealthy: 3 }, 'zk-pdb', 2).reason).toBe(
      'PDB zk-pdb reports desiredHealthy 1, disruptionsAllowed 2 of expectedPods 3: it lets a drain take the members down to 1, below the quorum 2',
    );
    expect(quorumKeptVerdict(undefined, 'zk-pdb', 2).ok).toBe(false);
  });
});

describe('A7.2: preferred spread, where there is room', () => {
  // examples/web-chart renders with helm (ci/build-helm.sh): without it, the spread terms come from the same term written out.
  const chart = (): ReturnType<typeof prepareApp> => prepareApp({ path: path.join(import.meta.dirname, '..', 'examples', 'web-chart'), values: [], set: [] });
  const [sts] = parseManifests(
    `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - {weight: 1, podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: nginx}}}}
      containers: [{name: nginx, image: nginx}]
`,
    'web.yaml',
  ) as [V1StatefulSet];
  const nodes = ['w1', 'w2'].map((n) => ({ name: n, labels: { 'kubernetes.io/hostname': n } }));
  const pod = (name: string, node: string): V1Pod => ({ metadata: { name, labels: { app: 'nginx' } }, spec: { nodeName: node, containers: [] } });
  it('a preferred anti-affinity on the pods is a preferred term, not a required one', () => {
    expect(spreadOf(sts, 'preferred').map((t) => t.text)).toEqual(['preferred pod anti-affinity on kubernetes.io/hostname']);
    expect(spreadOf(sts, 'required')).toEqual([]);
  });
  it.skipIf(!findHelm())('examples/web-chart (podAntiAffinityPreset soft), rendered by helm: A7.2 applies, A7.1 does not', () => {
    const c = chart();
    expect(spreadOf(c.statefulSets[0]!, 'preferred').map((t) => t.text)).toEqual(['preferred pod anti-affinity on kubernetes.io/hostname']);
    expect(c.assertions.find((x) => x.id === 'A7.2')?.skip).toBeUndefined();
    expect(c.assertions.find((x) => x.id === 'A7.1')?.skip).toMatch(/^not applicable: no required pod anti-affinity/);
  });
  it('one pod per node: pass; two on one node with a free one: fail; too few nodes: cannot be shown', () => {
    const terms = spreadOf(sts, 'preferred');
    expect(preferredSpreadVerdict([pod('web-0', 'w1'), pod('web-1', 'w2')], nodes, terms).ok).toBe(true);
    expect(preferredSpreadVerdict([pod('web-0', 'w1'), pod('web-1', 'w1')], nodes, terms).reason).toBe(
      'preferred pod anti-affinity on kubernetes.io/hostname: web-0 and web-1 share kubernetes.io/hostname=w1 although 2 domains were there to spread over',
    );
    expect(preferredSpreadVerdict([pod('web-0', 'w1'), pod('web-1', 'w1')], nodes.slice(0, 1), terms).reason).toMatch(/has 1 domain\(s\) .* cannot be shown$/);
  });
  it('a ScheduleAnyway topology spread counts as preferred, a DoNotSchedule one as required', () => {
    const [s] = parseManifests(
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kv}
spec:
  serviceName: kv
  selector: {matchLabels: {app: kv}}
  template:
    metadata: {labels: {app: kv}}
    spec:
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: kv}}}
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: kv}}}
      containers: [{name: kv, image: kv}]
`,
      'kv.yaml',
    ) as [V1StatefulSet];
    expect(spreadOf(s, 'preferred').map((t) => t.text)).toEqual(['topology spread (ScheduleAnyway, maxSkew 1) on zone']);
    expect(spreadOf(s, 'required').map((t) => t.text)).toEqual(['topology spread (DoNotSchedule, maxSkew 1) on kubernetes.io/hostname']);
  });
});

describe('readyAddresses: the pods a Service lists as ready', () => {
  it('only ready endpoints of that Service, members only', () => {
    const slice = (svc: string, eps: [string, boolean][]): V1EndpointSlice => ({
      addressType: 'IPv4',
      metadata: { labels: { 'kubernetes.io/service-name': svc } },
      endpoints: eps.map(([n, ready]) => ({ addresses: ['10.0.0.1'], conditions: { ready }, targetRef: { kind: 'Pod', name: n } })),
    });
    const slices = [
      slice('nginx', [
        ['web-0', true],
        ['web-1', false],
        ['other', true],
      ]),
      slice('other', [['web-1', true]]),
    ];
    expect(readyAddresses(slices, 'nginx', (p) => p.startsWith('web-'))).toEqual(['web-0']);
  });
});
