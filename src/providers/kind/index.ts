/**
 * kind clusters: one per cluster profile, named per run, with a kubeconfig of their own (`kind create cluster
 * --kubeconfig`), deleted at the end. The node image may be a locally built one (offline machines).
 *
 * Offline node images (ci/build-node-image.sh, recognised by their io.stateful-e2e.rev label) carry no kindnetd,
 * so the cluster is created with the default CNI disabled and the provider sets up a static pod network through
 * `docker exec` (network.ts). Their default StorageClass `standard` is local-path-provisioner, installed by
 * kind itself from the image's /kind/manifests/default-storage.yaml, as with kindest/node images.
 *
 * Profiles with shared storage (K4S) mount one host directory, <workDir>/shared, at /var/local-path-provisioner in
 * every node, and the provider switches local-path-provisioner to `sharedFileSystemPath` before the cluster is
 * handed out: PVs then carry no nodeAffinity, so a drained pod comes back on another node with its data.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { parse as parseYaml, stringify } from 'yaml';
import { AppsV1Api, CoreV1Api, KubeConfig, StorageV1Api, type V1Node } from '@kubernetes/client-node';
import { HarnessError, errorMessage } from '../../errors.ts';
import { MERGE } from '../../kube/client.ts';
import type { Undoer } from '../../journal.ts';
import {
  ALL_CAPABILITIES,
  kindNodeNames,
  ProviderUnavailable,
  type Cluster,
  type ClusterProvider,
  type CreateClusterOptions,
  type ImageLoad,
  type NodeFaults,
  type ProviderModule,
} from '../provider.ts';
import { exportKindLogs } from './logs.ts';
import { findKind } from './binary.ts';
import { dockerContainerUndoer } from './registry.ts';
import { buildOnFirstUse, buildScript, buildsAllowed } from '../first-use.ts';
import { within } from '../../wait.ts';
import { PINS } from '../pins.ts';
import {
  LOCAL_PATH_CONFIGMAP,
  LOCAL_PATH_DEPLOYMENT,
  LOCAL_PATH_DIR,
  LOCAL_PATH_NAMESPACE,
  STATEFUL_E2E_RECIPE_LABEL,
  STATEFUL_E2E_REV_LABEL,
  imageRepository,
  offlineKindConfig,
  sharedStorageConfig,
} from './network.ts';
import { localRegistry, registryPreflight, type LocalRegistry } from './registry.ts';
import { lastLine, staticPodNetwork, until } from './pod-network.ts';
import { kindNodeFaults, kindNodeFaultUndoer } from './faults.ts';

$.verbose = false;
$.quiet = true;

/** Budget for the cluster to come up after `kind create cluster` returns (nodes, CoreDNS, storage). */
const READY_TIMEOUT_MS = Number(process.env.E2E_KIND_READY_TIMEOUT_S ?? 300) * 1000;
const secs = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(1)}s`;

/**
 * `kind delete cluster`, then make sure no node container of the cluster turns up afterwards: a `kind create`
 * interrupted mid-way leaves `docker run` requests the daemon still completes after kind itself has exited.
 * Returns an error line, or undefined when the cluster is gone.
 */
export async function deleteKindCluster(kind: string, name: string, kubeconfig?: string): Promise<string | undefined> {
  const containers = async (): Promise<string> => (await $`docker ps -aq --filter ${`label=io.x-k8s.kind.cluster=${name}`}`.nothrow()).stdout.trim();
  let quiet = 0;
  for (let round = 0; round < 15 && quiet < 2; round++) {
    const d = kubeconfig
      ? await $`${kind} delete cluster --name ${name} --kubeconfig ${kubeconfig}`.nothrow()
      : await $`${kind} delete cluster --name ${name}`.nothrow();
    if (d.exitCode !== 0) return d.stderr.trim().split('\n').pop() ?? `exit ${d.exitCode}`;
    // "Nothing appears for 2 × 1 s": the one fixed wait here, bounded by the rounds.
    quiet = 0;
    while (quiet < 2) {
      await new Promise((r) => setTimeout(r, 1000));
      if ((await containers()) !== '') break;
      quiet++;
    }
  }
  return quiet >= 2 ? undefined : `containers of ${name} keep appearing`;
}

export { findKind } from './binary.ts';

/** Journal entry of a kind cluster: written before `kind create cluster`, undone by deleting the cluster by name. */
export type KindClusterEntry = { readonly type: 'kind-cluster'; readonly name: string };

export const kindClusterUndoer: Undoer<KindClusterEntry> = {
  type: 'kind-cluster',
  async undo(entry) {
    const kind = await findKind();
    if (kind) await deleteKindCluster(kind, entry.name);
  },
};

/**
 * kind-config.yaml with the worker count of the profile. With `sharedDir` (K4S) every node, the control plane
 * included, mounts that host directory at local-path-provisioner's path: volumes are created on the node the pod
 * was scheduled to, but the provisioner deletes them through a helper pod that may run on any node.
 */
export function kindConfigFor(baseConfig: string, workers: number, sharedDir?: string): string {
  const cfg = (parseYaml(baseConfig) ?? {}) as { nodes?: { role: string; extraMounts?: unknown[] }[] } & Record<string, unknown>;
  const cp = cfg.nodes?.find((n) => n.role === 'control-plane') ?? { role: 'control-plane' };
  const worker = cfg.nodes?.find((n) => n.role === 'worker') ?? { role: 'worker' };
  const mount = sharedDir ? { hostPath: sharedDir, containerPath: LOCAL_PATH_DIR } : undefined;
  const withMount = <T extends { extraMounts?: unknown[] }>(n: T): T => (mount ? { ...n, extraMounts: [...(n.extraMounts ?? []), mount] } : n);
  cfg.nodes = [withMount(cp), ...Array.from({ length: workers }, () => withMount({ ...worker }))];
  return stringify(cfg);
}

/** E2E_KIND_NODE_IMAGE, else the offline image of ci/build-node-image.sh when present, else kindest/node. */
async function chooseNodeImage(version: string): Promise<string> {
  if (process.env.E2E_KIND_NODE_IMAGE) return process.env.E2E_KIND_NODE_IMAGE;
  const local = `stateful-e2e/kind-node:${version}`;
  if ((await $`docker image inspect ${local}`.nothrow()).exitCode === 0) return local;
  return `kindest/node:${version}`;
}

/** Local images built by ci/build-images.sh, as `repo:tag`. */
async function recipeImages(): Promise<string[]> {
  const r = await $`docker images --filter ${`label=${STATEFUL_E2E_RECIPE_LABEL}`} --format ${'{{.Repository}}:{{.Tag}}'}`.nothrow();
  return r.exitCode === 0
    ? r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.includes('<none>'))
    : [];
}

const isReady = (n: V1Node): boolean => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * `imageLoad`: how loadImages() gets images to the nodes, `kind load docker-image` or a registry container of the
 * run (registry.ts, started only then).
 */
export function kindProvider(root: string, k8sVersion?: string, imageLoad: ImageLoad = 'kind-load'): ClusterProvider {
  let kind = '';
  let image = '';
  let offline = false;
  const version = k8sVersion ?? PINS.k8s;
  /** The Cluster for a kind cluster of this name (created now, or kept by an earlier --reuse run). */
  function handle(opts: CreateClusterOptions): Cluster {
    const kubeconfigPath = path.join(opts.workDir, 'kubeconfig');
    const names = kindNodeNames(opts.name, opts.profile.workers);
    let registry: LocalRegistry | undefined;
    let destroyed: Promise<void> | undefined;
    const destroy = (): Promise<void> => {
      // idempotent: `kind delete cluster` succeeds for a cluster that is already gone
      destroyed ??= (async () => {
        const t0 = performance.now();
        const err = await deleteKindCluster(kind, opts.name, kubeconfigPath);
        if (err) opts.log(`kind: delete ${opts.name} failed: ${err}`);
        else opts.log(`kind: deleted ${opts.name} in ${secs(t0)}`);
        await registry?.remove();
      })().finally(() => {
        destroyed = undefined;
      });
      return destroyed;
    };
    // Images already in the nodes, by local image ID: a reused cluster loads only what changed.
    const loadedFile = path.join(opts.workDir, 'loaded-images.json');
    return {
      provider: 'kind',
      name: opts.name,
      profile: opts.profile,
      kubeconfigPath,
      capabilities: new Set(ALL_CAPABILITIES),
      workerNodes: names.workers,
      async loadImages(images) {
        const present: string[] = [];
        for (const i of images) if ((await $`docker image inspect ${i}`.nothrow()).exitCode === 0) present.push(i);
        // Tags that scenarios use without a fixture naming them (S1's update image nginx-slim:0.21): with no
        // registry, load every locally built tag (ci/build-images.sh) of the same repositories as well.
        const repos = new Set(present.map(imageRepository));
        for (const i of await recipeImages()) if (repos.has(imageRepository(i)) && !present.includes(i)) present.push(i);
        let missing = images.filter((i) => !present.includes(i));
        if (missing.length > 0 && offline && buildScript(root, 'build-images.sh') && buildsAllowed()) {
          // The offline node image refuses every pull: build the workload images here (cached by recipe).
          await buildOnFirstUse(root, 'build-images.sh', [], `the workload images (${missing.join(', ')})`, opts.log);
          if (missing.some((i) => /zookeeper|cassandra|hazelcast/.test(i)))
            await buildOnFirstUse(root, 'build-app-images.sh', [], 'the ZooKeeper, Cassandra and Hazelcast images', opts.log);
          for (const i of missing) if ((await $`docker image inspect ${i}`.nothrow()).exitCode === 0) present.push(i);
          const built = new Set(present.map(imageRepository));
          for (const i of await recipeImages()) if (built.has(imageRepository(i)) && !present.includes(i)) present.push(i);
          missing = images.filter((i) => !present.includes(i));
        }
        if (missing.length) opts.log(`kind: not present locally (nodes will try to pull): ${missing.join(', ')}`);
        if (present.length === 0) return;
        const t0 = performance.now();
        if (imageLoad === 'registry') {
          registry ??= localRegistry(opts.name, opts.log);
          await registry.serve(present, [names.controlPlane, ...names.workers]);
          opts.log(`kind: ${present.length} images served from registry ${registry.name} in ${secs(t0)} (${present.join(', ')})`);
          return;
        }
        const ids = await imageIds(present);
        const loaded = readJson<Record<string, string>>(loadedFile) ?? {};
        const toLoad = present.filter((i) => !ids.get(i) || loaded[i] !== ids.get(i));
        if (toLoad.length < present.length) opts.log(`kind: ${present.length - toLoad.length} images already in the nodes (same image ID)`);
        if (toLoad.length === 0) return;
        // workers only: the control plane is tainted NoSchedule in every profile
        const l = await $`${kind} load docker-image --name ${opts.name} --nodes ${names.workers.join(',')} ${toLoad}`.nothrow();
        if (l.exitCode !== 0) throw new HarnessError(`kind load docker-image failed: ${lastLine(l.stderr)}`);
        writeFileSync(loadedFile, JSON.stringify({ ...loaded, ...Object.fromEntries(toLoad.map((i) => [i, ids.get(i) ?? ''])) }, null, 1));
        opts.log(`kind: loaded ${toLoad.length} images into ${names.workers.length} workers in ${secs(t0)} (${toLoad.join(', ')})`);
      },
      destroy,
    };
  }

  return {
    name: 'kind',
    journalEntries: ({ name }): KindClusterEntry[] => [{ type: 'kind-cluster', name }],
    async fingerprint({ profile }) {
      if (imageLoad === 'registry') throw new HarnessError('--reuse keeps images in the nodes: use it with --image-load kind-load');
      const id = (await $`docker image inspect -f {{.Id}} ${image}`.nothrow()).stdout.trim();
      return { provider: 'kind', kind: (await $`${kind} version`.nothrow()).stdout.trim(), 'node image': `${image}@${id}`, profile: profile.name };
    },
    async attach(opts) {
      // Kept by an earlier --reuse run: its nodes still run and its API answers with every node Ready.
      const kubeconfigPath = path.join(opts.workDir, 'kubeconfig');
      if (!existsSync(kubeconfigPath)) return undefined;
      const clusters = (await $`${kind} get clusters`.nothrow()).stdout.split('\n');
      if (!clusters.includes(opts.name)) return undefined;
      try {
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfigPath);
        const core = kc.makeApiClient(CoreV1Api);
        const want = [...Object.values(kindNodeNames(opts.name, opts.profile.workers)).flat()];
        const nodes = (await within(10_000, 'list nodes', core.listNode())).items;
        const notReady = want.filter((n) => !nodes.some((x) => x.metadata?.name === n && isReady(x)));
        if (notReady.length > 0) {
          opts.log(`kind: kept cluster ${opts.name}: not Ready: ${notReady.join(', ')}`);
          return undefined;
        }
      } catch (err) {
        opts.log(`kind: kept cluster ${opts.name} does not answer: ${errorMessage(err)}`);
        return undefined;
      }
      return handle(opts);
    },
    async preflight(log) {
      const docker = await $`docker info --format {{.ServerVersion}}`.nothrow();
      if (docker.exitCode !== 0) {
        const cli = await $`command -v docker`.nothrow();
        throw new ProviderUnavailable(
          cli.exitCode !== 0
            ? 'docker not found: install Docker (ci/docker-setup.sh does it on Debian)'
            : 'Docker daemon not reachable: start dockerd (ci/docker-setup.sh) or check DOCKER_HOST',
        );
      }
      kind = (await findKind()) ?? '';
      if (!kind && !process.env.KIND_BINARY && (await $`command -v go`.nothrow()).exitCode === 0) {
        // Provision the pinned kind from its Go module (about 10 s warm, a minute cold).
        const built = await $`bash ${path.join(root, 'ci', 'build-kind.sh')}`.nothrow();
        if (built.exitCode === 0) kind = built.stdout.trim().split('\n').pop() ?? '';
      }
      if (!kind) throw new HarnessError('kind not found: put kind on PATH, set KIND_BINARY, or run ci/build-kind.sh');
      image = await chooseNodeImage(version);
      const inspect = () => $`docker image inspect -f ${`{{index .Config.Labels "${STATEFUL_E2E_REV_LABEL}"}}`} ${image}`.nothrow();
      let img = await inspect();
      if (img.exitCode !== 0 && !process.env.E2E_KIND_NODE_IMAGE && buildScript(root, 'build-node-image.sh') && buildsAllowed()) {
        // Neither image is here: build the offline one (no registry needed). With a registry, `docker pull
        // kindest/node:<version>` beforehand skips this.
        image = `stateful-e2e/kind-node:${version}`;
        await buildOnFirstUse(root, 'build-node-image.sh', [], `the kind node image ${image} (about 10 min cold on 2 cores)`, log, { K8S_VERSION: version });
        img = await inspect();
      }
      if (img.exitCode !== 0) {
        throw new HarnessError(`kind node image ${image} is not present locally: build it with ci/build-node-image.sh (offline) or set E2E_KIND_NODE_IMAGE`);
      }
      offline = img.stdout.trim() !== '' && img.stdout.trim() !== '<no value>';
      if (imageLoad === 'registry') await registryPreflight();
    },
    async create(opts: CreateClusterOptions): Promise<Cluster> {
      const cluster = handle(opts);
      const { kubeconfigPath, destroy } = cluster;
      const names = kindNodeNames(opts.name, opts.profile.workers);
      const configPath = path.join(opts.workDir, 'kind-config.yaml');
      const base = existsSync(path.join(root, 'kind-config.yaml')) ? readFileSync(path.join(root, 'kind-config.yaml'), 'utf8') : '';
      const sharedDir = opts.profile.sharedStorage ? path.join(opts.workDir, 'shared') : undefined;
      if (sharedDir) {
        // created here (Docker would create it too, but this keeps it inside the run's workDir, removed with it)
        mkdirSync(sharedDir, { recursive: true });
      }
      let config = kindConfigFor(base, opts.profile.workers, sharedDir);
      if (offline) config = offlineKindConfig(config);
      writeFileSync(configPath, config);

      const started = performance.now();
      opts.log(
        `kind: creating ${opts.name} (${opts.profile.name}: 1 control plane + ${opts.profile.workers} workers, ${image}${offline ? ', offline image: static pod network' : ''})`,
      );
      try {
        const r = await $({
          timeout: '10m',
        })`${kind} create cluster --name ${opts.name} --image ${image} --config ${configPath} --kubeconfig ${kubeconfigPath}`.nothrow();
        if (r.exitCode !== 0) throw new HarnessError(`kind create cluster failed: ${lastLine(r.stderr)}`);
        opts.log(`kind: nodes created in ${secs(started)}`);
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfigPath);
        const core = kc.makeApiClient(CoreV1Api);
        const apps = kc.makeApiClient(AppsV1Api);
        const storage = kc.makeApiClient(StorageV1Api);
        const deadline = performance.now() + READY_TIMEOUT_MS;
        const nodeNames = [names.controlPlane, ...names.workers];
        if (sharedDir) {
          // Before the pod network: on offline images the provisioner is still unscheduled, so no restart is needed.
          const t0 = performance.now();
          const how = await useSharedStorage(core, apps);
          opts.log(`kind: local-path-provisioner switched to sharedFileSystemPath ${LOCAL_PATH_DIR} (${sharedDir} on every node; ${how}) in ${secs(t0)}`);
        }
        if (offline) {
          const t0 = performance.now();
          await staticPodNetwork(core, nodeNames, deadline);
          opts.log(`kind: static pod network on ${nodeNames.length} nodes in ${secs(t0)}`);
        }
        const t1 = performance.now();
        await until(deadline, 'nodes Ready', async () => {
          const nodes = (await core.listNode()).items;
          const notReady = nodeNames.filter((n) => !nodes.some((x) => x.metadata?.name === n && isReady(x)));
          return notReady.length ? `not Ready: ${notReady.join(', ')}` : undefined;
        });
        await until(deadline, 'CoreDNS Ready', async () => {
          const d = await apps.readNamespacedDeployment({ name: 'coredns', namespace: 'kube-system' });
          const want = d.spec?.replicas ?? 1;
          return (d.status?.readyReplicas ?? 0) >= want ? undefined : `coredns ${d.status?.readyReplicas ?? 0}/${want} ready`;
        });
        await until(deadline, 'a default StorageClass and its provisioner', async () => {
          const classes = (await storage.listStorageClass()).items;
          const def = classes.find((c) => c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
          if (!def) return 'no default StorageClass';
          if (def.provisioner !== 'rancher.io/local-path') return undefined;
          const d = await apps.readNamespacedDeployment({ name: LOCAL_PATH_DEPLOYMENT, namespace: LOCAL_PATH_NAMESPACE });
          if (sharedDir) {
            // every pod of the provisioner runs the shared config: the rollout (if any) is complete
            const want = d.spec?.replicas ?? 1;
            const s = d.status ?? {};
            if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0) || s.updatedReplicas !== want || s.replicas !== want) {
              return `local-path-provisioner rollout: ${s.updatedReplicas ?? 0} updated, ${s.replicas ?? 0} total, want ${want}`;
            }
          }
          return (d.status?.readyReplicas ?? 0) >= 1 ? undefined : 'local-path-provisioner not ready';
        });
        opts.log(`kind: nodes, CoreDNS and storage ready in ${secs(t1)}`);
      } catch (err) {
        await destroy();
        if (err instanceof HarnessError) throw err;
        throw new HarnessError(`kind create cluster ${opts.name} failed: ${errorMessage(err)}`);
      }
      opts.log(`kind: ${opts.name} ready in ${secs(started)}`);
      return cluster;
    },
  };
}

/**
 * Shared storage (K4S): local-path-provisioner's config.json becomes `sharedFileSystemPath` (PVs without
 * nodeAffinity). The provisioner reads its config from a ConfigMap volume; a pod already on a node may hold the old
 * file (kubelet refreshes it within a minute, the provisioner rereads it every 30 s), so such pods are replaced by
 * a rollout (template annotation). Returns what was done, for the log.
 */
export async function useSharedStorage(core: CoreV1Api, apps: AppsV1Api): Promise<string> {
  const config = sharedStorageConfig(LOCAL_PATH_DIR);
  try {
    await core.patchNamespacedConfigMap({ name: LOCAL_PATH_CONFIGMAP, namespace: LOCAL_PATH_NAMESPACE, body: { data: { 'config.json': config } } }, MERGE);
  } catch (err) {
    throw new HarnessError(
      `kind: shared storage needs ${LOCAL_PATH_NAMESPACE}/${LOCAL_PATH_CONFIGMAP} (local-path-provisioner) in the node image's default storage: ${errorMessage(err)}`,
    );
  }
  const pods = (await core.listNamespacedPod({ namespace: LOCAL_PATH_NAMESPACE, labelSelector: `app=${LOCAL_PATH_DEPLOYMENT}` })).items;
  const placed = pods.filter((p) => p.spec?.nodeName && !p.metadata?.deletionTimestamp);
  if (placed.length === 0) return `no provisioner pod scheduled yet (${pods.length} pending)`;
  await apps.patchNamespacedDeployment(
    {
      name: LOCAL_PATH_DEPLOYMENT,
      namespace: LOCAL_PATH_NAMESPACE,
      body: { spec: { template: { metadata: { annotations: { 'stateful-e2e/local-path-config': 'shared' } } } } },
    },
    MERGE,
  );
  return `restarted ${placed.map((p) => p.metadata?.name).join(', ')}`;
}

const readJson = <T>(file: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
};

/** Local image IDs by reference (one `docker image inspect` for all). */
async function imageIds(refs: readonly string[]): Promise<Map<string, string>> {
  if (refs.length === 0) return new Map();
  const r = await $`docker image inspect -f {{.Id}} ${refs}`.nothrow();
  const ids = r.stdout.trim().split('\n');
  return new Map(r.exitCode === 0 && ids.length === refs.length ? refs.map((x, i) => [x, ids[i]!]) : []);
}

export const kind: ProviderModule = {
  name: 'kind',
  summary: 'a multi-node kind cluster per profile (needs Docker; the offline node image is built on first use)',
  make: (opts, root) => kindProvider(root, opts.k8sVersion, opts.imageLoad),
  undoers: [kindClusterUndoer, dockerContainerUndoer, kindNodeFaultUndoer],
  nodeFaults: kindNodeFaults as NodeFaults,
  exportLogs: exportKindLogs,
};
