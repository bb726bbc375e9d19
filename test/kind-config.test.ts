import { readFileSync } from 'node:fs';
import { kindNodeNames } from '../src/providers/provider.ts';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kindConfigFor } from '../src/providers/kind/index.ts';
import {
  cniConflist,
  clusterCIDRFlag,
  egressGuard,
  imageRepository,
  offlineKindConfig,
  podRoutes,
  sharedStorageConfig,
} from '../src/providers/kind/network.ts';

const base = readFileSync(new URL('../kind-config.yaml', import.meta.url), 'utf8');

describe('kind cluster config', () => {
  it('has one control plane and the profile worker count, keeping the base settings', () => {
    const cfg = parse(kindConfigFor(base, 2));
    expect(cfg.nodes.map((n: { role: string }) => n.role)).toEqual(['control-plane', 'worker', 'worker']);
    expect(cfg.networking.dnsSearch).toEqual([]);
    expect(cfg.nodes[1].extraMounts).toBeUndefined();
  });

  it('mounts the shared directory on every node, the control plane included, for K4S', () => {
    const cfg = parse(kindConfigFor(base, 4, '/tmp/run/shared'));
    expect(cfg.nodes).toHaveLength(5);
    expect(cfg.nodes[0].role).toBe('control-plane');
    for (const n of cfg.nodes) expect(n.extraMounts).toEqual([{ hostPath: '/tmp/run/shared', containerPath: '/var/local-path-provisioner' }]);
    // mounts of the base config are kept
    const own = 'nodes:\n  - role: control-plane\n  - role: worker\n    extraMounts: [{ hostPath: /data, containerPath: /data }]\n';
    const k = parse(kindConfigFor(own, 2, '/s'));
    expect(k.nodes[1].extraMounts).toEqual([
      { hostPath: '/data', containerPath: '/data' },
      { hostPath: '/s', containerPath: '/var/local-path-provisioner' },
    ]);
    expect(k.nodes[0].extraMounts).toEqual([{ hostPath: '/s', containerPath: '/var/local-path-provisioner' }]);
  });

  it('leaves non-shared profiles without mounts', () => {
    for (const w of [2, 3]) for (const n of parse(kindConfigFor(base, w)).nodes) expect(n.extraMounts).toBeUndefined();
  });

  it('configures local-path-provisioner for a shared file system (no nodePathMap: PVs without nodeAffinity)', () => {
    expect(JSON.parse(sharedStorageConfig())).toEqual({ nodePathMap: [], sharedFileSystemPath: '/var/local-path-provisioner' });
    expect(JSON.parse(sharedStorageConfig('/mnt/shared')).sharedFileSystemPath).toBe('/mnt/shared');
    expect(() => sharedStorageConfig('/')).toThrow();
    expect(() => sharedStorageConfig('relative')).toThrow();
  });

  it('disables the default CNI for offline node images and keeps the rest', () => {
    const cfg = parse(offlineKindConfig(kindConfigFor(base, 3)));
    expect(cfg.networking).toEqual({ dnsSearch: [], disableDefaultCNI: true });
    expect(cfg.nodes).toHaveLength(4);
    expect(parse(offlineKindConfig('')).networking).toEqual({ disableDefaultCNI: true });
  });

  it('names nodes like kind', () => {
    expect(kindNodeNames('se2e-1-k3', 3)).toEqual({
      controlPlane: 'se2e-1-k3-control-plane',
      workers: ['se2e-1-k3-worker', 'se2e-1-k3-worker2', 'se2e-1-k3-worker3'],
    });
  });
});

describe('static pod network', () => {
  it('writes a ptp + host-local conflist over the node podCIDR', () => {
    const c = JSON.parse(cniConflist('10.244.1.0/24'));
    expect(c.plugins.map((p: { type: string }) => p.type)).toEqual(['ptp', 'portmap']);
    expect(c.plugins[0].ipam.ranges).toEqual([[{ subnet: '10.244.1.0/24' }]]);
    expect(c.plugins[0].ipMasq).toBe(false);
    expect(() => cniConflist('fd00::/64')).toThrow(/IPv4/);
  });

  it('routes every other node podCIDR via that node', () => {
    const r = podRoutes(
      [
        { name: 'a', ip: '172.18.0.2', podCIDR: '10.244.0.0/24' },
        { name: 'b', ip: '172.18.0.3', podCIDR: '10.244.1.0/24' },
        { name: 'c', ip: '172.18.0.4', podCIDR: '10.244.2.0/24' },
      ],
      '10.244.0.0/16',
    );
    expect(r.get('a')).toEqual([
      ['ip', 'route', 'replace', 'unreachable', '10.244.0.0/16'],
      ['ip', 'route', 'replace', 'unreachable', '10.244.0.0/24'],
      ['ip', 'route', 'replace', '10.244.1.0/24', 'via', '172.18.0.3'],
      ['ip', 'route', 'replace', '10.244.2.0/24', 'via', '172.18.0.4'],
    ]);
    expect(r.get('c')).toHaveLength(4);
    expect(podRoutes([{ name: 'a', ip: '172.18.0.2', podCIDR: '10.244.0.0/24' }]).get('a')).toEqual([
      ['ip', 'route', 'replace', 'unreachable', '10.244.0.0/24'],
    ]);
  });

  it('guards egress: pods reach the pod range and the kind network, nothing else; idempotent on a second run', () => {
    const g = egressGuard('10.244.0.0/16');
    expect(g[0]).toBe('iptables -N STATEFUL-E2E-EGRESS 2>/dev/null || iptables -F STATEFUL-E2E-EGRESS');
    expect(g).toContain('iptables -A STATEFUL-E2E-EGRESS -d 10.244.0.0/16 -j RETURN');
    expect(g.at(-2)).toBe('iptables -A STATEFUL-E2E-EGRESS -j REJECT --reject-with icmp-admin-prohibited');
    expect(g.at(-1)).toMatch(/^iptables -C FORWARD -s 10\.244\.0\.0\/16 -j STATEFUL-E2E-EGRESS 2>\/dev\/null \|\| iptables -I FORWARD 1 /);
    expect(() => egressGuard('10.244.0.0/16; rm -rf /')).toThrow(/not an IPv4 CIDR/);
  });

  it("reads kube-controller-manager's --cluster-cidr", () => {
    expect(clusterCIDRFlag(['kube-controller-manager', '--allocate-node-cidrs=true', '--cluster-cidr=10.244.0.0/16'])).toBe('10.244.0.0/16');
    expect(clusterCIDRFlag(['kube-controller-manager', '--cluster-cidr=fd00::/56'])).toBeUndefined();
    expect(clusterCIDRFlag([])).toBeUndefined();
  });

  it('finds the repository of an image reference', () => {
    expect(imageRepository('registry.k8s.io/nginx-slim:0.24')).toBe('registry.k8s.io/nginx-slim');
    expect(imageRepository('localhost:5000/busybox')).toBe('localhost:5000/busybox');
    expect(imageRepository('busybox:1.28@sha256:abc')).toBe('busybox');
  });
});
