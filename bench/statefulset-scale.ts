/**
 * StatefulSet scale benchmark on the kwok provider (not a test):
 *
 *   node bench/statefulset-scale.ts [--replicas 1000] [--ready-delay-ms 50] [--pvc] [--probe-pods 50] [--workers N]
 *
 * One run measures: control-plane start, apply -> all Ready for an OrderedReady StatefulSet, the harness's watch
 * detection latency (coarse: vs kwok's lastTransitionTime; fine: vs a tight-loop GET bracket), harness memory,
 * wall time against the controller's critical path, and the cost of the orderedCreate predicate on the stream.
 * The cluster is always destroyed (finally, SIGINT/SIGTERM).
 */
import * as fsp from 'node:fs/promises';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { killKwokFromPidsFile, kwokProvider } from '../src/providers/kwok/index.ts';
import { PROFILES, type Cluster, type ClusterProfile } from '../src/providers/provider.ts';
import { connect, MERGE, type Kube } from '../src/kube/client.ts';
import { ChangeBus, ResourceWatch, isPodReady, podEvents, summarizePod } from '../src/kube/watch.ts';
import { Timeline } from '../src/timeline.ts';
import { orderedCreate, type PodEvent } from '../src/ordering.ts';
import { installSignalHandlers, onCleanup, runCleanup } from '../src/cleanup.ts';
import { fmtSummary, milestones, orderedCreateLinear, summarize, syntheticOrderedStream, type Summary } from './stats.ts';

const SET = 'web';
const NS = 'bench';
const PODS_PER_NODE = 110; // fakeNode() allocatable pods
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

// ---------- options ----------

const { values: opt } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1000' },
    'ready-delay-ms': { type: 'string', default: '50' },
    pvc: { type: 'boolean', default: false },
    'probe-pods': { type: 'string', default: '50' },
    workers: { type: 'string' },
    'timeout-s': { type: 'string', default: '900' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (opt.help) {
  process.stdout.write(
    'usage: node bench/statefulset-scale.ts [--replicas 1000] [--ready-delay-ms 50] [--pvc] [--probe-pods 50] [--workers N] [--timeout-s 900]\n',
  );
  process.exit(0);
}
function intOpt(name: string, raw: string | undefined, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`error: --${name} must be an integer >= ${min}, got '${raw}'\n`);
    process.exit(2);
  }
  return n;
}
const N = intOpt('replicas', opt.replicas, 2);
const DELAY = intOpt('ready-delay-ms', opt['ready-delay-ms'], 0);
const PROBE = intOpt('probe-pods', opt['probe-pods'], 0);
const WORKERS = opt.workers !== undefined ? intOpt('workers', opt.workers, 1) : Math.max(3, Math.ceil((N + PROBE) / 100));
const TIMEOUT_MS = intOpt('timeout-s', opt['timeout-s'], 1) * 1000;
if (WORKERS * PODS_PER_NODE < N + PROBE) {
  process.stderr.write(`error: ${WORKERS} workers hold ${WORKERS * PODS_PER_NODE} pods, fewer than ${N + PROBE}\n`);
  process.exit(2);
}
// The kwok provider reads these when it writes its Stage config, i.e. in create().
process.env.E2E_KWOK_READY_DELAY_MS = String(DELAY);
process.env.E2E_KWOK_DELETE_DELAY_MS ??= '0';

// ---------- small helpers ----------

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;
const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** utime+stime (ms) of each kwok child process, from /proc (CLK_TCK = 100 on Linux). */
async function componentCpuMs(workDir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    const rec = JSON.parse(await fsp.readFile(path.join(workDir, 'pids.json'), 'utf8')) as { children: { name: string; pid: number }[] };
    for (const c of rec.children) {
      const stat = await fsp.readFile(`/proc/${c.pid}/stat`, 'utf8').catch(() => '');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f.length > 13) out.set(c.name, (Number(f[11]) + Number(f[12])) * 10);
    }
  } catch {
    /* no pids.json: leave empty */
  }
  return out;
}

/** Busy and total CPU ms of the whole machine, from /proc/stat (to see load from other processes). */
async function machineCpuMs(): Promise<{ busy: number; total: number }> {
  const line = (await fsp.readFile('/proc/stat', 'utf8').catch(() => '')).split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number); // user nice system idle iowait irq softirq steal ...
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0) * 10;
  const idle = ((f[3] ?? 0) + (f[4] ?? 0)) * 10;
  return { busy: total - idle, total };
}

function statefulSet(replicas: number, pvc: boolean): V1StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: SET, namespace: NS },
    spec: {
      serviceName: SET,
      replicas,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: { app: SET } },
      template: {
        metadata: { labels: { app: SET } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: 'nginx',
              image: 'registry.k8s.io/nginx-slim:0.24',
              ports: [{ containerPort: 80, name: 'web' }],
              ...(pvc ? { volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] } : {}),
            },
          ],
        },
      },
      ...(pvc
        ? {
            volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }],
          }
        : {}),
    },
  };
}

/** Time `fn` (ms), repeating it until at least minMs have passed, so short calls are not timer noise. */
function timeIt<T>(fn: () => T, minMs = 200): { ms: number; result: T; runs: number } {
  let runs = 0;
  let result: T;
  const t0 = performance.now();
  do {
    result = fn();
    runs++;
  } while (performance.now() - t0 < minMs && runs < 1000);
  return { ms: (performance.now() - t0) / runs, result, runs };
}

// ---------- the fine-grained probes: watch receipt vs a watch-free time reference ----------

interface Bracket {
  /** receipt - (latest time the write can have happened) */
  readonly lower: Summary;
  /** receipt - (earliest time the write can have happened) */
  readonly upper: Summary;
  /** receipt - midpoint of the window */
  readonly mid: Summary;
  /** width of the window (upper - lower) */
  readonly width: Summary;
}

function bracket(samples: readonly { lo: number; hi: number; receipt: number }[]): Bracket {
  return {
    lower: summarize(samples.map((x) => x.receipt - x.hi)),
    upper: summarize(samples.map((x) => x.receipt - x.lo)),
    mid: summarize(samples.map((x) => x.receipt - (x.lo + x.hi) / 2)),
    width: summarize(samples.map((x) => x.hi - x.lo)),
  };
}

interface ProbeResult {
  /** kwok's Ready write, bracketed by a tight-loop GET */
  readonly get: Bracket;
  /** the harness's own annotation PATCH, bracketed by its request send / response receive */
  readonly patch: Bracket;
  readonly rtt: Summary;
  readonly wallMs: number;
}

/**
 * Scales from `from` to `to` replicas (after the timed ramp, so the probes do not perturb it, but with the
 * controller, scheduler and kwok still busy) and, for each new pod, brackets the time W of a write and
 * compares it with the harness watch's receipt of that write (performance.now() on both sides, one process):
 *
 * - GET: only one pod is ever pending under OrderedReady, so it is GET in a tight loop over one keep-alive
 *   connection. A GET (rv="", a quorum read) that does not show Ready read etcd after it was sent, so kwok's
 *   Ready write W came after that send; the first GET that shows Ready bounds W by its receive time.
 * - PATCH: then the harness patches an annotation on that pod; the write happened between the request's send
 *   and the response's receipt, and the watch event carrying the response's resourceVersion is the receipt.
 * Watch latency = receipt - W lies in [receipt - hi, receipt - lo] for the window (lo, hi] around W.
 */
async function probe(kube: Kube, pods: ResourceWatch<V1Pod>, tlOrigin: number, from: number, to: number): Promise<ProbeResult> {
  const kc = kube.kc;
  const server = kc.getCurrentCluster()?.server ?? '';
  const tls: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const call = (method: 'GET' | 'PATCH', name: string, body?: string): Promise<{ code: number; pod?: V1Pod }> =>
    new Promise((resolve, reject) => {
      const headers = body !== undefined ? { 'content-type': 'application/merge-patch+json' } : undefined;
      const req = https.request(`${server}/api/v1/namespaces/${NS}/pods/${name}`, { ...tls, agent, method, ...(headers ? { headers } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          resolve(code === 200 ? { code, pod: JSON.parse(Buffer.concat(chunks).toString('utf8')) as V1Pod } : { code });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });

  // First Ready receipt per pod and receipt per resourceVersion, kept incrementally from the watch's log.
  const readyAt = new Map<string, number>();
  const rvAt = new Map<string, number>();
  let scanned = pods.events.length;
  const scan = (): void => {
    for (; scanned < pods.events.length; scanned++) {
      const e = pods.events[scanned]!;
      const name = e.object.metadata?.name ?? '';
      const at = tlOrigin + e.t;
      rvAt.set(e.object.metadata?.resourceVersion ?? '', at);
      if (e.type !== 'DELETED' && isPodReady(e.object) && !readyAt.has(name)) readyAt.set(name, at);
    }
  };
  const t0 = performance.now();
  await kube.apps.patchNamespacedStatefulSet({ name: SET, namespace: NS, body: { spec: { replicas: to } } }, MERGE);
  const gets: { lo: number; hi: number; receipt: number }[] = [];
  const patches: { lo: number; hi: number; receipt: number }[] = [];
  const rtt: number[] = [];
  try {
    for (let i = from; i < to; i++) {
      const name = `${SET}-${i}`;
      let lastMissSend: number | undefined;
      let recv = 0;
      const deadline = performance.now() + 120_000;
      for (;;) {
        const s = performance.now();
        const r = await call('GET', name);
        recv = performance.now();
        rtt.push(recv - s);
        if (r.pod !== undefined && isPodReady(r.pod)) break;
        lastMissSend = s;
        if (recv > deadline) throw new Error(`probe: ${name} not Ready after 120 s`);
      }
      await pods.until(
        () => {
          scan();
          return readyAt.has(name);
        },
        60_000,
        `watch to deliver ${name} Ready`,
      );
      if (lastMissSend !== undefined) gets.push({ lo: lastMissSend, hi: recv, receipt: readyAt.get(name)! });
      if (process.env.BENCH_DEBUG)
        log(
          `probe ${name}: misses=${lastMissSend !== undefined} lo=${lastMissSend?.toFixed(1)} hi=${recv.toFixed(1)} receipt=${readyAt.get(name)!.toFixed(1)}`,
        );
      // else: no window, the first GET already saw Ready

      const ps = performance.now();
      const pr = await call('PATCH', name, JSON.stringify({ metadata: { annotations: { 'bench/probe': String(ps) } } }));
      const pe = performance.now();
      const rv = pr.pod?.metadata?.resourceVersion;
      if (rv === undefined) throw new Error(`probe: PATCH ${name} returned HTTP ${pr.code}`);
      await pods.until(
        () => {
          scan();
          return rvAt.has(rv);
        },
        60_000,
        `watch to deliver ${name} rv ${rv}`,
      );
      patches.push({ lo: ps, hi: pe, receipt: rvAt.get(rv)! });
    }
  } finally {
    agent.destroy();
  }
  return { get: bracket(gets), patch: bracket(patches), rtt: summarize(rtt), wallMs: performance.now() - t0 };
}

// ---------- main ----------

async function main(): Promise<number> {
  const tStart = performance.now();
  const provider = kwokProvider();
  await provider.preflight(log);
  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'se2e-bench-'));
  const name = `sb-${Math.random().toString(36).slice(2, 8)}`;
  const profile: ClusterProfile = { ...PROFILES.K3, workers: WORKERS };
  log(
    `chosen: replicas=${N} OrderedReady, ready-delay=${DELAY}ms, pvc=${opt.pvc}, probe=${PROBE} extra pods, ` +
      `profile=K3 shape with ${WORKERS} workers (${PODS_PER_NODE} pods/node), cpus=${os.availableParallelism()}`,
  );

  installSignalHandlers(log, async () => undefined);
  let cluster: Cluster | undefined;
  const unregister = onCleanup('kwok cluster', async () => {
    if (cluster !== undefined) return cluster.destroy();
    // interrupted inside create(): kill what it started so far (its watchdog would too, once we exit)
    await killKwokFromPidsFile(path.join(workDir, 'pids.json'));
    await fsp.rm(workDir, { recursive: true, force: true });
  });
  const rows: { order: number; k: string; v: string }[] = [];
  const row = (order: number, k: string, v: string): void => {
    rows.push({ order, k, v });
    log(`${k.trim()}: ${v}`);
  };
  const ratios: string[] = [];
  let pods: ResourceWatch<V1Pod> | undefined;
  let sts: ResourceWatch<V1StatefulSet> | undefined;
  try {
    // 1. control plane start
    const tc0 = performance.now();
    cluster = await provider.create({ name, profile, workDir, log: (l) => log(l) });
    const createMs = performance.now() - tc0;
    row(10, '1  control plane start (create())', sec(createMs));

    const kube = connect(cluster.kubeconfigPath);
    await kube.core.createNamespace({ body: { metadata: { name: NS } } });
    await kube.core.createNamespacedService({
      namespace: NS,
      body: { metadata: { name: SET }, spec: { clusterIP: 'None', selector: { app: SET }, ports: [{ port: 80, name: 'web' }] } },
    });

    const tl = new Timeline();
    const tlOrigin = performance.now() - tl.now(); // performance.now() of the timeline's t=0
    const bus = new ChangeBus();
    const heap0 = heapAfterGc();
    pods = new ResourceWatch<V1Pod>(
      kube,
      { path: `/api/v1/namespaces/${NS}/pods`, apiVersion: 'v1', kind: 'Pod', namespace: NS, labelSelector: `app=${SET}` },
      tl,
      summarizePod,
      bus,
    );
    sts = new ResourceWatch<V1StatefulSet>(
      kube,
      { path: `/apis/apps/v1/namespaces/${NS}/statefulsets`, apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: NS },
      tl,
      (s) => `replicas=${s.spec?.replicas} ready=${s.status?.readyReplicas ?? 0}`,
      bus,
    );
    await pods.start();
    await sts.start();
    const stsW = sts;

    // 2. apply -> all Ready
    const cpu0 = process.cpuUsage();
    const comp0 = await componentCpuMs(workDir);
    const mach0 = await machineCpuMs();
    const load0 = os.loadavg()[0] ?? 0;
    const tApply = tl.now();
    await kube.apps.createNamespacedStatefulSet({ namespace: NS, body: statefulSet(N, opt.pvc) });
    let lastLog = 0;
    await stsW.until(
      () => {
        const ready = stsW.current.get(SET)?.status?.readyReplicas ?? 0;
        if (ready >= lastLog + 100) {
          lastLog = ready - (ready % 100);
          log(`  ${ready}/${N} ready after ${sec(tl.now() - tApply)}`);
        }
        return ready === N;
      },
      TIMEOUT_MS,
      `${SET} readyReplicas == ${N}`,
      () => `readyReplicas=${stsW.current.get(SET)?.status?.readyReplicas ?? 0}`,
    );
    const wallMs = tl.now() - tApply;
    const cpu = process.cpuUsage(cpu0);
    const comp1 = await componentCpuMs(workDir);
    const mach1 = await machineCpuMs();
    const load1 = os.loadavg()[0] ?? 0;
    row(20, `2  apply -> readyReplicas==${N} (wall)`, `${sec(wallMs)} (${((N * 1000) / wallMs).toFixed(1)} pods/s)`);

    // 4. memory (before the analysis allocates)
    const heap1 = heapAfterGc();
    const rssAfterRamp = process.resourceUsage().maxRSS * 1024;
    const podEventCount = pods.events.length;
    const stsEventCount = sts.events.length;
    const tlEntries = tl.entries.length;

    // 3. coarse detection latency: watch receipt (wall clock) - kwok's Ready lastTransitionTime (1 s resolution)
    const names = Array.from({ length: N }, (_, i) => `${SET}-${i}`);
    const conv = timeIt(() => podEvents(pods!), 0);
    const events: PodEvent[] = conv.result;
    const ms = milestones(events, names);
    const wallOf = (t: number): number => performance.timeOrigin + tlOrigin + t;
    const coarse: number[] = [];
    for (const m of ms) {
      const ltt = m.readyEvent?.readyTransition;
      if (m.ready !== undefined && ltt !== undefined) coarse.push(wallOf(m.ready) - Date.parse(ltt));
    }
    const coarseS = summarize(coarse);
    row(30, '3a watch receipt - Ready lastTransitionTime', fmtSummary(coarseS));
    row(30.5, '   (LTT is truncated to 1 s: value = true + U[0,1s))', `so mean - 500 ≈ ${(coarseS.mean - 500).toFixed(1)} ms (unbiased mean estimate)`);

    // 5. critical path from the recorded events (harness receive times; detection latency cancels in differences)
    const gaps: number[] = []; // Ready(i-1) -> ADDED(i): the StatefulSet controller's own per-pod latency
    const sched: number[] = []; // ADDED(i) -> bound(i): scheduler
    const kwok: number[] = []; // bound(i) -> Ready(i): kwok, including the configured delay
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i]!;
      const prevReady = i === 0 ? tApply : ms[i - 1]!.ready;
      if (m.added !== undefined && prevReady !== undefined) gaps.push(m.added - prevReady);
      if (m.added !== undefined && m.bound !== undefined) sched.push(m.bound - m.added);
      if (m.bound !== undefined && m.ready !== undefined) kwok.push(m.ready - m.bound);
    }
    const g = summarize(gaps);
    const sc = summarize(sched);
    const kw = summarize(kwok);
    const lastReady = ms[ms.length - 1]?.ready ?? Number.NaN;
    const tail = tApply + wallMs - lastReady;
    const critical = N * DELAY + g.sum;
    row(50, '5a controller gap Ready(i-1)->ADDED(i)', fmtSummary(g));
    const tenth = Math.max(1, Math.floor(gaps.length / 10));
    row(
      50.5,
      '   gap mean, first vs last 10% of pods',
      `${summarize(gaps.slice(1, tenth + 1)).mean.toFixed(1)} vs ${summarize(gaps.slice(-tenth)).mean.toFixed(1)} ms`,
    );
    row(51, '5b scheduler ADDED(i)->bound(i)', fmtSummary(sc));
    row(52, `5c kwok bound(i)->Ready(i) (incl. ${DELAY} ms delay)`, fmtSummary(kw));
    row(53, '5d tail: last pod Ready -> sts readyReplicas', `${tail.toFixed(1)} ms`);
    row(54, '5e critical path N*delay + sum(gaps)', `${sec(critical)} (= ${N}*${DELAY} ms + ${sec(g.sum)})`);
    row(55, '5f (wall - critical path) / N', `${((wallMs - critical) / N).toFixed(2)} ms/pod (= scheduler + kwok beyond its delay + tail/N)`);
    const harnessCpu = (cpu.user + cpu.system) / 1000;
    row(
      56,
      '5g harness CPU during the ramp',
      `${sec(harnessCpu)} = ${(harnessCpu / N).toFixed(2)} ms/pod (${((100 * harnessCpu) / wallMs).toFixed(0)}% of one core)`,
    );
    const compCpu = [...comp1].map(([k, v]) => `${k} ${sec(v - (comp0.get(k) ?? 0))}`).join(', ');
    row(57, '5h control-plane CPU during the ramp', compCpu || 'n/a');
    const ours = harnessCpu + [...comp1].reduce((a, [k, v]) => a + v - (comp0.get(k) ?? 0), 0);
    const busy = mach1.busy - mach0.busy;
    row(
      58,
      '5i machine CPU during the ramp',
      `${sec(busy)} busy of ${sec(mach1.total - mach0.total)} (${os.availableParallelism()} cpus); other processes ${sec(Math.max(0, busy - ours))}; loadavg1 ${load0.toFixed(1)} -> ${load1.toFixed(1)}`,
    );

    row(
      40,
      '4  harness memory',
      `maxRSS ${mb(rssAfterRamp)} (after the ramp); watch heap ${mb(heap0)} -> ${mb(heap1)} = +${mb(heap1 - heap0)} for ${N} pods, ` +
        `${podEventCount} pod + ${stsEventCount} sts events, ${tlEntries} timeline entries (${((heap1 - heap0) / N / 1024).toFixed(1)} KB/pod)`,
    );

    // ordering predicate on the real stream: src/ordering.ts (indexed) vs the linear baseline in bench/stats.ts
    const orig = timeIt(() => orderedCreate(events, names));
    const fast = timeIt(() => orderedCreateLinear(events, names));
    const same = orig.result.ok === fast.result.ok && orig.result.reason === fast.result.reason;
    const verdict = orig.result.ok ? 'PASS' : `FAIL: ${orig.result.reason.slice(0, 200)}`;
    row(
      60,
      `6  orderedCreate on ${events.length} events`,
      `${verdict}; ${orig.ms.toFixed(2)} ms (src/ordering.ts, indexed), ${fast.ms.toFixed(2)} ms (linear baseline), same verdict: ${same}`,
    );
    row(61, '   podEvents() conversion', `${conv.ms.toFixed(2)} ms`);
    // growth on synthetic OrderedReady streams (3 events/pod): x4 per doubling means quadratic
    const growth: string[] = [];
    for (const n of [1000, 2000, 4000]) {
      const ev = syntheticOrderedStream(SET, n);
      const nm = Array.from({ length: n }, (_, i) => `${SET}-${i}`);
      const a = timeIt(() => orderedCreate(ev, nm));
      const b = timeIt(() => orderedCreateLinear(ev, nm));
      growth.push(`${n}: ${a.ms.toFixed(2)} vs ${b.ms.toFixed(1)} ms`);
    }
    row(62, '6b synthetic N-pod streams: src (indexed) vs linear', growth.join('; '));

    // 3b fine-grained latency: tight-loop GET bracket on PROBE more pods (after the timed ramp, so it does not perturb it)
    let pr: ProbeResult | undefined;
    if (PROBE > 0) {
      pr = await probe(kube, pods, tlOrigin, N, N + PROBE);
      const b = (x: Bracket): string =>
        `mid ${fmtSummary(x.mid, 'ms', 2)}; window [${x.lower.p50.toFixed(2)}, ${x.upper.p50.toFixed(2)}] p50, width p50 ${x.width.p50.toFixed(2)} ms`;
      row(31, `3b watch latency, kwok Ready write (GET bracket)`, b(pr.get));
      row(32, `3c watch latency, own PATCH (send/recv bracket)`, b(pr.patch));
      row(33, '   probe phase', `${PROBE} more pods in ${sec(pr.wallMs)}; GET rtt p50 ${pr.rtt.p50.toFixed(2)} / p99 ${pr.rtt.p99.toFixed(2)} ms`);
    }

    // The StatefulSet controller's writes: one pod create per pod plus every StatefulSet write (its watch
    // events). kube-controller-manager's clients default to --kube-api-qps=20 (burst 30).
    const writes = N + stsEventCount;
    row(
      59,
      '5j sts controller writes vs kcm default 20 qps',
      `${writes} writes (${(writes / N).toFixed(2)}/pod) need >= ${sec(((writes - 30) / 20) * 1000)} at 20 qps; wall ${sec(wallMs)}`,
    );

    ratios.push(`wall/critical-path = ${(wallMs / critical).toFixed(2)}`);
    ratios.push(`mean controller gap Ready(i-1)->ADDED(i) = ${g.mean.toFixed(2)} ms/pod`);
    ratios.push(
      `overhead beyond critical path = ${((wallMs - critical) / N).toFixed(2)} ms/pod (scheduler+kwok); ` +
        `harness overhead = ${(harnessCpu / N).toFixed(2)} ms CPU/pod, off the critical path`,
    );
    const ppm = (x: Summary): string => `${x.p50.toFixed(1)}/${x.p99.toFixed(1)}/${x.max.toFixed(1)} ms`;
    ratios.push(
      `detect latency p50/p99/max = ${pr ? `${ppm(pr.get.mid)} (GET bracket mid), ${ppm(pr.patch.mid)} (PATCH bracket mid)` : 'n/a (--probe-pods 0)'}; ` +
        `${coarseS.p50.toFixed(0)}/${coarseS.p99.toFixed(0)}/${coarseS.max.toFixed(0)} ms vs 1 s LTT`,
    );
    ratios.push(
      `predicate ms per 1000 events = ${((orig.ms * 1000) / events.length).toFixed(3)} (src/ordering.ts, indexed), ${((fast.ms * 1000) / events.length).toFixed(2)} (linear)`,
    );
    ratios.push(`watch heap per pod = ${((heap1 - heap0) / N / 1024).toFixed(1)} KB; maxRSS = ${mb(process.resourceUsage().maxRSS * 1024)}`);
  } finally {
    pods?.stop();
    sts?.stop();
    const td = performance.now();
    await runCleanup(log);
    unregister();
    rows.push({ order: 90, k: '   destroy()', v: sec(performance.now() - td) });
    rows.push({ order: 91, k: '   whole bench', v: sec(performance.now() - tStart) });
  }

  rows.sort((a, b) => a.order - b.order);
  const w = Math.max(...rows.map((r) => r.k.length));
  process.stdout.write(`\nStatefulSet scale bench: kwok, ${N} replicas OrderedReady, ready-delay ${DELAY} ms, pvc ${opt.pvc}, ${WORKERS} workers\n`);
  for (const r of rows) process.stdout.write(`${r.k.padEnd(w)}  ${r.v}\n`);
  process.stdout.write(`\n${ratios.join('\n')}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    await runCleanup(log);
    process.exit(1);
  },
);
