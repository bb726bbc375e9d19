/**
 * S2 — WordPress and MySQL with PersistentVolumes (seeds/002 L923-1215; catalogue §S2, assertions 2.1–2.10) on
 * profile K2. Applied with kustomize like the tutorial (`kubectl apply -k`), with a random password.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { $ } from 'zx';
import { expect } from 'vitest';
import type { KubernetesObject, V1Deployment, V1EndpointSlice, V1PersistentVolume, V1Pod } from '@kubernetes/client-node';
import { defineScenario, feature, type World } from '../src/scenario.ts';
import { applyOverlays, parseManifests } from '../src/manifests.ts';
import { eventually } from '../src/eventually.ts';
import { MERGE } from '../src/kube/client.ts';
import { portForward } from '../src/kube/port-forward.ts';
import { SERVICE_NAME_LABEL, singleReadyEndpoint } from '../src/kube/endpoints.ts';
import { runningReady } from '../src/kube/statefulset.ts';
import { deletedByKubectl, kubectl, kubectlFailure } from '../src/kube/kubectl.ts';
import { firstAdded, firstDeleted } from '../src/ordering.ts';

$.quiet = true;

const PASSWORD = randomBytes(12).toString('hex');

/**
 * Runs `fn` on a private copy of the fixture directory with the password filled in (the same password, so the same
 * generated Secret name, every time), removed afterwards.
 */
async function inKustomization<T>(w: World, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stateful-e2e-kustomize-'));
  try {
    cpSync(path.join(w.ctx.fixturesDir, 'wordpress-mysql'), dir, { recursive: true });
    const k = path.join(dir, 'kustomization.yaml');
    writeFileSync(k, readFileSync(k, 'utf8').replace('password=YOUR_PASSWORD', `password=${PASSWORD}`));
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `kubectl kustomize` of the fixture, with the run's overlays. */
function kustomize(w: World): Promise<KubernetesObject[]> {
  return inKustomization(w, async (dir) => {
    const r = await $`kubectl kustomize ${dir}`.nothrow();
    if (r.exitCode !== 0) throw new Error(`kubectl kustomize failed: ${r.stderr.trim().split('\n')[0]}`);
    const { objects, deviations } = applyOverlays(parseManifests(r.stdout, 'kustomize output'), {
      namespace: w.ns,
      imageMap: w.ctx.imageMap,
      pullPolicyOverlay: true,
    });
    for (const d of deviations) w.timeline.add('note', 'overlay', `${d.object}: ${d.change}`);
    return objects;
  });
}

const podsOf = (w: World, prefix: RegExp): V1Pod[] => [...w.pods.current.values()].filter((p) => prefix.test(p.metadata?.name ?? ''));
const MYSQL = /^wordpress-mysql-/;
const WORDPRESS = /^wordpress-(?!mysql-)/;

/**
 * HTTP through a port-forward, always with `Host: wordpress` (the Service name). WordPress stores the site URL
 * from the Host header at install time and redirects any other host:port back to it, and every port-forward
 * gets a new random local port.
 */
function httpGet(port: number, pathName: string, body?: string): Promise<{ status: number; location?: string; text: string }> {
  const headers: Record<string, string> = { host: 'wordpress', ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathName, method: body ? 'POST' : 'GET', headers, timeout: 15_000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}), text }));
    });
    // A port-forward to a pod whose port is not listening yet (the entrypoint still waits for MySQL) can leave
    // the local socket open without an answer: give up on it, so the caller's retry opens a fresh request.
    req.on('timeout', () => req.destroy(new Error(`no HTTP answer on ${pathName} within 15s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function mysqlSelect(w: World, sql: string): Promise<string> {
  const pod = podsOf(w, MYSQL)[0]?.metadata?.name;
  if (!pod) throw new Error('no MySQL pod');
  const r = await w.exec(pod, ['mysql', '-uwordpress', `-p${PASSWORD}`, '-N', '-e', sql, 'wordpress']);
  if (r.exitCode !== 0) throw new Error(`mysql exited ${r.exitCode}: ${r.stderr.trim().split('\n').pop()}`);
  return r.stdout.trim();
}

export const scenario = defineScenario({
  name: 'wordpress-mysql',
  profile: 'K2',
  source: 'seeds/002 L923-1215',
  summary: 'S2: WordPress + MySQL with kustomize — generated Secret, PVCs, setup page, data surviving pods, Recreate',
  fixtures: ['kustomization.yaml', 'mysql-deployment.yaml', 'wordpress-deployment.yaml'],
});

feature(scenario, (f) => {
  let objects: KubernetesObject[] = [];

  f.setup('kubectl apply -k ./ (kustomization with a generated Secret)', async (w) => {
    objects = await kustomize(w);
    await w.apply(objects);
  });

  f.assess('2.1', 'the Secret mysql-pass-<hash> exists (Opaque, one key) and both Deployments reference it', { timeout: 30 }, async (w) => {
    const secret = objects.find((o) => o.kind === 'Secret')!;
    const name = secret.metadata!.name!;
    expect(name).toMatch(/^mysql-pass-[a-z0-9]{10}$/);
    const s = await w.kube.core.readNamespacedSecret({ name, namespace: w.ns });
    expect(s.type).toBe('Opaque');
    expect(Object.keys(s.data ?? {})).toEqual(['password']);
    for (const d of ['wordpress', 'wordpress-mysql']) {
      const dep = await w.kube.apps.readNamespacedDeployment({ name: d, namespace: w.ns });
      const refs = (dep.spec?.template.spec?.containers[0]?.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name).filter(Boolean);
      expect(refs.length, d).toBeGreaterThan(0);
      expect(new Set(refs)).toEqual(new Set([name]));
    }
  });

  f.assess('2.2', 'mysql-pv-claim and wp-pv-claim are Bound, 20Gi, ReadWriteOnce, on the default StorageClass', { timeout: 120 }, async (w) => {
    const claims = ['mysql-pv-claim', 'wp-pv-claim'];
    await w.pvcs.until(() => claims.every((c) => w.pvcs.current.get(c)?.status?.phase === 'Bound'), w.timeoutMs(120), 'both PVCs Bound');
    const classes = await w.kube.storage.listStorageClass();
    const def = classes.items.find((c) => c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')?.metadata?.name;
    for (const c of claims) {
      const pvc = w.pvcs.current.get(c)!;
      expect(pvc.status?.capacity?.storage).toBe('20Gi');
      expect(pvc.spec?.accessModes).toEqual(['ReadWriteOnce']);
      expect(pvc.spec?.storageClassName).toBe(def);
    }
  });

  f.assess('2.3', 'one wordpress-mysql pod and one wordpress pod are Running', { timeout: 180 }, async (w) => {
    await w.pods.until(
      () =>
        podsOf(w, MYSQL).filter((p) => p.status?.phase === 'Running').length === 1 &&
        podsOf(w, WORDPRESS).filter((p) => p.status?.phase === 'Running').length === 1,
      w.timeoutMs(180),
      'one Running pod of each Deployment',
      () => [...w.pods.current.values()].map((p) => `${p.metadata?.name}=${p.status?.phase}`).join(', '),
    );
  });

  f.assess('2.4', 'the wordpress user can query the wordpress database (created from the env)', { timeout: 300, needs: ['exec'] }, async (w) => {
    await eventually('SELECT 1 as wordpress', w.timeoutMs(300), async () => {
      expect(await mysqlSelect(w, 'SELECT 1')).toBe('1');
    });
  });

  f.assess(
    '2.5',
    'svc/wordpress is a LoadBalancer on port 80 with a nodePort in 30000-32767, selecting exactly the WordPress pod',
    { timeout: 30, after: ['2.3'] },
    async (w) => {
      const svc = await w.kube.core.readNamespacedService({ name: 'wordpress', namespace: w.ns });
      // The Service must reach WordPress and only WordPress: its selector picks exactly the WordPress pods (not MySQL).
      const selector = svc.spec?.selector ?? {};
      if (Object.keys(selector).length === 0) throw new Error('svc/wordpress has no selector');
      const selected = [...w.pods.current.values()]
        .filter((p) => Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v))
        .map((p) => p.metadata!.name!)
        .sort();
      const wordpress = podsOf(w, WORDPRESS)
        .map((p) => p.metadata!.name!)
        .sort();
      expect(wordpress.length, 'WordPress pods').toBeGreaterThan(0);
      expect(selected, `pods svc/wordpress selects with ${JSON.stringify(selector)}`).toEqual(wordpress);
      expect(svc.spec?.type).toBe('LoadBalancer');
      expect(svc.spec?.ports?.[0]?.port).toBe(80);
      const np = svc.spec?.ports?.[0]?.nodePort ?? 0;
      expect(np).toBeGreaterThanOrEqual(30000);
      expect(np).toBeLessThanOrEqual(32767);
    },
  );

  f.assess('2.6', 'the setup page: / redirects to /wp-admin/install.php, which answers 200 with WordPress', { timeout: 300, needs: ['network'] }, async (w) => {
    // Through the Service: the one pod and port that svc/wordpress's EndpointSlices route to. One budget for both.
    const deadline = Date.now() + w.timeoutMs(300);
    const slices = await w.watch<V1EndpointSlice>(
      {
        path: `/apis/discovery.k8s.io/v1/namespaces/${w.ns}/endpointslices`,
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        namespace: w.ns,
        labelSelector: `${SERVICE_NAME_LABEL}=wordpress`,
      },
      (s) => (s.endpoints ?? []).map((e) => `${e.targetRef?.name}:${e.conditions?.ready === false ? 'notready' : 'ready'}`).join(' '),
    );
    const pick = () => singleReadyEndpoint([...slices.current.values()], 'wordpress');
    await slices.until(
      () => pick().ok,
      w.timeoutMs(300),
      'exactly one ready pod in the EndpointSlices of svc/wordpress',
      () => {
        const p = pick();
        return p.ok ? `${p.pod}:${p.port}` : p.reason;
      },
    );
    const target = pick();
    if (!target.ok) throw new Error(target.reason);
    if (!WORDPRESS.test(target.pod)) throw new Error(`svc/wordpress routes to ${target.pod}, not to a WordPress pod`);
    const fwd = await portForward(w.kube, w.ns, target.pod, target.port);
    try {
      await eventually('WordPress install redirect', Math.max(0, deadline - Date.now()), async () => {
        const root = await httpGet(fwd.localPort, '/');
        expect(root.status).toBe(302);
        expect(root.location).toMatch(/\/wp-admin\/install\.php$/);
        const page = await httpGet(fwd.localPort, '/wp-admin/install.php');
        expect(page.status).toBe(200);
        expect(page.text).toContain('WordPress');
      });
    } finally {
      await fwd.close();
    }
  });

  f.assess(
    '2.7',
    'from the WordPress pod, wordpress-mysql resolves to the MySQL pod IP (headless Service)',
    { timeout: 60, needs: ['exec', 'dns'] },
    async (w) => {
      const wp = podsOf(w, WORDPRESS)[0]!.metadata!.name!;
      await eventually('getent hosts wordpress-mysql', w.timeoutMs(60), async () => {
        const r = await w.exec(wp, ['getent', 'hosts', 'wordpress-mysql']);
        expect(r.stdout.trim().split(/\s+/)[0]).toBe(podsOf(w, MYSQL)[0]?.status?.podIP);
      });
    },
  );

  f.assess('2.8', 'an installed site and a marker file survive deleting both pods', { timeout: 300, needs: ['exec', 'network'] }, async (w) => {
    const title = `e2e-${PASSWORD.slice(0, 6)}`;
    let pod = podsOf(w, WORDPRESS)[0]!.metadata!.name!;
    let fwd = await portForward(w.kube, w.ns, pod, 80);
    try {
      const form = new URLSearchParams({
        weblog_title: title,
        user_name: 'e2e',
        admin_password: PASSWORD,
        admin_password2: PASSWORD,
        admin_email: 'e2e@example.invalid',
        pw_weak: '1',
        Submit: 'Install WordPress',
      });
      const r = await httpGet(fwd.localPort, '/wp-admin/install.php?step=2', form.toString());
      expect(r.status).toBe(200);
    } finally {
      await fwd.close();
    }
    expect((await w.exec(pod, ['sh', '-c', 'echo marker > /var/www/html/k8s-e2e.txt'])).exitCode).toBe(0);
    const old = new Set([...w.pods.current.values()].map((p) => p.metadata?.uid));
    w.step('delete both pods');
    await w.kube.core.deleteCollectionNamespacedPod({ namespace: w.ns, labelSelector: 'app=wordpress' });
    await w.pods.until(
      () => [MYSQL, WORDPRESS].every((re) => podsOf(w, re).some((p) => !old.has(p.metadata?.uid) && runningReady(p))),
      w.timeoutMs(300),
      'both pods recreated and Ready',
    );
    pod = podsOf(w, WORDPRESS).find((p) => !old.has(p.metadata?.uid))!.metadata!.name!;
    fwd = await portForward(w.kube, w.ns, pod, 80);
    try {
      await eventually('the installed site', w.timeoutMs(300), async () => {
        const home = await httpGet(fwd.localPort, '/');
        expect(home.status).toBe(200);
        expect(home.text).toContain(title);
      });
    } finally {
      await fwd.close();
    }
    expect((await w.exec(pod, ['cat', '/var/www/html/k8s-e2e.txt'])).stdout.trim()).toBe('marker');
    expect(Number(await mysqlSelect(w, 'SELECT COUNT(*) FROM wordpress.wp_users'))).toBeGreaterThanOrEqual(1);
  });

  f.assess('2.9', 'Recreate: after a template change the new MySQL pod is created only after the old one is DELETED', { timeout: 240 }, async (w) => {
    // Also when run alone (--grep): the rollout starts from a Running MySQL pod.
    await w.pods.until(() => podsOf(w, MYSQL).some((p) => p.status?.phase === 'Running'), w.timeoutMs(180), 'a Running MySQL pod');
    const old = podsOf(w, MYSQL)[0]!;
    const mark = w.mark();
    w.step('patch deploy/wordpress-mysql template annotation (a rollout)');
    await w.kube.apps.patchNamespacedDeployment(
      {
        name: 'wordpress-mysql',
        namespace: w.ns,
        body: { spec: { template: { metadata: { annotations: { 'stateful-e2e/restartedAt': new Date().toISOString() } } } } },
      },
      MERGE,
    );
    await w.pods.until(
      () => podsOf(w, MYSQL).some((p) => p.metadata?.uid !== old.metadata?.uid && p.status?.phase === 'Running'),
      w.timeoutMs(240),
      'the new MySQL pod Running',
    );
    const gone = firstDeleted(w.podEvents(), old.metadata!.name!, mark);
    const fresh = podsOf(w, MYSQL).find((p) => p.metadata?.uid !== old.metadata?.uid)!;
    const added = firstAdded(w.podEvents(), fresh.metadata!.name!, mark);
    expect(gone, `the new pod ${fresh.metadata!.name} is Running and the old ${old.metadata!.name} is not DELETED yet: not a Recreate rollout`).toBeDefined();
    expect(added, 'new pod ADDED').toBeDefined();
    expect(added!.seq, `new pod ADDED #${added!.seq} before old pod DELETED #${gone!.seq}`).toBeGreaterThan(gone!.seq);
    const dep = (await w.kube.apps.readNamespacedDeployment({ name: 'wordpress-mysql', namespace: w.ns })) as V1Deployment;
    expect(dep.spec?.strategy?.type).toBe('Recreate');
  });

  f.assess('2.10', 'kubectl delete -k removes Secret, Deployments, Services and PVCs, and the PVs go with them', { timeout: 120 }, async (w) => {
    const volumes = ['mysql-pv-claim', 'wp-pv-claim'].map((c) => w.pvcs.current.get(c)?.spec?.volumeName).filter((v): v is string => Boolean(v));
    const pvs = await w.watch<V1PersistentVolume>(
      { path: '/api/v1/persistentvolumes', apiVersion: 'v1', kind: 'PersistentVolume' },
      (p) => p.status?.phase ?? '',
    );
    // The tutorial's own command; its output must name every object of the kustomization.
    const r = await inKustomization(w, (dir) => {
      w.step('kubectl delete -k ./');
      return kubectl(w, ['delete', '-k', dir]);
    });
    expect(r.exitCode, kubectlFailure(['delete', '-k', './'], r)).toBe(0);
    expect(deletedByKubectl(r.stdout).sort()).toEqual(objects.map((o) => `${o.kind!.toLowerCase()}/${o.metadata!.name}`).sort());
    await w.pods.until(() => w.pods.current.size === 0, w.timeoutMs(120), 'every pod gone');
    await w.pvcs.until(() => w.pvcs.current.size === 0, w.timeoutMs(120), 'every PVC gone');
    await pvs.until(
      () => volumes.every((v) => !pvs.current.has(v)),
      w.timeoutMs(120),
      'the PVs gone',
      () => volumes.filter((v) => pvs.current.has(v)).join(', '),
    );
    expect((await w.kube.core.listNamespacedSecret({ namespace: w.ns })).items.filter((s) => s.metadata?.name?.startsWith('mysql-pass'))).toEqual([]);
    expect((await w.kube.apps.listNamespacedDeployment({ namespace: w.ns })).items).toEqual([]);
    expect((await w.kube.core.listNamespacedService({ namespace: w.ns })).items).toEqual([]);
  });
});
