/**
 * Pure helpers of the kind provider for offline node images (ci/build-node-image.sh): the cluster config they
 * need, and the static pod network that stands in for kindnetd (whose image no registry can deliver here).
 *
 * Static pod network, as kindnetd would set it up: every node gets a CNI conflist with the ptp plugin and
 * host-local IPAM over its own `.spec.podCIDR` (no masquerade: nothing leaves the Docker network), and a route
 * to every other node's podCIDR via that node's address on the `kind` Docker network.
 */
import { parse as parseYaml, stringify } from 'yaml';

/** Label that ci/build-node-image.sh and ci/build-images.sh put on what they build. */
export const STATEFUL_E2E_REV_LABEL = 'io.stateful-e2e.rev';
/** Label ci/build-images.sh puts on workload images (the recipe under ci/images/). */
export const STATEFUL_E2E_RECIPE_LABEL = 'io.stateful-e2e.recipe';
/** Where the conflist goes; kind's kindnetd writes the same file name. */
export const CNI_CONFLIST_PATH = '/etc/cni/net.d/10-kindnet.conflist';

export interface KindNodeNet {
  /** Node (= container) name, e.g. se2e-abc-k2-worker. */
  readonly name: string;
  /** The node's IPv4 address on the kind Docker network. */
  readonly ip: string;
  /** `.spec.podCIDR` assigned by kube-controller-manager. */
  readonly podCIDR: string;
}

/** Where local-path-provisioner keeps volumes on every node (kind's default path; the shared mount for K4S). */
export const LOCAL_PATH_DIR = '/var/local-path-provisioner';
/** The provisioner's ConfigMap and Deployment, as kind's default storage (and ci/build-node-image.sh's) name them. */
export const LOCAL_PATH_NAMESPACE = 'local-path-storage';
export const LOCAL_PATH_CONFIGMAP = 'local-path-config';
export const LOCAL_PATH_DEPLOYMENT = 'local-path-provisioner';

/**
 * local-path-provisioner's config.json for storage that every node mounts at the same path (K4S): with
 * `sharedFileSystemPath` it creates PVs without nodeAffinity, so a pod can move to another node with its volume.
 * `nodePathMap` must then be `[]` (the two are mutually exclusive; README of v0.0.30).
 */
export function sharedStorageConfig(dir: string = LOCAL_PATH_DIR): string {
  if (!dir.startsWith('/') || dir === '/') throw new Error(`not an absolute directory below /: ${dir}`);
  return JSON.stringify({ nodePathMap: [], sharedFileSystemPath: dir });
}

/** Settings an offline node image needs on top of the profile's config: no default CNI (no kindnetd image). */
export function offlineKindConfig(configYaml: string): string {
  const cfg = (parseYaml(configYaml) ?? {}) as { networking?: Record<string, unknown> } & Record<string, unknown>;
  cfg.networking = { ...(cfg.networking ?? {}), disableDefaultCNI: true };
  return stringify(cfg);
}

/** The CNI config of one node: ptp + host-local over its podCIDR, portmap for hostPorts. */
export function cniConflist(podCIDR: string, mtu = 1500): string {
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(podCIDR)) throw new Error(`not an IPv4 CIDR: ${podCIDR}`);
  return `${JSON.stringify(
    {
      cniVersion: '0.3.1',
      name: 'kindnet',
      plugins: [
        {
          type: 'ptp',
          ipMasq: false,
          mtu,
          ipam: { type: 'host-local', dataDir: '/run/cni-ipam-state', routes: [{ dst: '0.0.0.0/0' }], ranges: [[{ subnet: podCIDR }]] },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    1,
  )}\n`;
}

/** Per node, the `ip route replace` argv lists to reach every other node's pods. */
export function podRoutes(nodes: readonly KindNodeNet[]): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  for (const n of nodes) {
    out.set(
      n.name,
      nodes.filter((m) => m.name !== n.name).map((m) => ['ip', 'route', 'replace', m.podCIDR, 'via', m.ip]),
    );
  }
  return out;
}

/** `repo:tag` -> `repo` (digest or tag removed; a registry port is not a tag). */
export function imageRepository(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}
