/**
 * kwok provider: a real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) run as
 * host processes on 127.0.0.1, with fake kind-shaped Nodes whose Pods kwok moves through their lifecycle.
 * API-level fidelity only: no containers, DNS, Service traffic, probes, exec or logs.
 *
 * Binaries come from the version-keyed cache built by ci/build-kube.sh and ci/build-kwok.sh. Everything a
 * cluster owns (certs, kubeconfig, etcd data, logs, pids.json) lives in opts.workDir; no child reads
 * ~/.kube/config (HOME and KUBECONFIG point into workDir, every component gets --kubeconfig).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as https from 'node:https';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { compareVersions } from '../../k8s-version.ts';
import { HarnessError, errorMessage } from '../../errors.ts';
import type { Undoer } from '../../journal.ts';
import { kindNodeNames, type Capability, type Cluster, type ClusterProvider, type CreateClusterOptions, type ProviderModule } from '../provider.ts';
import { buildOnFirstUse, buildScript, buildsAllowed } from '../first-use.ts';
import { settleWithin, until, within } from '../../wait.ts';
import { STAGE_SETS, buildStageConfig, envMs, fakeNode, kwokPaths, KWOK_NODE_ANNOTATION, type KwokPaths } from './stages.ts';

const execFileP = promisify(execFile);

const BUILD_HINT = 'run `bash ci/build-kube.sh && bash ci/build-kwok.sh`';
/** kube-controller-manager's in-tree hostPath provisioner hard-codes this directory (pkg/volume/hostpath). */
export const HOSTPATH_PV_DIR = '/tmp/hostpath_pv';
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 5_000;
const SERVICE_CIDR = '10.96.0.0/16';

type Component = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

interface Child {
  readonly name: Component;
  readonly bin: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly logPath: string;
  exitInfo: string | undefined;
  readonly exited: Promise<void>;
}

/** What pids.json holds: enough for a later cleanup (killKwokFromPidsFile) after the harness died. */
export interface KwokPidsFile {
  readonly cluster: string;
  readonly watchdogPid?: number;
  readonly children: { name: Component; pid: number; pgid: number; bin: string; log: string }[];
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    await fsp.access(p, fs.constants.X_OK);
    return (await fsp.stat(p)).isFile();
  } catch {
    return false;
  }
}

async function missingPrereqs(paths: KwokPaths): Promise<string[]> {
  const bins = [paths.kubeApiserver, paths.kubeControllerManager, paths.kubeScheduler, paths.etcd, paths.kwok];
  const missing: string[] = [];
  for (const b of bins) if (!(await isExecutable(b))) missing.push(b);
  for (const set of STAGE_SETS) {
    const dir = path.join(paths.stagesDir, set);
    const files = await fsp.readdir(dir).catch(() => [] as string[]);
    if (!files.some((f) => f.endsWith('.yaml'))) missing.push(`${dir}/*.yaml`);
  }
  return missing;
}

/**
 * Where to look for the control plane's ports: below the kernel's ephemeral range (ip_local_port_range), so that no
 * outgoing connection of another process (a port-forward, a kind run beside this one) can take a port between the
 * moment it is found free and the moment a component binds it. Undefined when there is no room below it.
 */
export function listenPortRange(ipLocalPortRange: string | undefined): { readonly min: number; readonly max: number } | undefined {
  const low = Number((ipLocalPortRange ?? '').trim().split(/\s+/)[0]);
  const min = 10_000;
  return Number.isInteger(low) && low - 1 - min >= 1000 ? { min, max: low - 1 } : undefined;
}

/**
 * Distinct free loopback ports: all listeners stay open until every port is known, so none repeats. Chosen at random
 * below the ephemeral range when there is one (see listenPortRange); else whatever the kernel gives.
 */
async function freePorts(n: number): Promise<number[]> {
  const range = listenPortRange(await fsp.readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => undefined));
  const servers: net.Server[] = [];
  const listen = (port: number): Promise<net.Server | undefined> =>
    new Promise((resolve, reject) => {
      const s = net.createServer();
      s.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' && port !== 0 ? resolve(undefined) : reject(err)));
      s.listen(port, '127.0.0.1', () => resolve(s));
    });
  try {
    const ports: number[] = [];
    for (let attempts = 0; ports.length < n; attempts++) {
      if (attempts > 20 * n) throw new Error(`could not find ${n} free ports`);
      const s = await listen(range ? range.min + Math.floor(Math.random() * (range.max - range.min + 1)) : 0);
      if (!s) continue;
      servers.push(s);
      const addr = s.address();
      if (addr === null || typeof addr === 'string') throw new Error('could not allocate a port');
      if (!ports.includes(addr.port)) ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

async function makeCerts(pki: string): Promise<void> {
  await fsp.mkdir(pki, { recursive: true });
  await fsp.writeFile(
    path.join(pki, 'admin.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
  );
  const run = (args: string[]) => execFileP('openssl', args, { cwd: pki });
  await run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', '/CN=kwok-ca']);
  await run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'admin.key', '-out', 'admin.csr', '-subj', '/CN=kwok-admin/O=system:masters']);
  await run([
    'x509',
    '-req',
    '-in',
    'admin.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '3650',
    '-out',
    'admin.crt',
    '-extfile',
    'admin.ext',
  ]);
}

function kubeconfigYaml(server: string, pki: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kwok',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority: ${path.join(pki, 'ca.crt')}`,
    'users:',
    '- name: kwok-admin',
    '  user:',
    `    client-certificate: ${path.join(pki, 'admin.crt')}`,
    `    client-key: ${path.join(pki, 'admin.key')}`,
    'contexts:',
    '- name: kwok',
    '  context:',
    '    cluster: kwok',
    '    user: kwok-admin',
    'current-context: kwok',
    '',
  ].join('\n');
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | undefined> => settleWithin(ms, p, undefined);

function httpStatus(url: string, tls?: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<number> {
  return new Promise((resolve) => {
    const opts = { timeout: 2000, agent: false as const, ...(tls ?? {}) };
    const req = (url.startsWith('https:') ? https : http).get(url, opts, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Where a cluster's pids.json is: in its work directory. */
/**
 * The last lines of a component's log, for the error of a failed start: the run's work directory (and the log in
 * it) is gone after teardown, so the evidence travels in the message (the runner also copies the logs into the
 * report directory).
 */
export function logTail(logPath: string, lines = 6): string {
  let text: string;
  try {
    const fd = fs.openSync(logPath, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(size, 4096));
      fs.readSync(fd, buf, 0, buf.length, size - buf.length);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return `; no log at ${logPath}`;
  }
  const last = text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0)
    .slice(-lines)
    .map((l) => `    ${l.slice(0, 300)}`);
  return last.length > 0 ? `; last lines of ${path.basename(logPath)}:\n${last.join('\n')}` : `; ${path.basename(logPath)} is empty`;
}

export const kwokPidsFile = (workDir: string): string => path.join(workDir, 'pids.json');

/** Journal entry of a kwok cluster: its processes, by the pids.json it keeps in its work directory. */
export type KwokClusterEntry = { readonly type: 'kwok-cluster'; readonly pidsFile: string };

export const kwokClusterUndoer: Undoer<KwokClusterEntry> = {
  type: 'kwok-cluster',
  async undo(entry) {
    if (fs.existsSync(entry.pidsFile)) await killKwokFromPidsFile(entry.pidsFile);
  },
};

/** Reads a pids.json and kills every process group it names that still runs the recorded binary. */
export async function killKwokFromPidsFile(pidsFile: string): Promise<number> {
  let rec: KwokPidsFile;
  try {
    rec = JSON.parse(await fsp.readFile(pidsFile, 'utf8')) as KwokPidsFile;
  } catch {
    return 0;
  }
  let killed = 0;
  for (const c of rec.children) {
    const cmd = await fsp.readFile(`/proc/${c.pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmd.startsWith(c.bin)) continue; // gone, or the pid was reused
    try {
      process.kill(-c.pgid, 'SIGKILL');
      killed++;
    } catch {
      /* already gone */
    }
  }
  return killed;
}

/**
 * A detached /bin/sh that reads process-group ids on stdin. If the harness dies (even by SIGKILL) the pipe
 * closes and it TERMs, then KILLs, those groups; on an orderly destroy it is told `done` and exits.
 */
const WATCHDOG_SCRIPT = `pgs=
while IFS= read -r l; do
  case "$l" in done) exit 0 ;; ''|*[!0-9]*) ;; *) pgs="$pgs $l" ;; esac
done
for p in $pgs; do kill -TERM -"$p" 2>/dev/null; done
sleep ${STOP_GRACE_MS / 1000}
for p in $pgs; do kill -KILL -"$p" 2>/dev/null; done`;

class KwokRun {
  readonly children: Child[] = [];
  readonly workDir: string;
  readonly logsDir: string;
  readonly pidsFile: string;
  readonly kubeconfigPath: string;
  readonly cluster: string;
  readonly childEnv: NodeJS.ProcessEnv;
  watchdog: ChildProcess | undefined;
  kc: k8s.KubeConfig | undefined;
  private destroying: Promise<void> | undefined;

  constructor(cluster: string, workDir: string) {
    this.cluster = cluster;
    this.workDir = workDir;
    this.logsDir = path.join(workDir, 'logs');
    this.pidsFile = kwokPidsFile(workDir);
    this.kubeconfigPath = path.join(workDir, 'kubeconfig');
    // A minimal environment: no ETCD_* or KUBECONFIG from the caller, HOME inside workDir so nothing can fall
    // back to the user's ~/.kube/config or ~/.kwok.
    this.childEnv = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: workDir,
      KUBECONFIG: this.kubeconfigPath,
      LANG: 'C',
    };
  }

  startWatchdog(): void {
    const wd = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    wd.on('error', () => undefined);
    wd.stdin?.on('error', () => undefined);
    wd.unref();
    (wd.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.watchdog = wd;
  }

  /** The watchdog exits without signalling anything: after destroy(), or when --keep keeps the cluster. */
  releaseWatchdog(): void {
    const wd = this.watchdog;
    if (wd?.stdin !== null && wd?.stdin !== undefined && !wd.stdin.destroyed) wd.stdin.end('done\n');
  }

  private writePids(): void {
    const rec: KwokPidsFile = {
      cluster: this.cluster,
      ...(this.watchdog?.pid !== undefined ? { watchdogPid: this.watchdog.pid } : {}),
      children: this.children.map((c) => ({ name: c.name, pid: c.pid, pgid: c.pid, bin: c.bin, log: c.logPath })),
    };
    fs.writeFileSync(this.pidsFile, `${JSON.stringify(rec, null, 2)}\n`);
  }

  start(name: Component, bin: string, args: string[]): Child {
    const logPath = path.join(this.logsDir, `${name}.log`);
    const fd = fs.openSync(logPath, 'a');
    let proc: ChildProcess;
    try {
      // detached: own process group (pgid == pid), so a Ctrl-C to the harness does not hit it and destroy()
      // or the watchdog can signal the whole group.
      proc = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], env: this.childEnv, cwd: this.workDir });
      proc.on('error', () => undefined); // a failed spawn leaves pid undefined, reported below
    } finally {
      fs.closeSync(fd);
    }
    if (proc.pid === undefined) throw new HarnessError(`kwok: could not start ${name} (${bin}); see ${logPath}`);
    const child: Child = {
      name,
      bin,
      proc,
      pid: proc.pid,
      logPath,
      exitInfo: undefined,
      exited: new Promise<void>((resolve) => {
        proc.once('exit', (code, signal) => {
          child.exitInfo = signal !== null ? `signal ${signal}` : `exit code ${code ?? '?'}`;
          resolve();
        });
      }),
    };
    proc.unref(); // the watchdog, not the event loop, ties their lifetime to the harness
    this.children.push(child);
    this.watchdog?.stdin?.write(`${proc.pid}\n`);
    this.writePids();
    return child;
  }

  /** Throws a one-line HarnessError if any child has exited (called while waiting for readiness). */
  checkAlive(): void {
    for (const c of this.children) {
      if (c.exitInfo !== undefined) throw new HarnessError(`kwok: ${c.name} exited (${c.exitInfo}) during startup${logTail(c.logPath)}`);
    }
  }

  async waitFor(what: string, logHint: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
    await until(
      async () => ((await probe()) ? undefined : 'not yet'),
      { timeoutMs, intervalMs: 100, maxIntervalMs: 500, abortIf: () => this.checkAlive() },
      () => new HarnessError(`kwok: timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${logTail(logHint)}`),
    );
  }

  /** hostPath PV dirs this cluster's kube-controller-manager created, read from the API while it is up. */
  async hostpathDirs(): Promise<string[]> {
    const api = this.children.find((c) => c.name === 'kube-apiserver');
    if (this.kc === undefined || api === undefined || api.exitInfo !== undefined) return [];
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    const list = await withTimeout(
      core.listPersistentVolume().catch(() => undefined),
      3000,
    );
    const dirs: string[] = [];
    for (const pv of list?.items ?? []) {
      const p = pv.spec?.hostPath?.path;
      if (p !== undefined && path.dirname(p) === HOSTPATH_PV_DIR) dirs.push(p);
    }
    return dirs;
  }

  /** keepLogs (failed start only): remove everything in workDir except logs/. */
  destroy(opts: { keepLogs?: boolean } = {}): Promise<void> {
    this.destroying ??= this.doDestroy(opts.keepLogs === true);
    return this.destroying;
  }

  private async doDestroy(keepLogs: boolean): Promise<void> {
    const dirs = await this.hostpathDirs().catch(() => [] as string[]);
    const live = this.children.filter((c) => c.exitInfo === undefined);
    for (const c of live) {
      try {
        process.kill(-c.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    const allExited = Promise.all(live.map((c) => c.exited));
    if (
      (await withTimeout(
        allExited.then(() => true),
        STOP_GRACE_MS,
      )) === undefined
    ) {
      for (const c of live) {
        if (c.exitInfo !== undefined) continue;
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await withTimeout(allExited, STOP_GRACE_MS);
    }
    // Orderly stop done: release the watchdog without letting it signal anything.
    this.releaseWatchdog();
    if (keepLogs) {
      const entries = await fsp.readdir(this.workDir).catch(() => [] as string[]);
      for (const e of entries) {
        if (e !== 'logs') await fsp.rm(path.join(this.workDir, e), { recursive: true, force: true });
      }
    } else {
      await fsp.rm(this.workDir, { recursive: true, force: true });
    }
    for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
  }
}

const hasGo = async (): Promise<boolean> =>
  execFileP('go', ['version']).then(
    () => true,
    () => false,
  );

/** root: the harness's checkout, whose ci/ scripts build missing binaries on first use (none for an installed package). */
export function kwokProvider(root?: string): ClusterProvider {
  return {
    name: 'kwok',
    journalEntries: ({ workDir }): KwokClusterEntry[] => [{ type: 'kwok-cluster', pidsFile: kwokPidsFile(workDir) }],
    async fingerprint({ profile, k8sVersion }) {
      const paths = kwokPaths(process.env, k8sVersion);
      const bins = [paths.kubeApiserver, paths.kubeControllerManager, paths.kubeScheduler, paths.etcd, paths.kwok];
      const ids = await Promise.all(bins.map(async (b) => fsp.stat(b).then((s) => `${path.basename(b)}:${s.size}:${Math.round(s.mtimeMs)}`)));
      return {
        provider: 'kwok',
        binaries: ids.join(' '),
        delays: `ready ${envMs(process.env, 'E2E_KWOK_READY_DELAY_MS', 1000)} ms, delete ${envMs(process.env, 'E2E_KWOK_DELETE_DELAY_MS', 500)} ms`,
        profile: profile.name,
      };
    },
    async attach(opts) {
      // Kept by an earlier --reuse run (its watchdog released): every recorded process still runs, the API answers.
      const pidsFile = kwokPidsFile(opts.workDir);
      const kubeconfigPath = path.join(opts.workDir, 'kubeconfig');
      let rec: KwokPidsFile;
      try {
        rec = JSON.parse(await fsp.readFile(pidsFile, 'utf8')) as KwokPidsFile;
      } catch {
        return undefined;
      }
      for (const c of rec.children) {
        const cmd = await fsp.readFile(`/proc/${c.pid}/cmdline`, 'utf8').catch(() => '');
        if (!cmd.startsWith(c.bin)) {
          opts.log(`kwok: kept cluster ${opts.name}: ${c.name} no longer runs`);
          return undefined;
        }
      }
      const names = kindNodeNames(opts.name, opts.profile.workers);
      try {
        const kc = new k8s.KubeConfig();
        kc.loadFromFile(kubeconfigPath);
        const list = await within(10_000, 'list nodes', kc.makeApiClient(k8s.CoreV1Api).listNode());
        const ready = new Set(
          list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata?.name),
        );
        const notReady = [names.controlPlane, ...names.workers].filter((n) => !ready.has(n));
        if (notReady.length > 0) {
          opts.log(`kwok: kept cluster ${opts.name}: not Ready: ${notReady.join(', ')}`);
          return undefined;
        }
      } catch (err) {
        opts.log(`kwok: kept cluster ${opts.name} does not answer: ${errorMessage(err)}`);
        return undefined;
      }
      return {
        provider: 'kwok',
        name: opts.name,
        profile: opts.profile,
        kubeconfigPath,
        capabilities: new Set<Capability>(),
        workerNodes: names.workers,
        loadImages: async () => undefined,
        destroy: async () => void (await killKwokFromPidsFile(pidsFile)),
      };
    },
    async preflight(log): Promise<void> {
      let missing = await missingPrereqs(kwokPaths(process.env));
      if (missing.length > 0 && root && buildScript(root, 'build-kube.sh') && buildsAllowed() && (await hasGo())) {
        await buildOnFirstUse(
          root,
          'build-kube.sh',
          [],
          'the kwok control plane: kube-apiserver, kube-controller-manager, kube-scheduler (about 8 min cold on 2 cores)',
          log,
        );
        await buildOnFirstUse(root, 'build-kwok.sh', [], 'kwok and etcd (about 3 min cold)', log);
        missing = await missingPrereqs(kwokPaths(process.env));
      }
      if (missing.length > 0) {
        throw new HarnessError(`kwok: ${missing.length} built file(s) missing, e.g. ${missing[0]}; ${BUILD_HINT}`);
      }
      try {
        await execFileP('openssl', ['version']);
      } catch {
        throw new HarnessError('kwok: the openssl CLI is needed to make cluster certificates; install it (apt-get install openssl)');
      }
    },
    create: createKwokCluster,
  };
}

async function createKwokCluster(opts: CreateClusterOptions): Promise<Cluster> {
  const t0 = performance.now();
  const secs = () => ((performance.now() - t0) / 1000).toFixed(1);
  const paths = kwokPaths(process.env, opts.k8sVersion);
  const missing = await missingPrereqs(paths);
  if (missing.length > 0) throw new HarnessError(`kwok: built file missing: ${missing[0]}; ${BUILD_HINT}`);
  let delays: { readyDelayMs: number; deleteDelayMs: number };
  try {
    delays = {
      readyDelayMs: envMs(process.env, 'E2E_KWOK_READY_DELAY_MS', 1000),
      deleteDelayMs: envMs(process.env, 'E2E_KWOK_DELETE_DELAY_MS', 500),
    };
  } catch (err) {
    throw new HarnessError(errorMessage(err));
  }

  const workDir = path.resolve(opts.workDir);
  const run = new KwokRun(opts.name, workDir);
  const pki = path.join(workDir, 'pki');
  try {
    await fsp.mkdir(run.logsDir, { recursive: true });
    await fsp.mkdir(path.join(workDir, 'etcd'), { recursive: true, mode: 0o700 });

    // kwok's Stage config: every node and pod stage (any Stage disables kwok's built-in defaults).
    const sources: string[] = [];
    for (const set of STAGE_SETS) {
      const dir = path.join(paths.stagesDir, set);
      for (const f of (await fsp.readdir(dir)).filter((n) => n.endsWith('.yaml')).sort()) {
        sources.push(await fsp.readFile(path.join(dir, f), 'utf8'));
      }
    }
    const kwokConfig = path.join(workDir, 'kwok.yaml');
    await fsp.writeFile(kwokConfig, buildStageConfig(sources, delays));

    const [etcdClient, etcdPeer, apiPort, kcmPort, schedPort, kwokPort] = (await freePorts(6)) as [number, number, number, number, number, number];
    await makeCerts(pki);
    const server = `https://127.0.0.1:${apiPort}`;
    await fsp.writeFile(run.kubeconfigPath, kubeconfigYaml(server, pki), { mode: 0o600 });
    const crt = path.join(pki, 'admin.crt');
    const key = path.join(pki, 'admin.key');
    const ca = path.join(pki, 'ca.crt');
    // No --authentication/authorization-kubeconfig for kube-controller-manager and kube-scheduler: nothing calls
    // their secure ports, and with them they log "missing content for CA bundle" (no requestheader CA here).
    const kubeconfig = `--kubeconfig=${run.kubeconfigPath}`;

    run.startWatchdog();
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcd = run.start('etcd', paths.etcd, [
      '--name=node0',
      `--data-dir=${path.join(workDir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=node0=${peerUrl}`,
      '--auto-compaction-retention=1',
      '--unsafe-no-fsync=true', // throwaway test data: skip fsync, a large win on slow disks
    ]);
    await run.waitFor('etcd', etcd.logPath, START_TIMEOUT_MS, async () => (await httpStatus(`${etcdUrl}/health`)) === 200);

    const apiserver = run.start('kube-apiserver', paths.kubeApiserver, [
      `--etcd-servers=${etcdUrl}`,
      '--etcd-prefix=/registry',
      '--allow-privileged=true',
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${crt}`,
      `--tls-private-key-file=${key}`,
      `--client-ca-file=${ca}`,
      `--service-account-key-file=${key}`,
      `--service-account-signing-key-file=${key}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--proxy-client-cert-file=${crt}`,
      `--proxy-client-key-file=${key}`,
      '--authorization-mode=Node,RBAC',
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // The `kubernetes` Service endpoint would be 127.0.0.1, which Endpoints validation rejects; nothing in a
      // kwok cluster dials it, so skip the reconciler instead of logging errors every 10s.
      '--endpoint-reconciler-type=none',
      `--cert-dir=${pki}`,
    ]);
    const tls = { ca: await fsp.readFile(ca), cert: await fsp.readFile(crt), key: await fsp.readFile(key) };
    await run.waitFor('kube-apiserver /readyz', apiserver.logPath, START_TIMEOUT_MS, async () => (await httpStatus(`${server}/readyz`, tls)) === 200);
    opts.log(`kwok: apiserver ready in ${secs()}s`);

    run.start('kube-controller-manager', paths.kubeControllerManager, [
      kubeconfig,
      `--root-ca-file=${ca}`,
      `--service-account-private-key-file=${key}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      '--enable-hostpath-provisioner=true',
      // Client rate limits far above the defaults (20 QPS, burst 30): a 1000-pod ramp was bound by them
      // (bench/statefulset-scale.ts), and on loopback with simulated kubelets nothing else needs protecting.
      '--kube-api-qps=1000',
      '--kube-api-burst=2000',
      `--cert-dir=${pki}`,
    ]);
    run.start('kube-scheduler', paths.kubeScheduler, [
      kubeconfig,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${schedPort}`,
      '--kube-api-qps=1000',
      '--kube-api-burst=2000',
      `--cert-dir=${pki}`,
    ]);
    run.start('kwok', paths.kwok, [
      kubeconfig,
      `--config=${kwokConfig}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
      '--node-ip=127.0.0.1',
      '--node-name=localhost',
      `--node-port=${kwokPort}`,
      `--server-address=127.0.0.1:${kwokPort}`,
      `--tls-cert-file=${crt}`,
      `--tls-private-key-file=${key}`,
      '--node-lease-duration-seconds=40',
    ]);

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(run.kubeconfigPath);
    run.kc = kc;
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const storage = kc.makeApiClient(k8s.StorageV1Api);

    const names = kindNodeNames(opts.name, opts.profile.workers);
    const allNodes = [names.controlPlane, ...names.workers];
    for (const [i, n] of allNodes.entries()) {
      await core.createNode({ body: fakeNode(n, i, i === 0) });
    }
    await storage.createStorageClass({
      body: {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'kubernetes.io/host-path',
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'Immediate',
      },
    });

    // Ready (kwok's node-initialize) and untainted by the node lifecycle controller, so pods schedule at once.
    const kwokLog = path.join(run.logsDir, 'kwok.log');
    await run.waitFor(`${allNodes.length} Ready nodes`, kwokLog, START_TIMEOUT_MS, async () => {
      const list = await core.listNode();
      const ready = list.items.filter(
        (n) =>
          allNodes.includes(n.metadata?.name ?? '') &&
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true &&
          !(n.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/')),
      );
      return ready.length === allNodes.length;
    });
    const kcmLog = path.join(run.logsDir, 'kube-controller-manager.log');
    await run.waitFor('ServiceAccount default/default', kcmLog, START_TIMEOUT_MS, async () => {
      await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
      return true;
    });
    opts.log(`kwok: control plane ready in ${secs()}s (${allNodes.length} nodes, kubeconfig ${run.kubeconfigPath})`);

    const capabilities: ReadonlySet<Capability> = new Set<Capability>();
    return {
      provider: 'kwok',
      name: opts.name,
      profile: opts.profile,
      kubeconfigPath: run.kubeconfigPath,
      capabilities,
      workerNodes: names.workers,
      loadImages: async () => undefined,
      destroy: () => run.destroy(),
      keep: () => run.releaseWatchdog(),
    };
  } catch (err) {
    // Stop everything, but keep workDir/logs: the error names a log file there as the evidence.
    await run.destroy({ keepLogs: true }).catch(() => undefined);
    if (err instanceof HarnessError) throw err;
    throw new HarnessError(`kwok: cluster start failed: ${errorMessage(err)}; logs in ${run.logsDir}`);
  }
}

/** kwok runs the binaries ci/build-kube.sh built per version; another version is not silently substituted. */
export function checkKwokVersion(version: string): void {
  const bins = (v: string): string[] => {
    const p = kwokPaths(process.env, v);
    return [p.kubeApiserver, p.kubeControllerManager, p.kubeScheduler];
  };
  if (bins(version).every((b) => fs.existsSync(b))) return;
  const cache = path.dirname(path.dirname(bins(version)[0]!));
  const built = fs.existsSync(cache)
    ? fs
        .readdirSync(cache)
        .filter((d) => d.startsWith('kubernetes-v') && bins(d.slice('kubernetes-'.length)).every((b) => fs.existsSync(b)))
        .map((d) => d.slice('kubernetes-'.length))
        .sort(compareVersions)
    : [];
  throw new HarnessError(
    `--k8s-version ${version}: kwok has no control plane of that version (built in ${cache}: ${built.join(', ') || 'none'}); build it with \`K8S_VERSION=${version} bash ci/build-kube.sh\``,
  );
}

export const kwok: ProviderModule = {
  name: 'kwok',
  summary: 'a real control plane (etcd, kube-apiserver, controller-manager, scheduler) with simulated kubelets: API behaviour only',
  make: (_opts, root) => kwokProvider(root),
  undoers: [kwokClusterUndoer],
  checkVersion: checkKwokVersion,
};
