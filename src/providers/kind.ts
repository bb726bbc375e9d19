/**
 * kind clusters: one per cluster profile, named per run, with a kubeconfig of their own (`kind create cluster
 * --kubeconfig`), deleted at the end. The node image may be a locally built one (offline machines).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { parse as parseYaml, stringify } from 'yaml';
import { HarnessError } from '../errors.ts';
import { ALL_CAPABILITIES, type Cluster, type ClusterProvider, type CreateClusterOptions } from './provider.ts';
import { cacheDir, PINS } from './pins.ts';

$.verbose = false;
$.quiet = true;

/** kind: KIND_BINARY, else `kind` on PATH, else the pinned build from ci/build-kind.sh. */
export async function findKind(): Promise<string | undefined> {
  if (process.env.KIND_BINARY) return existsSync(process.env.KIND_BINARY) ? process.env.KIND_BINARY : undefined;
  const onPath = await $`command -v kind`.nothrow();
  if (onPath.exitCode === 0) return onPath.stdout.trim();
  const built = path.join(cacheDir(), `kind-${PINS.kind}`, 'kind');
  return existsSync(built) ? built : undefined;
}

/** kind-config.yaml with the worker count of the profile (and shared storage mounts for K4S). */
export function kindConfigFor(baseConfig: string, workers: number, sharedDir?: string): string {
  const cfg = (parseYaml(baseConfig) ?? {}) as { nodes?: { role: string; extraMounts?: unknown[] }[] } & Record<string, unknown>;
  const cp = cfg.nodes?.find((n) => n.role === 'control-plane') ?? { role: 'control-plane' };
  const worker = cfg.nodes?.find((n) => n.role === 'worker') ?? { role: 'worker' };
  const mounts = sharedDir ? [{ hostPath: sharedDir, containerPath: '/var/local-path-provisioner' }] : undefined;
  cfg.nodes = [cp, ...Array.from({ length: workers }, () => ({ ...worker, ...(mounts ? { extraMounts: mounts } : {}) }))];
  return stringify(cfg);
}

export function kindProvider(root: string, k8sVersion?: string): ClusterProvider {
  let kind = '';
  const image = process.env.E2E_KIND_NODE_IMAGE ?? `kindest/node:${k8sVersion ?? 'v1.34.0'}`;
  return {
    name: 'kind',
    async preflight() {
      const docker = await $`docker info --format {{.ServerVersion}}`.nothrow();
      if (docker.exitCode !== 0) {
        const cli = await $`command -v docker`.nothrow();
        throw new HarnessError(cli.exitCode !== 0 ? 'docker not found: install Docker (ci/docker-setup.sh does it on Debian)' : 'Docker daemon not reachable: start dockerd (ci/docker-setup.sh) or check DOCKER_HOST');
      }
      kind = (await findKind()) ?? '';
      if (!kind) throw new HarnessError('kind not found: put kind on PATH, set KIND_BINARY, or run ci/build-kind.sh');
      const img = await $`docker image inspect ${image}`.nothrow();
      if (img.exitCode !== 0) throw new HarnessError(`kind node image ${image} is not present locally (set E2E_KIND_NODE_IMAGE or build one with ci/build-node-image.sh)`);
    },
    async create(opts: CreateClusterOptions): Promise<Cluster> {
      const kubeconfigPath = path.join(opts.workDir, 'kubeconfig');
      const configPath = path.join(opts.workDir, 'kind-config.yaml');
      const base = existsSync(path.join(root, 'kind-config.yaml')) ? readFileSync(path.join(root, 'kind-config.yaml'), 'utf8') : '';
      writeFileSync(configPath, kindConfigFor(base, opts.profile.workers, opts.profile.sharedStorage ? path.join(opts.workDir, 'shared') : undefined));
      const started = performance.now();
      opts.log(`kind: creating ${opts.name} (${opts.profile.name}: 1 control plane + ${opts.profile.workers} workers, ${image})`);
      const r = await $`${kind} create cluster --name ${opts.name} --image ${image} --config ${configPath} --kubeconfig ${kubeconfigPath} --wait 5m`.nothrow();
      const destroy = async (): Promise<void> => {
        await $`${kind} delete cluster --name ${opts.name} --kubeconfig ${kubeconfigPath}`.nothrow();
      };
      if (r.exitCode !== 0) {
        await destroy();
        const last = r.stderr.trim().split('\n').filter(Boolean).pop() ?? 'unknown error';
        throw new HarnessError(`kind create cluster failed: ${last}`);
      }
      opts.log(`kind: ${opts.name} ready in ${((performance.now() - started) / 1000).toFixed(1)}s`);
      const workerNodes = Array.from({ length: opts.profile.workers }, (_, i) => `${opts.name}-worker${i === 0 ? '' : i + 1}`);
      return {
        provider: 'kind',
        name: opts.name,
        profile: opts.profile,
        kubeconfigPath,
        capabilities: new Set(ALL_CAPABILITIES),
        workerNodes,
        async loadImages(images) {
          const present: string[] = [];
          for (const i of images) if ((await $`docker image inspect ${i}`.nothrow()).exitCode === 0) present.push(i);
          if (present.length === 0) return;
          opts.log(`kind: loading ${present.length} local images into ${opts.name}`);
          const l = await $`${kind} load docker-image --name ${opts.name} ${present}`.nothrow();
          if (l.exitCode !== 0) throw new HarnessError(`kind load docker-image failed: ${l.stderr.trim().split('\n').pop() ?? ''}`);
        },
        destroy,
      };
    },
  };
}
