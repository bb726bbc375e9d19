/**
 * Cluster providers: where a scenario's cluster comes from (kind containers, a kwok control plane, or an
 * existing cluster). The runner asks for a cluster shaped like a catalogue profile and gets back a kubeconfig
 * file of its own; nothing here ever reads or writes the user's ~/.kube/config.
 */
import type { JournalEntry, Undoer } from '../journal.ts';

import { HarnessError } from '../errors.ts';

export type ProviderName = 'kind' | 'kwok' | 'existing';

/**
 * What a cluster can show beyond the API. Assertions declare what they need; on a provider without it they
 * are reported skipped with the reason, never passed.
 * - exec: commands run inside containers (kubectl exec)
 * - dns: cluster DNS answers (CoreDNS, headless-Service records)
 * - network: traffic to pods and Services (curl, port-forward, protocol clients)
 * - probes: readiness/liveness probes and container processes really run (image pulls, crashes, restarts)
 * - logs: container logs
 * - faults: nodes can be stopped, paused and cut off (ProviderModule.nodeFaults), and the run reverts it
 */
export type Capability = 'exec' | 'dns' | 'network' | 'probes' | 'logs' | 'faults';
export const ALL_CAPABILITIES: readonly Capability[] = ['exec', 'dns', 'network', 'probes', 'logs', 'faults'];

/** A node fault (issue 14): `stop` then start, `pause` then unpause, `isolate` (cut off from the other nodes) then rejoin. */
export type NodeFault = 'stop' | 'pause' | 'isolate';

/**
 * How a provider applies node faults. World.nodeFault journals prepare()'s entry before inject(); revert() is the
 * entry type's Undoer too, so teardown, a signal or `--cleanup` undoes a fault whoever applied it.
 */
export interface NodeFaults<E extends JournalEntry = JournalEntry> {
  /** The journal entry of `fault` on `node` (what the revert needs to know, read before the fault). */
  prepare(fault: NodeFault, node: string, kubeconfig: string): Promise<E>;
  inject(entry: E): Promise<void>;
  /** Idempotent; returns once the node is back as it was (Ready again after a stop). */
  revert(entry: E): Promise<void>;
  /**
   * SIGKILL to a container's main process, on its node (`containerId` as the pod status gives it, `containerd://…`).
   * Nothing to revert: kubelet restarts the container in the same pod (restartCount + 1), as after an OOM kill.
   */
  killContainer(node: string, containerId: string): Promise<void>;
}

/** Cluster shapes from catalogue §0.3. The control-plane node is tainted NoSchedule in every profile. */
export interface ClusterProfile {
  readonly name: 'K2' | 'K3' | 'K4S';
  readonly workers: number;
  /** K4S: PVs carry no node affinity (shared storage), so pods can move between nodes. */
  readonly sharedStorage: boolean;
}

export const PROFILES: Readonly<Record<ClusterProfile['name'], ClusterProfile>> = {
  K2: { name: 'K2', workers: 2, sharedStorage: false },
  K3: { name: 'K3', workers: 3, sharedStorage: false },
  K4S: { name: 'K4S', workers: 4, sharedStorage: true },
};

/**
 * Node names of a profile's cluster, as kind names them (<name>-control-plane, <name>-worker, <name>-worker2, …);
 * kwok's fake nodes take the same names, so scenarios see one shape on both.
 */
export function kindNodeNames(cluster: string, workers: number): { controlPlane: string; workers: string[] } {
  return {
    controlPlane: `${cluster}-control-plane`,
    workers: Array.from({ length: workers }, (_, i) => `${cluster}-worker${i === 0 ? '' : i + 1}`),
  };
}

export interface CreateClusterOptions {
  /** Unique per run, e.g. `se2e-1a2b3c`; providers derive node and container names from it. */
  readonly name: string;
  readonly profile: ClusterProfile;
  /** Directory owned by this run for kubeconfig, certs, logs; removed by destroy(). */
  readonly workDir: string;
  readonly k8sVersion?: string;
  /** Line-oriented progress output (quiet in CI). */
  readonly log: (line: string) => void;
}

export interface Cluster {
  readonly provider: ProviderName;
  readonly name: string;
  readonly profile: ClusterProfile;
  /** A kubeconfig file owned by this run. */
  readonly kubeconfigPath: string;
  readonly capabilities: ReadonlySet<Capability>;
  /** Names of the schedulable (worker) nodes, in kind order: <name>-worker, <name>-worker2, ... */
  readonly workerNodes: readonly string[];
  /** Make locally present images available to every node (kind load); a no-op where images are not used. */
  loadImages(images: readonly string[]): Promise<void>;
  /** Stop and remove everything this cluster created. Idempotent; safe to call from a signal handler. */
  destroy(): Promise<void>;
  /** --keep: let the cluster outlive this process (kwok: release the watchdog that stops it when the harness exits). */
  keep?(): void;
}

/** What the runner knows of a cluster before create(): enough to name everything create() may leave behind. */
export interface JournalTarget {
  /** CreateClusterOptions.name */
  readonly name: string;
  /** CreateClusterOptions.workDir */
  readonly workDir: string;
  /** The run's id (namespaces and cordons it makes are labelled with it). */
  readonly runId: string;
}

export interface ClusterProvider {
  readonly name: ProviderName;
  /**
   * The journal entries (src/journal.ts) for what create() with this name and workDir may leave behind if the
   * run dies: the runner writes them before create() starts. Their types are undone by the provider's module
   * (its Undoer, registered by type in ./index.ts), also by a later process that knows only the journal.
   */
  journalEntries(target: JournalTarget): JournalEntry[];
  /**
   * Fails fast with a HarnessError (one line) when a prerequisite is missing and cannot be had: Docker, kind, built
   * binaries. What a checkout of the repository can build, it builds on first use (./first-use.ts), saying so in log.
   */
  preflight(log: (line: string) => void): Promise<void>;
  create(opts: CreateClusterOptions): Promise<Cluster>;
  /**
   * --reuse: what must be unchanged for a kept cluster to serve again (node image ID, binaries, version, profile).
   * Called after preflight. Providers without it cannot keep clusters between runs.
   */
  fingerprint?(opts: { readonly profile: ClusterProfile; readonly k8sVersion?: string }): Promise<Readonly<Record<string, string>>>;
  /** --reuse: the kept cluster of this name and workDir if it still runs and answers, else undefined. */
  attach?(opts: CreateClusterOptions): Promise<Cluster | undefined>;
}

/** The provider cannot run on this machine at all (kind without a reachable Docker): a default provider may fall back. */
export class ProviderUnavailable extends HarnessError {}

/** How images reach kind nodes: `kind load docker-image`, or a registry container of the run (kind/registry.ts). */
export type ImageLoad = 'kind-load' | 'registry';

/** What the command line gives a provider. */
export interface ProviderOptions {
  readonly k8sVersion?: string;
  readonly imageLoad: ImageLoad;
  readonly kubeconfig?: string;
  readonly context?: string;
}

/**
 * A provider as the harness knows it: one folder under src/providers/ exporting this, and one line in the list
 * in ./index.ts. Everything provider-specific goes through here: making the provider for a run (preflight, create,
 * attach, journal entries), undoing its journal entries after a crash, exporting its logs on a failure, and
 * refusing a Kubernetes version it cannot run before anything starts.
 */
export interface ProviderModule {
  readonly name: ProviderName;
  /** One line for --help and errors. */
  readonly summary: string;
  make(opts: ProviderOptions, root: string): ClusterProvider;
  /** The journal entry types it writes, each with its undo (also run by a later process after a crash). */
  readonly undoers: readonly Undoer[];
  /** Failure diagnostics beyond the API (kind: `kind export logs`) into dir; a message when it failed, else undefined. */
  exportLogs?(clusterName: string, dir: string, timeoutMs: number): Promise<string | undefined>;
  /** Throws a one-line HarnessError for a version it cannot run (kwok: binaries not built for it). */
  checkVersion?(version: string): void;
  /** Node faults, where its clusters have real nodes to stop (capability `faults`). */
  readonly nodeFaults?: NodeFaults;
}
