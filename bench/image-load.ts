/**
 * Image delivery to kind nodes, both ways on one cluster (not a test):
 *
 *   node bench/image-load.ts [--set s1|all] [--rounds 2] [--workers 2] [--verify] [--keep]
 *
 * Creates one kind cluster `regtest-<hex>` (1 control plane + --workers) through the kind provider, then per round
 * and method, with the images removed from the workers before each (crictl rmi, containerd GC):
 *   - kind-load: the provider's own loadImages() (`kind load docker-image --nodes <workers>`, which imports and
 *     unpacks into each worker's containerd);
 *   - registry: kind/registry.ts's serve() (start the registry container, push, hosts.toml on every node), then
 *     `crictl pull` of every image on every worker in parallel, so that both end with the same state: every image
 *     unpacked in every worker. The registry is removed after each round (its start is part of the cost).
 * Prints each time, the medians and the ratio. --verify then checks a real pod: the image removed from the
 * workers, a pod with imagePullPolicy Always pulls it through the mirror (registry log shows the manifest GET), and
 * an image the registry lacks fails on the refusing 127.0.0.1:1. The cluster and the registry are always removed
 * (finally, SIGINT/SIGTERM; both journaled).
 * Sets: s1 = what statefulset-basics loads (fixture images + nginx-slim:0.21); all = every workload image present.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { $ } from 'zx';
import { kindProvider } from '../src/providers/kind/index.ts';
import { localRegistry } from '../src/providers/kind/registry.ts';
import { PROFILES, type Cluster } from '../src/providers/provider.ts';
import { Journal, type JournalEntry } from '../src/journal.ts';
import { installSignalHandlers, onCleanup, runCleanup } from '../src/cleanup.ts';
import { discoverScenarios } from '../src/discovery.ts';
import { fixtureImages, loadFixtures } from '../src/validate.ts';

$.verbose = false;
$.quiet = true;
const root = path.resolve(import.meta.dirname, '..');
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
const { values: opt } = parseArgs({
  options: {
    set: { type: 'string', default: 's1' },
    rounds: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    verify: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
  strict: true,
});
const rounds = Number(opt.rounds);
const workers = Number(opt.workers);
if (!['s1', 'all'].includes(opt.set!) || !Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(workers) || workers < 1 || workers > 4) {
  process.stderr.write('usage: node bench/image-load.ts [--set s1|all] [--rounds N>=1] [--workers 1..4] [--verify] [--keep]\n');
  process.exit(2);
}

const present = async (i: string): Promise<boolean> => (await $`docker image inspect ${i}`.nothrow()).exitCode === 0;
async function imageSet(): Promise<string[]> {
  const SCENARIOS = await discoverScenarios(path.join(root, 'scenarios'), []);
  const wanted =
    opt.set === 's1'
      ? [
          ...fixtureImages(
            loadFixtures(
              SCENARIOS.filter((s) => s.name === 'statefulset-basics'),
              {},
            ),
          ),
          'registry.k8s.io/nginx-slim:0.21',
        ]
      : [...fixtureImages(loadFixtures(SCENARIOS, {})), 'registry.k8s.io/nginx-slim:0.21'];
  const out: string[] = [];
  for (const i of [...new Set(wanted)])
    if (await present(i)) out.push(i);
    else log(`not present locally, left out: ${i}`);
  return out;
}
const sizeOf = async (images: readonly string[]): Promise<string> => {
  const ids = new Set<string>();
  let bytes = 0;
  for (const i of images) {
    const [id, size] = (await $`docker image inspect -f ${'{{.Id}} {{.Size}}'} ${i}`).stdout.trim().split(' ');
    if (id && !ids.has(id)) bytes += Number(size);
    if (id) ids.add(id);
  }
  return `${(bytes / 1e6).toFixed(0)} MB (image sizes, shared layers counted per image)`;
};

const runId = randomBytes(3).toString('hex');
const name = `regtest-${runId}`;
const workDir = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
const journal = new Journal(name);
const journaled: JournalEntry[] = [
  { type: 'kind-cluster', name },
  { type: 'workdir', path: workDir },
];
for (const e of journaled) journal.add(e);
let cluster: Cluster | undefined;
onCleanup(`cluster ${name}`, async () => {
  if (opt.keep && cluster) return log(`kept ${name}: export KUBECONFIG=${cluster.kubeconfigPath}`);
  if (cluster) await cluster.destroy();
  else {
    const { undo } = await import('../src/providers/index.ts');
    await undo({ type: 'kind-cluster', name });
  }
  rmSync(workDir, { recursive: true, force: true });
  for (const e of journaled) journal.done(e);
});
installSignalHandlers(log, async () => undefined);

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** containerd's names of an image (what crictl shows): docker.io/library/busybox:1.28 for busybox:1.28. */
const criName = (i: string): string =>
  i.includes('/') && /[.:]|^localhost\//.test(i.split('/')[0]!) ? i : `docker.io/${i.includes('/') ? i : `library/${i}`}`;

async function onWorkers(c: Cluster, f: (node: string) => Promise<void>): Promise<void> {
  await Promise.all(c.workerNodes.map(f));
}
const contentCount = async (n: string): Promise<string> => (await $`docker exec ${n} sh -c ${'ctr -n k8s.io content ls -q | wc -l'}`.nothrow()).stdout.trim();
async function removeFromWorkers(c: Cluster, images: readonly string[]): Promise<void> {
  await onWorkers(c, async (n) => {
    const before = await contentCount(n);
    await $`docker exec ${n} crictl rmi ${images.map(criName)}`.nothrow();
    // `kind load` also leaves digest references (ctr import --digests: import-<date>@sha256:...) that keep the
    // content; without removing them a later pull fetches manifests only.
    await $`docker exec ${n} sh -c ${'ctr -n k8s.io images ls -q | grep "^import-" | xargs -r ctr -n k8s.io images rm --sync >/dev/null'}`.nothrow();
    // containerd's GC drops the now unreferenced content and snapshots (it runs on image deletion, asynchronously)
    for (let i = 0; i < 20; i++) {
      const left = (await $`docker exec ${n} sh -c ${'ctr -n k8s.io content ls -q | wc -l'}`.nothrow()).stdout.trim();
      const again = (await $`docker exec ${n} sh -c ${'sleep 0.5; ctr -n k8s.io content ls -q | wc -l'}`.nothrow()).stdout.trim();
      if (left === again) break;
    }
    log(`${n}: images removed, containerd content blobs ${before} -> ${await contentCount(n)}`);
  });
}

/** What the registry served since `since`: blob GETs with status 200 and their bytes. */
async function servedBlobs(container: string, since: string): Promise<string> {
  const logs = await $`docker logs --since ${since} ${container}`.nothrow();
  let n = 0;
  let bytes = 0;
  for (const l of (logs.stdout + logs.stderr).split('\n')) {
    if (!/http.request.method=GET/.test(l) || !/\/blobs\//.test(l) || !/http.response.status=200/.test(l)) continue;
    n++;
    bytes += Number(/http.response.written=(\d+)/.exec(l)?.[1] ?? 0);
  }
  return `${n} blob GETs, ${(bytes / 1e6).toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const images = await imageSet();
  log(`image set ${opt.set}: ${images.join(', ')} — ${await sizeOf(images)}`);
  const provider = kindProvider(root, undefined, 'kind-load');
  await provider.preflight(log);
  cluster = await provider.create({
    name,
    profile: { ...PROFILES.K2, workers },
    workDir,
    log,
  });
  const c = cluster;
  const nodes = [`${name}-control-plane`, ...c.workerNodes];
  const times: Record<'kind-load' | 'registry', number[]> = { 'kind-load': [], registry: [] };
  const served: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    await removeFromWorkers(c, images);
    let t0 = performance.now();
    await c.loadImages(images);
    times['kind-load'].push(performance.now() - t0);
    log(`round ${r}: kind-load ${secs(times['kind-load'].at(-1)!)}`);

    await removeFromWorkers(c, images);
    const reg = localRegistry(name, log);
    try {
      const since = new Date().toISOString();
      t0 = performance.now();
      await reg.serve(images, nodes);
      served.push(performance.now() - t0);
      await onWorkers(c, async (n) => {
        for (const i of images) {
          const p = await $`docker exec ${n} crictl pull ${criName(i)}`.nothrow();
          if (p.exitCode !== 0) throw new Error(`crictl pull ${i} on ${n}: ${p.stderr.trim()}`);
        }
      });
      times.registry.push(performance.now() - t0);
      log(
        `round ${r}: registry ${secs(times.registry.at(-1)!)} (serve ${secs(served.at(-1)!)} + pulls on ${c.workerNodes.length} workers; registry served ${await servedBlobs(reg.name, since)})`,
      );
      if (opt.verify && r === rounds) await verify(c, images);
    } finally {
      await reg.remove();
    }
  }
  const k = median(times['kind-load']);
  const g = median(times.registry);
  const line = (m: string, xs: number[]): string => `${m.padEnd(9)} ${xs.map(secs).join(' ')}  median ${secs(median(xs))}`;
  process.stdout.write(
    [
      `cluster: 1 control plane + ${c.workerNodes.length} workers; images (${opt.set}): ${images.length} — ${await sizeOf(images)}`,
      line('kind-load', times['kind-load']),
      `${line('registry', times.registry)}  (of which start+push+hosts.toml: median ${secs(median(served))})`,
      `ratio registry / kind-load = ${(g / k).toFixed(2)}; faster: ${g < k ? 'registry' : 'kind-load'}`,
      '',
    ].join('\n'),
  );
}

/** A real pod pulls through the mirror; an image the registry does not hold is refused on the node. */
async function verify(c: Cluster, images: readonly string[]): Promise<void> {
  const kubectl = path.join(process.env.E2E_CACHE ?? '/var/cache/stateful-e2e', 'kubernetes-v1.34.4', 'kubectl');
  const k = (args: string[]) => $`${kubectl} --kubeconfig ${c.kubeconfigPath} ${args}`.nothrow();
  const image = images.find((i) => i.startsWith('registry.k8s.io/nginx-slim')) ?? images[0]!;
  const worker = c.workerNodes[0]!;
  await removeFromWorkers(c, [image]);
  const has = (await $`docker exec ${worker} crictl images -o json`.nothrow()).stdout.includes(`"${criName(image)}"`);
  log(`verify: ${image} on ${worker} after crictl rmi: ${has ? 'still there' : 'gone'}`);
  const pod = (podName: string, img: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName, namespace: 'default' },
    spec: {
      nodeName: worker,
      containers: [{ name: 'c', image: img, imagePullPolicy: 'Always', command: ['sleep', '3600'] }],
      terminationGracePeriodSeconds: 0,
    },
  });
  const file = path.join(workDir, 'verify.json');
  writeFileSync(
    file,
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('via-mirror', image), pod('not-in-registry', `${image.split(':')[0]}:0.0-missing`)] }),
  );
  const since = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 1000)); // docker logs --since has 1 s resolution
  log(`verify: apply ${(await k(['apply', '-f', file])).stdout.trim().replace(/\n/g, '; ')}`);
  const w = await k(['wait', '--for=condition=Ready', 'pod/via-mirror', '--timeout=120s']);
  log(`verify: via-mirror: ${w.stdout.trim() || w.stderr.trim()}`);
  for (let i = 0; i < 30; i++) {
    const s = await k(['get', 'pod', 'not-in-registry', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}']);
    if (/ErrImagePull|ImagePullBackOff/.test(s.stdout)) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const ev = await k([
    'get',
    'events',
    '--field-selector',
    'involvedObject.kind=Pod',
    '-o',
    'custom-columns=POD:.involvedObject.name,REASON:.reason,MSG:.message',
    '--sort-by=.lastTimestamp',
  ]);
  for (const l of ev.stdout.split('\n').filter((x) => /via-mirror|not-in-registry/.test(x) && /Pull|Fail/.test(x))) log(`verify: event ${l.trim()}`);
  const logs = await $`docker logs --since ${since} ${`${name}-registry`}`.nothrow();
  const gets = (logs.stdout + logs.stderr).split('\n').filter((l) => /http.request.method=(GET|HEAD)/.test(l) && /manifests/.test(l));
  for (const l of gets) {
    const uri = /http.request.uri="?([^" ]+)/.exec(l)?.[1];
    const st = /http.response.status=(\d+)/.exec(l)?.[1];
    const ra = /http.request.remoteaddr="?([^" ]+)/.exec(l)?.[1];
    log(`verify: registry served ${uri} -> ${st} to ${ra}`);
  }
  log(`verify: registry served ${await servedBlobs(`${name}-registry`, since)} for the pods`);
  await k(['delete', 'pod', 'via-mirror', 'not-in-registry', '--wait=false']);
}

try {
  await main();
} catch (err) {
  log(`failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await runCleanup(log);
}
