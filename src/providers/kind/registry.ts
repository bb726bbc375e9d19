/**
 * `--image-load registry`: images reach the kind nodes through a registry container of the run (kind's "local
 * registry" pattern) instead of `kind load docker-image`.
 *
 * - The registry is ci/images/registry (Debian bookworm's docker-registry, plain HTTP on :5000), started with
 *   testcontainers on the `kind` Docker network under the alias `<cluster>-registry`, its port 5000 published on a
 *   random 127.0.0.1 port. It is journaled (a journal file of its own, `<cluster>-registry.json`) before it is
 *   created, registered as a teardown task (SIGINT/SIGTERM), and removed by the cluster's destroy().
 * - Images are pushed from the host's Docker to `127.0.0.1:<port>/<registry>/<path>:<tag>` (dockerd treats
 *   127.0.0.0/8 as an insecure registry by default: plain HTTP is allowed there and nowhere else).
 * - Every node's containerd gets `/etc/containerd/certs.d/<registry>/hosts.toml` for each registry the images come
 *   from: first host = `http://<alias>:5000/v2/<registry>` with `override_path` (one registry container holds
 *   registry.k8s.io/x and docker.io/x apart), then the node image's refusing `server = "http://127.0.0.1:1"`
 *   (ci/build-node-image.sh), so an image the registry does not hold still fails at once on the node's loopback
 *   and nothing goes out. Registries without images keep the node image's refusing files.
 *
 * Pure helpers (reference parsing, mirror names, hosts.toml) are exported for unit tests.
 */
import { $ } from 'zx';
import { until } from '../../wait.ts';
import { HarnessError, errorMessage } from '../../errors.ts';
import { Journal, type Undoer } from '../../journal.ts';
import { isStopping, onCleanup } from '../../cleanup.ts';

$.verbose = false;
$.quiet = true;

/** Built by `bash ci/build-images.sh registry`; the tag is Debian's package version. */
export const REGISTRY_IMAGE = 'stateful-e2e/registry:2.8.2-ds1-1';
/** Port the registry listens on inside its container (ci/images/registry/rootfs/etc/docker/registry/config.yml). */
export const REGISTRY_PORT = 5000;
/** The Docker network kind puts its nodes on. */
export const KIND_NETWORK = 'kind';
/** containerd's config_path in the offline node image. */
export const CERTS_D = '/etc/containerd/certs.d';
/** The node image's refusing endpoint: connection refused on the node's loopback. */
export const REFUSE_SERVER = 'http://127.0.0.1:1';

/** A normalised image reference, as containerd resolves it. */
export interface ImageRef {
  /** Registry host as containerd names its certs.d directory: docker.io, registry.k8s.io, localhost:5000. */
  readonly registry: string;
  /** Repository path inside that registry: library/busybox, nginx-slim, e2e-test-images/jessie-dnsutils. */
  readonly path: string;
  /** `:tag` or `@sha256:...` (`:latest` when the reference names neither). */
  readonly suffix: string;
}

/**
 * Docker's normalisation: a first component with a `.` or `:`, or `localhost`, is a registry; otherwise the image
 * is on docker.io, and a one-component name is under `library/`. `index.docker.io` is docker.io.
 */
export function parseImageRef(image: string): ImageRef {
  const ref = image.trim();
  if (!ref || /\s/.test(ref)) throw new Error(`not an image reference: '${image}'`);
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at) : '';
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : 'docker.io';
  let rest = hasRegistry ? name.slice(slash + 1) : name;
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  const colon = rest.lastIndexOf(':');
  let tag = '';
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon);
    rest = rest.slice(0, colon);
  }
  if (!rest) throw new Error(`not an image reference: '${image}'`);
  if (registry === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  return { registry, path: rest, suffix: digest || tag || ':latest' };
}

/** The repository prefix in the local registry for an upstream registry (a port's `:` is not allowed there). */
export const mirrorPrefix = (registry: string): string => registry.toLowerCase().replace(/:/g, '_');

/** Where `image` lives in the local registry reachable at `mirror` (e.g. `127.0.0.1:32768`). */
export function mirrorImage(image: string, mirror: string): string {
  const r = parseImageRef(image);
  return `${mirror}/${mirrorPrefix(r.registry)}/${r.path}${r.suffix}`;
}

/** The upstream registries of `images`, sorted, each once. */
export const registriesOf = (images: readonly string[]): string[] => [...new Set(images.map((i) => parseImageRef(i).registry))].sort();

/**
 * `/etc/containerd/certs.d/<registry>/hosts.toml`: pull and resolve from `registryUrl` (e.g.
 * `http://se2e-abc-k2-registry:5000`) under the registry's prefix; anything not there falls through to the
 * refusing server. containerd tries the [host] entries in order and the `server` last.
 */
export function hostsToml(registry: string, registryUrl: string): string {
  if (!/^http:\/\/[^/\s"]+$/.test(registryUrl)) throw new Error(`not an http://host:port URL: ${registryUrl}`);
  if (!/^[A-Za-z0-9.:_-]+$/.test(registry)) throw new Error(`not a registry host: ${registry}`);
  return [
    `# Written by stateful-e2e (--image-load registry) for this cluster: ${registry} images come from the run's`,
    '# registry container; whatever it does not hold falls through to the server, which refuses (nothing goes out).',
    `server = "${REFUSE_SERVER}"`,
    '',
    `[host."${registryUrl}/v2/${mirrorPrefix(registry)}"]`,
    '  capabilities = ["pull", "resolve"]',
    '  override_path = true',
    '',
  ].join('\n');
}

const secs = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(1)}s`;
const lastLine = (s: string): string =>
  s
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop() ?? 'unknown error';

/** Polls the registry's API root until it answers 200 (docker push needs it), or throws after `ms`. */
const untilServing = (url: string, ms: number): Promise<void> =>
  until(
    async () => {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return r.status === 200 ? undefined : `HTTP ${r.status}`;
    },
    { timeoutMs: ms, intervalMs: 200 },
    (missing) => new Error(`${url} not serving after ${ms / 1000}s: ${missing}`),
  );

/** Fails with a one-line HarnessError when the registry image has not been built. */
export async function registryPreflight(): Promise<void> {
  if ((await $`docker image inspect ${REGISTRY_IMAGE}`.nothrow()).exitCode !== 0) {
    throw new HarnessError(`--image-load registry needs the image ${REGISTRY_IMAGE}: build it with \`bash ci/build-images.sh registry\``);
  }
}

/** Journal entry of a container the run started itself: the registry of a kind cluster (its own journal file). */
export type DockerContainerEntry = { readonly type: 'docker-container'; readonly name: string };

export const dockerContainerUndoer: Undoer<DockerContainerEntry> = {
  type: 'docker-container',
  async undo(entry) {
    // `docker rm -f` of a container that is already gone fails harmlessly
    await $`docker rm -f -v ${entry.name}`.nothrow();
  },
};

export interface LocalRegistry {
  /** Container name and network alias on the kind network: `<cluster>-registry`. */
  readonly name: string;
  /**
   * Starts the registry on first use, pushes `images` (present in the host's Docker) into it and points every
   * node's containerd at it for their registries. Returns the upstream registries configured.
   */
  serve(images: readonly string[], nodes: readonly string[]): Promise<string[]>;
  /** Removes the container (idempotent; waits for a start in flight, so nothing appears afterwards). */
  remove(): Promise<void>;
}

/** The registry of one kind cluster. Nothing is created until serve(). */
export function localRegistry(cluster: string, log: (line: string) => void): LocalRegistry {
  const name = `${cluster}-registry`;
  const entry: DockerContainerEntry = { type: 'docker-container', name };
  let journal: Journal | undefined;
  let unregister: (() => void) | undefined;
  let starting: Promise<{ stop: () => Promise<unknown>; hostPort: number }> | undefined;
  let removing: Promise<void> | undefined;
  /** Temporary `127.0.0.1:<port>/...` tags in the host's Docker not yet removed (a push interrupted by a signal). */
  const tags = new Set<string>();

  const remove = (): Promise<void> =>
    (removing ??= (async () => {
      if (!journal) return; // never started
      const started = await starting?.catch(() => undefined);
      const t0 = performance.now();
      let how = 'testcontainers';
      try {
        if (started) await started.stop();
        else how = 'docker rm';
      } catch (err) {
        how = `docker rm (testcontainers: ${errorMessage(err)})`;
      }
      // By name as well: a start that failed half-way, or a stop that did not remove.
      const rm = await $`docker rm -f -v ${name}`.nothrow();
      const gone = rm.exitCode === 0 || /No such container/i.test(rm.stderr);
      if (tags.size > 0) await $`docker rmi ${[...tags]}`.nothrow();
      if (!gone) log(`kind: registry ${name} not removed: ${lastLine(rm.stderr)}`);
      else {
        journal.done(entry);
        log(`kind: registry ${name} removed in ${secs(t0)} (${how})`);
      }
      unregister?.();
    })());

  const start = async (): Promise<{ stop: () => Promise<unknown>; hostPort: number }> => {
    if (isStopping()) throw new HarnessError('interrupted before the image registry was started', 130);
    // Journaled before the container exists: a run killed from here on leaves an entry for the next run or --cleanup.
    journal = new Journal(name);
    journal.add(entry);
    unregister = onCleanup(`registry ${name}`, remove);
    // testcontainers' reaper (Ryuk) is a container image pulled from Docker Hub, which this machine cannot reach;
    // removal is ours (journal + teardown task + destroy()), so the reaper is disabled. testcontainers reads the
    // variable when it first looks for a reaper; it is set before the module is even loaded (dynamic import,
    // which also keeps testcontainers out of `--image-load kind-load` runs).
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    const tc = await import('testcontainers');
    /** Publishes port 5000 on 127.0.0.1 only (withExposedPorts binds every interface). */
    class RegistryContainer extends tc.GenericContainer {
      protected override async beforeContainerCreated(): Promise<void> {
        this.hostConfig.PortBindings = { [`${REGISTRY_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '0' }] };
      }
    }
    const t0 = performance.now();
    const started = await new RegistryContainer(REGISTRY_IMAGE)
      .withName(name)
      .withNetworkMode(KIND_NETWORK)
      .withNetworkAliases(name)
      .withExposedPorts(REGISTRY_PORT)
      .withLabels({ 'io.stateful-e2e.cluster': cluster, 'io.stateful-e2e.role': 'registry' })
      .withPullPolicy(tc.PullPolicy.neverPull())
      // Not Wait.forHttp: it asks `localhost`, which Node resolves to ::1 first, and the port is on 127.0.0.1 only.
      .withWaitStrategy(tc.Wait.forLogMessage(/listening on/))
      .withStartupTimeout(60_000)
      .start();
    const hostPort = started.getMappedPort(REGISTRY_PORT);
    await untilServing(`http://127.0.0.1:${hostPort}/v2/`, 15_000);
    log(`kind: registry ${name} (${REGISTRY_IMAGE}) on ${KIND_NETWORK} as ${name}:${REGISTRY_PORT}, host 127.0.0.1:${hostPort}, up in ${secs(t0)}`);
    return { hostPort, stop: () => started.stop({ remove: true, removeVolumes: true, timeout: 0 }) };
  };

  return {
    name,
    remove,
    async serve(images, nodes) {
      if (removing) throw new HarnessError(`registry ${name} was removed`);
      starting ??= start();
      let hostPort: number;
      try {
        ({ hostPort } = await starting);
      } catch (err) {
        if (err instanceof HarnessError) throw err;
        throw new HarnessError(`kind: starting the image registry ${name} failed: ${errorMessage(err)}`);
      }
      const mirror = `127.0.0.1:${hostPort}`;
      const t0 = performance.now();
      // Per repository one push after the other (tags share layers), repositories in parallel.
      const byRepo = new Map<string, string[]>();
      for (const i of images) {
        const r = parseImageRef(i);
        const key = `${r.registry}/${r.path}`;
        byRepo.set(key, [...(byRepo.get(key) ?? []), i]);
      }
      await Promise.all(
        [...byRepo.values()].map(async (group) => {
          for (const i of group) {
            const target = mirrorImage(i, mirror);
            tags.add(target);
            const tag = await $`docker tag ${i} ${target}`.nothrow();
            if (tag.exitCode !== 0) throw new HarnessError(`docker tag ${i} ${target} failed: ${lastLine(tag.stderr)}`);
            const push = await $`docker push ${target}`.nothrow();
            // the temporary tag names a random port: never leave it behind
            if ((await $`docker rmi ${target}`.nothrow()).exitCode === 0) tags.delete(target);
            if (push.exitCode !== 0) throw new HarnessError(`docker push ${target} failed: ${lastLine(push.stderr)}`);
          }
        }),
      );
      const pushed = performance.now();
      const registries = registriesOf(images);
      const url = `http://${name}:${REGISTRY_PORT}`;
      await Promise.all(
        nodes.flatMap((node) =>
          registries.map(async (reg) => {
            const dir = `${CERTS_D}/${reg}`;
            const w = await $({ input: hostsToml(reg, url) })`docker exec -i ${node} sh -c ${`mkdir -p '${dir}' && cat > '${dir}/hosts.toml'`}`.nothrow();
            if (w.exitCode !== 0) throw new HarnessError(`kind: writing ${dir}/hosts.toml on ${node} failed: ${lastLine(w.stderr)}`);
          }),
        ),
      );
      log(
        `kind: pushed ${images.length} images to ${name} in ${((pushed - t0) / 1000).toFixed(1)}s; ${nodes.length} nodes pull ${registries.join(', ')} from it (hosts.toml in ${secs(pushed)})`,
      );
      return registries;
    },
  };
}
