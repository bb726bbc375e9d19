/**
 * E4 — the blog's nginx PetSet and the no-provisioner PVC (seeds/004 L81-160; catalogue §E4, assertions E4.1–E4.3)
 * on profile K2. The original apps/v1alpha1 PetSet is refused by today's API (E4.1); converted to an apps/v1
 * StatefulSet it must behave as S1's web does (E4.2, one assertion per S1 check it repeats: E4.2/1.2 … E4.2/1.9,
 * each with what it needs); and with a claim that names no storage class and no PVs, nothing binds, web-0 never
 * runs and web-1 is never created (E4.3, the seed's "No provisioner plugin found" tip).
 */
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { $ } from 'zx';
import { expect } from 'vitest';
import type { CoreV1Event, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { defineScenario, feature, type World } from '../src/scenario.ts';
import { holds, orderedCreate } from '../src/ordering.ts';
import { eventually } from '../src/eventually.ts';
import { nslookupAddress } from '../src/parsers/nslookup.ts';
import { describePods, podNames, runningReady, setPods, waitNoPods, waitRunningAndReady } from '../src/kube/statefulset.ts';

const SET = 'web';
const NAMES = podNames(SET, 0, 1);
const CLAIMS = NAMES.map((n) => `www-${n}`);
/** The seed as given. Not in `fixtures` below: the pre-flight dry run would refuse it before the run starts. */
const ORIGINAL = 'petset-original.yaml';
/** The catalogue's conversion (apps/v1 StatefulSet), which E4.2 and E4.3 use. */
const CONVERTED = 'petset.yaml';

const sh = $({ quiet: true, nothrow: true, timeout: '30s' });

const uidOf = (w: World, name: string): string | undefined => w.pod(name)?.metadata?.uid;
const uids = (w: World, names: readonly string[]): Record<string, string | undefined> => Object.fromEntries(names.map((n) => [n, uidOf(w, n)]));

interface SetLike {
  apiVersion?: string;
  kind?: string;
  spec?: {
    selector?: unknown;
    template?: {
      metadata?: { annotations?: Record<string, string> };
      spec?: { terminationGracePeriodSeconds?: number; containers?: { name?: string; image?: string }[] };
    };
    volumeClaimTemplates?: { metadata?: { name?: string; annotations?: Record<string, string> }; spec?: { storageClassName?: string } }[];
  };
}

/**
 * What the conversion changed, read from the two files (so a --fixtures copy reports its own changes): kind and
 * version, selector, alpha annotations, grace period, images, storage class of each claim template.
 */
export function conversions(seed: SetLike, conv: SetLike): string[] {
  const out: string[] = [];
  if (seed.apiVersion !== conv.apiVersion || seed.kind !== conv.kind)
    out.push(`${seed.apiVersion} ${seed.kind} -> ${conv.apiVersion} ${conv.kind} (${seed.kind} is no longer served, [E4.1])`);
  if (seed.spec?.selector === undefined && conv.spec?.selector !== undefined) out.push(`spec.selector added: ${JSON.stringify(conv.spec.selector)}`);
  const convAnn = conv.spec?.template?.metadata?.annotations ?? {};
  for (const [k, v] of Object.entries(seed.spec?.template?.metadata?.annotations ?? {}))
    if (!(k in convAnn)) out.push(`template annotation ${k}: "${v}" dropped (alpha)`);
  const g0 = seed.spec?.template?.spec?.terminationGracePeriodSeconds;
  const g1 = conv.spec?.template?.spec?.terminationGracePeriodSeconds;
  if (g0 !== g1) out.push(`terminationGracePeriodSeconds ${g0 ?? 'default'} -> ${g1 ?? 'default (30)'} (grace >= 1 s for StatefulSet pods)`);
  for (const c of seed.spec?.template?.spec?.containers ?? []) {
    const d = conv.spec?.template?.spec?.containers?.find((x) => x.name === c.name);
    if (d && d.image !== c.image) out.push(`container ${c.name}: image ${c.image} -> ${d.image} (catalogue §0.4)`);
  }
  for (const t of seed.spec?.volumeClaimTemplates ?? []) {
    const u = conv.spec?.volumeClaimTemplates?.find((x) => x.metadata?.name === t.metadata?.name);
    if (!u) continue;
    const convVctAnn = u.metadata?.annotations ?? {};
    for (const [k, v] of Object.entries(t.metadata?.annotations ?? {}))
      if (!(k in convVctAnn))
        out.push(
          `volumeClaimTemplates[${t.metadata?.name}]: annotation ${k}: ${v} dropped, storageClassName ${u.spec?.storageClassName === undefined ? 'unset (the cluster default class)' : JSON.stringify(u.spec.storageClassName)}`,
        );
  }
  return out;
}

/** The claim templates of the converted manifest with `storageClassName: ""` (catalogue E4.3). */
export function withoutStorageClass(objects: readonly KubernetesObject[]): KubernetesObject[] {
  return objects.map((o) => {
    if (o.kind !== 'StatefulSet') return o;
    const s = structuredClone(o) as KubernetesObject & SetLike;
    for (const t of s.spec?.volumeClaimTemplates ?? []) t.spec = { ...t.spec, storageClassName: '' };
    return s;
  });
}

/** A request to the API server outside the typed clients (discovery documents, a kind that is no longer served). */
async function apiRequest(w: World, method: 'GET' | 'POST', apiPath: string, body?: unknown): Promise<{ status: number; text: string }> {
  const server = w.kube.kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(apiPath, server);
  const opts: https.RequestOptions = { method, headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) } };
  await w.kube.kc.applyToHTTPSOptions(opts);
  const request: typeof https.request = url.protocol === 'http:' ? (http.request as typeof https.request) : https.request;
  return new Promise((resolve, reject) => {
    const req = request(url, opts, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${apiPath}: no answer within 15s`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function eventsAbout(w: World, uid: string): Promise<CoreV1Event[]> {
  return (await w.kube.core.listNamespacedEvent({ namespace: w.ns, fieldSelector: `involvedObject.uid=${uid}` })).items;
}

/** The helper pod of dns-test.yaml, created once and Running (each check that needs it creates it itself). */
async function helperPod(w: World, name: 'dns-test' | 'dnsutils'): Promise<void> {
  if (!w.pod(name)) await w.apply(w.fixture('dns-test.yaml').filter((o) => o.metadata?.name === name));
  await w.pods.until(
    () => runningReady(w.pod(name)),
    w.timeoutMs(120),
    `${name} to be Running`,
    () => `${name}=${w.pod(name)?.status?.phase ?? 'absent'}`,
  );
}

// The checks of S1 (scenarios/statefulset-basics.e2e.ts) that E4.2 repeats on the converted set.
async function hostnameChecks(w: World): Promise<void> {
  for (const name of NAMES) {
    await eventually(`hostname of ${name}`, w.timeoutMs(30), async () => {
      expect((await w.exec(name, ['sh', '-c', 'hostname'])).stdout.trim()).toBe(name);
      expect((await w.exec(name, ['sh', '-c', 'hostname -f'])).stdout.trim()).toBe(`${name}.nginx.${w.ns}.svc.cluster.local`);
    });
  }
}

async function dnsChecks(w: World): Promise<void> {
  await helperPod(w, 'dns-test');
  for (const name of NAMES) {
    await eventually(`nslookup ${name}.nginx`, w.timeoutMs(60), async () => {
      const r = await w.exec('dns-test', ['nslookup', `${name}.nginx`]);
      expect(nslookupAddress(r.stdout, `${name}.nginx`), r.stdout).toBe(w.pod(name)?.status?.podIP);
    });
  }
}

async function curlChecks(w: World): Promise<void> {
  for (const name of NAMES) {
    await eventually(`curl on ${name}`, w.timeoutMs(60), async () => {
      expect((await w.exec(name, ['sh', '-c', 'curl -s http://localhost/'])).stdout.trim()).toBe(name);
    });
  }
}

/** `kubectl delete pod -l app=nginx`, then both pods back under new UIDs, Running and Ready. */
async function deleteAllPods(w: World, timeoutS: number): Promise<void> {
  const old = uids(w, NAMES);
  w.step('kubectl delete pod -l app=nginx');
  await w.kube.core.deleteCollectionNamespacedPod({ namespace: w.ns, labelSelector: 'app=nginx' });
  await w.pods.until(
    () => NAMES.every((n) => runningReady(w.pod(n)) && uidOf(w, n) !== old[n]),
    w.timeoutMs(timeoutS),
    'web-0 and web-1 to come back Ready',
    () => describePods(w, SET),
  );
}

export const scenario = defineScenario({
  name: 'petset-nginx',
  profile: 'K2',
  source: 'seeds/004 L81-160',
  summary: 'E4: the nginx PetSet — refused as apps/v1alpha1, S1 behaviour once converted, and the no-provisioner PVC',
  // petset-original.yaml is read by [E4.1] but not listed: listed fixtures are dry-run first, and the API refuses it.
  fixtures: ['petset.yaml', 'dns-test.yaml'],
});

const AFTER_CREATE = { after: ['E4.2/1.2'] } as const;

feature(scenario, (f) => {
  f.assess('E4.1', 'applying the original PetSet is refused: no matches for kind "PetSet" in version "apps/v1alpha1"', { timeout: 30 }, async (w) => {
    const original = w.fixture(ORIGINAL);
    const petset = original.find((o) => o.kind === 'PetSet');
    if (!petset?.apiVersion?.includes('/')) throw new Error(`${ORIGINAL} has no PetSet of a named API group`);
    const [group, version] = petset.apiVersion.split('/') as [string, string];
    const refusal = `no matches for kind "${petset.kind}" in version "${petset.apiVersion}"`;

    // 1. What the blog ran. kubectl maps the kind through discovery before it sends anything, and refuses it.
    const file = path.join(w.ctx.fixtureRoots[w.scenarioName] ?? w.ctx.fixturesDir, scenario.name, ORIGINAL);
    w.step(`kubectl apply -f ${ORIGINAL}`);
    const r = await sh`kubectl --kubeconfig ${w.ctx.kubeconfig} --namespace ${w.ns} apply -f ${file}`;
    w.timeline.add('note', 'kubectl', `exit ${r.exitCode}: ${`${r.stdout}${r.stderr}`.trim().slice(0, 600)}`);
    if (r.exitCode === 127) {
      // No kubectl on PATH: the harness's client resolves kinds through discovery the same way.
      w.timeline.add('note', 'kubectl', 'kubectl not found: the manifest is applied through the API client instead');
      await expect(w.apply(original)).rejects.toThrow(/PetSet\/web/);
    } else {
      if (r.exitCode === null) throw new Error(`kubectl apply did not finish within 30s: ${r.stderr.trim()}`);
      expect(r.exitCode, r.stderr).not.toBe(0);
      expect(r.stderr).toContain(refusal);
    }

    // 2. Discovery, which that message is made from: the group serves other versions, none of them the kind.
    const groupDoc = await apiRequest(w, 'GET', `/apis/${group}`);
    expect(groupDoc.status, groupDoc.text).toBe(200);
    const served = ((JSON.parse(groupDoc.text) as { versions?: { version?: string }[] }).versions ?? []).map((v) => v.version);
    w.timeline.add('note', 'discovery', `/apis/${group} serves ${served.join(', ')}`);
    expect(served.length).toBeGreaterThan(0);
    expect(served).not.toContain(version);
    for (const v of served) {
      const list = await apiRequest(w, 'GET', `/apis/${group}/${v}`);
      const kinds = ((JSON.parse(list.text) as { resources?: { kind?: string }[] }).resources ?? []).map((x) => x.kind);
      expect(kinds, `${group}/${v}`).not.toContain(petset.kind);
    }
    expect((await apiRequest(w, 'GET', `/apis/${group}/${version}`)).status).toBe(404);

    // 3. The API server itself, asked directly at the PetSet's old REST path.
    const post = await apiRequest(w, 'POST', `/apis/${group}/${version}/namespaces/${w.ns}/${petset.kind!.toLowerCase()}s`, {
      ...petset,
      metadata: { ...petset.metadata, namespace: w.ns },
    });
    w.timeline.add('note', 'api', `POST ${petset.apiVersion} ${petset.kind}: HTTP ${post.status} ${post.text.slice(0, 200)}`);
    expect(post.status, post.text).toBe(404);

    // 4. The refused manifest made no workload.
    expect([...w.statefulsets.current.keys()]).toEqual([]);
    expect(setPods(w, SET).map((p) => p.metadata?.name)).toEqual([]);
  });

  f.assess('E4.2/1.2', 'converted: web-1 is created only after web-0 is Running and Ready; readyReplicas 2', { timeout: 180 }, async (w) => {
    const objects = w.fixture(CONVERTED);
    let seed: SetLike | undefined;
    try {
      seed = w.fixture(ORIGINAL).find((o) => o.kind === 'PetSet') as SetLike | undefined;
    } catch {
      w.timeline.add('note', 'deviation', `${ORIGINAL} not found: the conversions of ${CONVERTED} are described in its comments only`);
    }
    const conv = objects.find((o) => o.kind === 'StatefulSet') as SetLike | undefined;
    if (!conv) throw new Error(`${CONVERTED} has no StatefulSet`);
    if (seed) for (const c of conversions(seed, conv)) w.deviation(`StatefulSet/${SET} (${CONVERTED})`, c);
    const mark = w.mark();
    await w.apply(objects);
    await waitRunningAndReady(w, SET, 2, 180);
    holds(orderedCreate(w.podEvents(), NAMES, mark));
    expect(w.statefulsets.current.get(SET)?.status?.readyReplicas).toBe(2);
  });

  f.assess(
    'E4.2/1.3',
    'converted: pods are exactly web-0, web-1 with owner, pod-name label, hostname and subdomain',
    { timeout: 10, ...AFTER_CREATE },
    async (w) => {
      const pods = setPods(w, SET);
      expect(pods.map((p) => p.metadata?.name)).toEqual(NAMES);
      for (const p of pods) {
        const name = p.metadata!.name!;
        expect(p.metadata?.ownerReferences?.map((o) => `${o.kind}/${o.name}`)).toEqual([`StatefulSet/${SET}`]);
        expect(p.metadata?.labels?.['statefulset.kubernetes.io/pod-name']).toBe(name);
        expect(p.spec?.hostname).toBe(name);
        expect(p.spec?.subdomain).toBe('nginx');
      }
    },
  );

  f.assess(
    'E4.2/1.4',
    'converted: hostname is web-i, hostname -f is web-i.nginx.<ns>.svc.cluster.local',
    { timeout: 30, needs: ['exec'], ...AFTER_CREATE },
    async (w) => {
      await hostnameChecks(w);
    },
  );

  f.assess(
    'E4.2/1.5',
    'converted: nslookup web-i.nginx from dns-test resolves to the pod IP',
    { timeout: 60, needs: ['exec', 'dns'], ...AFTER_CREATE },
    async (w) => {
      await dnsChecks(w);
    },
  );

  f.assess(
    'E4.2/1.6',
    'converted: SRV _web._tcp.nginx lists exactly one record per Ready pod',
    { timeout: 60, needs: ['exec', 'dns'], ...AFTER_CREATE },
    async (w) => {
      await helperPod(w, 'dnsutils');
      const domain = `nginx.${w.ns}.svc.cluster.local`;
      await eventually('SRV records', w.timeoutMs(60), async () => {
        const r = await w.exec('dnsutils', ['dig', '+short', 'SRV', `_web._tcp.${domain}`]);
        const targets = r.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => {
            const m = /^\d+ \d+ 80 (\S+)$/.exec(l.trim());
            if (!m) throw new Error(`unexpected SRV line: ${l}`);
            return m[1];
          });
        // Both pods must be Ready first, so that an empty answer cannot match an empty Ready set.
        const ready = setPods(w, SET)
          .filter(runningReady)
          .map((p) => `${p.metadata?.name}.${domain}.`);
        expect(ready.sort(), 'the Ready pods').toEqual(NAMES.map((n) => `${n}.${domain}.`).sort());
        expect(targets.sort()).toEqual(ready);
      });
    },
  );

  f.assess(
    'E4.2/1.7',
    'converted: deleted pods come back with the same names and new UIDs, in order, with working identity and DNS',
    { timeout: 180, needs: ['exec', 'dns'], ...AFTER_CREATE },
    async (w) => {
      await waitRunningAndReady(w, SET, 2, 60);
      const mark = w.mark();
      await deleteAllPods(w, 180);
      holds(orderedCreate(w.podEvents(), NAMES, mark));
      await hostnameChecks(w);
      await dnsChecks(w);
    },
  );

  f.assess(
    'E4.2/1.8',
    'converted: PVCs www-web-0/1 are Bound, 1Gi, ReadWriteOnce, labelled app=nginx, mounted as www',
    { timeout: 60, ...AFTER_CREATE },
    async (w) => {
      await w.pvcs.until(
        () => CLAIMS.every((n) => w.pvcs.current.get(n)?.status?.phase === 'Bound'),
        w.timeoutMs(60),
        'PVCs to be Bound',
        () => CLAIMS.map((n) => `${n}=${w.pvcs.current.get(n)?.status?.phase ?? 'absent'}`).join(', '),
      );
      for (const n of CLAIMS) {
        const c = w.pvcs.current.get(n)!;
        expect(c.status?.capacity?.storage).toBe('1Gi');
        expect(c.spec?.accessModes).toEqual(['ReadWriteOnce']);
        expect(c.metadata?.labels?.app).toBe('nginx');
      }
      for (const [i, name] of NAMES.entries()) {
        expect(w.pod(name)?.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName).toBe(CLAIMS[i]);
      }
    },
  );

  f.assess('E4.2/1.9', 'converted: data written to the PVC survives deleting every pod', { timeout: 180, needs: ['exec'], ...AFTER_CREATE }, async (w) => {
    await waitRunningAndReady(w, SET, 2, 60);
    for (const n of NAMES) expect((await w.exec(n, ['sh', '-c', 'echo "$(hostname)" > /usr/share/nginx/html/index.html'])).exitCode).toBe(0);
    await curlChecks(w);
    const bound = (): string[] => CLAIMS.map((c) => `${w.pvcs.current.get(c)?.metadata?.uid}/${w.pvcs.current.get(c)?.spec?.volumeName}`);
    const before = bound();
    await deleteAllPods(w, 180);
    await curlChecks(w);
    expect(bound()).toEqual(before);
  });

  f.assess(
    'E4.3',
    'no provisioner: with storageClassName "" and no PVs, www-web-0 and web-0 stay Pending and web-1 is never created',
    { timeout: 150 },
    async (w) => {
      // A fresh set: E4.2's bound claims www-web-0/1 would otherwise be reused.
      await w.delete('StatefulSet', 'apps/v1', SET);
      await waitNoPods(w, SET, 60);
      for (const c of CLAIMS) await w.delete('PersistentVolumeClaim', 'v1', c);
      await w.pvcs.until(
        () => CLAIMS.every((c) => !w.pvcs.current.has(c)),
        w.timeoutMs(60),
        'www-web-0/1 to be deleted',
        () => CLAIMS.filter((c) => w.pvcs.current.has(c)).join(', '),
      );
      w.step(`E4.3: ${CONVERTED} with volumeClaimTemplates[*].spec.storageClassName: "" and no PersistentVolumes (seed L132-160)`);
      await w.apply(withoutStorageClass(w.fixture(CONVERTED)));
      await w.pods.until(
        () => Boolean(w.pod('web-0')) && w.pvcs.current.has('www-web-0'),
        w.timeoutMs(30),
        'web-0 and www-web-0 to be created',
        () => describePods(w, SET),
      );
      const claimUid = w.pvcs.current.get('www-web-0')!.metadata!.uid!;
      const podUid = uidOf(w, 'web-0')!;
      await eventually('FailedBinding on www-web-0 and FailedScheduling on web-0', w.timeoutMs(30), async () => {
        const claimEvents = (await eventsAbout(w, claimUid)).map((e) => `${e.reason}: ${e.message ?? ''}`);
        expect(
          claimEvents.some((e) => /^FailedBinding: no persistent volumes available for this claim and no storage class is set/.test(e)),
          claimEvents.join('; '),
        ).toBe(true);
        const podEvents = (await eventsAbout(w, podUid)).map((e) => `${e.reason}: ${e.message ?? ''}`);
        expect(
          podEvents.some((e) => /^FailedScheduling: .*unbound immediate PersistentVolumeClaims/.test(e)),
          podEvents.join('; '),
        ).toBe(true);
      });
      // OrderedReady: web-1 waits for a web-0 that can never run.
      await w.pods.hold(w.window(60), (e) => {
        const n = e.object.metadata?.name;
        if (n === 'web-1') return 'web-1 was created although web-0 never became Ready';
        if (n === 'web-0' && (e.object as V1Pod).spec?.nodeName) return `web-0 was scheduled onto ${(e.object as V1Pod).spec?.nodeName} with an unbound claim`;
        return undefined;
      });
      expect(w.pvcs.current.get('www-web-0')?.status?.phase).toBe('Pending');
      expect(w.pod('web-0')?.status?.phase).toBe('Pending');
      expect(w.pod('web-1')).toBeUndefined();
    },
  );
});
