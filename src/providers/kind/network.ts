/**
 * Pure helpers of the kind provider for offline node images (ci/build-node-image.sh): the cluster config they
 * need, and the static pod network that stands in for kindnetd (whose image no registry can deliver here).
 *
 * Static pod network, as kindnetd would set it up: every node gets a CNI conflist with the ptp plugin and
 * host-local IPAM over its own `.spec.podCIDR` (no masquerade: nothing leaves the Docker network), and a route
 * to every other node's podCIDR via that node's address on the `kind` Docker network. Unlike kindnetd, a pod
 * address that no pod has (its own podCIDR, or anywhere in the cluster's pod range) is `unreachable`, as Calico's
 * blackhole routes make it: a connect to a deleted pod's address fails at once (EHOSTUNREACH) instead of leaving
 * by the default route to the Docker host and timing out. ZooKeeper 3.4's leader election blocks 5 s on each such
 * connect to a member whose pod is gone (its stale address); that stalled S4b's [4.24] past 180 s. The nodes'
 * per-destination ICMP rate limit (1/s) is lifted so that each such connect learns it (`NODE_SYSCTLS`).
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

/** Run on every node before its routes: without it most `unreachable` answers were rate-limited (measured). */
export const NODE_SYSCTLS: readonly string[][] = [['sysctl', '-w', 'net.ipv4.icmp_ratelimit=0']];

/**
 * Per node, the `ip route replace` argv lists: every other node's pods via that node, and `unreachable` for the
 * rest of the pod range (`clusterCIDR`, when known) and of the node's own podCIDR (the ptp plugin's /32 route of
 * each pod is more specific).
 */
export function podRoutes(nodes: readonly KindNodeNet[], clusterCIDR?: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  for (const n of nodes) {
    out.set(n.name, [
      ...(clusterCIDR ? [['ip', 'route', 'replace', 'unreachable', clusterCIDR]] : []),
      ['ip', 'route', 'replace', 'unreachable', n.podCIDR],
      ...nodes.filter((m) => m.name !== n.name).map((m) => ['ip', 'route', 'replace', m.podCIDR, 'via', m.ip]),
    ]);
  }
  return out;
}

/** The chain of the egress guard on every node (its own, so re-applying it replaces it). */
export const EGRESS_CHAIN = 'STATEFUL-E2E-EGRESS';

/**
 * Shell lines (run on a node) that reject what a pod sends anywhere but the cluster's pods and the `kind` Docker
 * network (the nodes; the Docker host's gateway, which answers the nodes' DNS): without it such a packet leaves by
 * the node's default route and the Docker host forwards it off the machine, unNATed. Offline there is nothing to
 * reach out there, and nothing may be sent there (a workload's phone-home, an update check).
 */
export function egressGuard(clusterCIDR: string): string[] {
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(clusterCIDR)) throw new Error(`not an IPv4 CIDR: ${clusterCIDR}`);
  const c = EGRESS_CHAIN;
  return [
    `iptables -N ${c} 2>/dev/null || iptables -F ${c}`,
    `iptables -A ${c} -d ${clusterCIDR} -j RETURN`,
    `iptables -A ${c} -d "$(ip -o -4 route show dev eth0 scope link | awk 'NR==1 {print $1}')" -j RETURN`,
    `iptables -A ${c} -j REJECT --reject-with icmp-admin-prohibited`,
    `iptables -C FORWARD -s ${clusterCIDR} -j ${c} 2>/dev/null || iptables -I FORWARD 1 -s ${clusterCIDR} -j ${c}`,
  ];
}

/** The value of kube-controller-manager's `--cluster-cidr` flag in its command line, if any (IPv4 only). */
export function clusterCIDRFlag(command: readonly string[]): string | undefined {
  for (const arg of command) {
    const m = /^--cluster-cidr=(\d+\.\d+\.\d+\.\d+\/\d+)$/.exec(arg);
    if (m) return m[1];
  }
  return undefined;
}

/** `repo:tag` -> `repo` (digest or tag removed; a registry port is not a tag). */
export function imageRepository(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}
