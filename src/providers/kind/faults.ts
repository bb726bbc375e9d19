/**
 * Node faults on kind (issue 14): a node is a Docker container, so it can be stopped and started (`docker stop` sends
 * the node's systemd its stop signal: an orderly shutdown), paused and unpaused (cgroup freezer: every process of
 * the node hangs, its sockets stay open), or cut off from the other nodes (iptables DROP on its `kind` network
 * interface, in its own network namespace: the control plane, the other nodes and their pods are unreachable, the
 * node and its pods keep running).
 *
 * Each fault is a journal entry written before it is applied (World.nodeFault), and reverting it is idempotent, so
 * teardown, Ctrl-C, SIGTERM and `--cleanup` can always undo it, also from another process.
 *
 * A restarted node gets a new network namespace: its routes to the other nodes' pods are gone, and Docker may give
 * it another address on the `kind` network (kind#2045; kubelet keeps announcing the old one). The revert of a stop
 * therefore puts the node back on its old address if Docker moved it, and on offline node images (static pod
 * network, no kindnetd) writes every node's pod routes again.
 */
import { $ } from 'zx';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { HarnessError } from '../../errors.ts';
import type { Undoer } from '../../journal.ts';
import type { NodeFault, NodeFaults } from '../provider.ts';
import { lastLine, staticPodNetwork, until } from './pod-network.ts';

$.verbose = false;
$.quiet = true;

/** Journal entry of a node fault in force. `ip`: the node's address before the fault. */
export type KindNodeFaultEntry = {
  readonly type: 'kind-node-fault';
  readonly fault: NodeFault;
  readonly node: string;
  readonly ip: string;
  readonly kubeconfig: string;
};

/** The comment on every rule `isolate` adds: the revert deletes exactly these. */
const ISOLATE_TAG = 'stateful-e2e-isolate';
const KIND_NETWORK = 'kind';
/** How long the revert of a stop may take: the node back, its pod network and kube-proxy rules written again. */
const RESTART_BUDGET_MS = 240_000;

const docker = async (...args: string[]): Promise<{ ok: boolean; out: string; err: string }> => {
  const r = await $`docker ${args}`.nothrow();
  return { ok: r.exitCode === 0, out: r.stdout.trim(), err: lastLine(r.stderr || r.stdout || 'no output') };
};

const nodeIp = async (node: string): Promise<string> =>
  (await docker('inspect', '-f', `{{with index .NetworkSettings.Networks "${KIND_NETWORK}"}}{{.IPAddress}}{{end}}`, node)).out;

const state = async (node: string): Promise<string | undefined> => {
  const r = await docker('inspect', '-f', '{{.State.Status}}', node);
  return r.ok ? r.out : undefined; // undefined: no such container (the cluster is gone)
};

/** The rules of `isolate`: nothing in or out of the node's interface on the kind network, for the node and its pods. */
const isolateRules = (): string[][] =>
  [
    ['INPUT', '-i'],
    ['OUTPUT', '-o'],
    ['FORWARD', '-i'],
    ['FORWARD', '-o'],
  ].map(([chain, dir]) => [chain!, dir!, 'eth0', '-m', 'comment', '--comment', ISOLATE_TAG, '-j', 'DROP']);

/** What the entry of a fault on `node` says; read before the fault so that the revert knows the old address. */
export async function nodeFaultEntry(fault: NodeFault, node: string, kubeconfig: string): Promise<KindNodeFaultEntry> {
  const st = await state(node);
  if (st !== 'running') throw new HarnessError(`kind: node ${node} is ${st ?? 'not a container'}, so it cannot be given a ${fault} fault`);
  return { type: 'kind-node-fault', fault, node, ip: await nodeIp(node), kubeconfig };
}

export async function injectNodeFault(e: KindNodeFaultEntry): Promise<void> {
  const fail = (what: string, err: string): never => {
    throw new HarnessError(`kind: ${what} ${e.node} failed: ${err}`);
  };
  if (e.fault === 'stop') {
    const r = await docker('stop', e.node);
    if (!r.ok) fail('docker stop', r.err);
  } else if (e.fault === 'pause') {
    const r = await docker('pause', e.node);
    if (!r.ok) fail('docker pause', r.err);
  } else {
    for (const rule of isolateRules()) {
      const r = await docker('exec', e.node, 'iptables', '-I', ...rule);
      if (!r.ok) fail(`iptables -I ${rule.join(' ')} on`, r.err);
    }
  }
}

/** Undoes the fault; safe to repeat, and a no-op when the node (its cluster) is gone. */
export async function revertNodeFault(e: KindNodeFaultEntry): Promise<void> {
  const st = await state(e.node);
  if (st === undefined) return;
  if (e.fault === 'pause') {
    if (st === 'paused') {
      const r = await docker('unpause', e.node);
      if (!r.ok) throw new HarnessError(`kind: docker unpause ${e.node} failed: ${r.err}`);
    }
    return;
  }
  if (e.fault === 'isolate') {
    for (const rule of isolateRules()) {
      // -D removes one copy: repeat until iptables says there is none (a half-done inject or revert leaves any number).
      for (let i = 0; i < 10; i++) if (!(await docker('exec', e.node, 'iptables', '-D', ...rule)).ok) break;
    }
    return;
  }
  if (st !== 'running') {
    const r = await docker('start', e.node);
    if (!r.ok) throw new HarnessError(`kind: docker start ${e.node} failed: ${r.err}`);
  }
  const ip = await nodeIp(e.node);
  if (e.ip && ip !== e.ip) {
    // kind#2045: Docker gave the restarted node another address; kubelet and the other nodes know the old one.
    await docker('network', 'disconnect', KIND_NETWORK, e.node);
    const r = await docker('network', 'connect', '--ip', e.ip, KIND_NETWORK, e.node);
    if (!r.ok) throw new HarnessError(`kind: ${e.node} came back as ${ip}, not ${e.ip} (kind#2045), and could not be moved back: ${r.err}`);
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(e.kubeconfig);
  } catch {
    return; // the run's kubeconfig is gone with its cluster
  }
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = performance.now() + RESTART_BUDGET_MS;
  const names = (await core.listNode()).items.map((n) => n.metadata?.name ?? '').filter(Boolean);
  if (await usesStaticPodNetwork(kc)) await staticPodNetwork(core, names, deadline);
  await until(deadline, `node ${e.node} Ready again`, async () => {
    const n = (await core.readNode({ name: e.node })).status?.conditions?.find((c) => c.type === 'Ready');
    return n?.status === 'True' ? undefined : `Ready=${n?.status ?? '?'} (${n?.reason ?? ''})`;
  });
}

/** Offline node images carry no kindnetd: their pod network is the harness's static one (pod-network.ts). */
async function usesStaticPodNetwork(kc: KubeConfig): Promise<boolean> {
  const apps = kc.makeApiClient(AppsV1Api);
  const ds = await apps.listNamespacedDaemonSet({ namespace: 'kube-system' });
  return !ds.items.some((d) => d.metadata?.name === 'kindnet');
}

export const kindNodeFaultUndoer: Undoer<KindNodeFaultEntry> = { type: 'kind-node-fault', undo: revertNodeFault };

/** The container's main process (its PID on the node, from the runtime) gets SIGKILL. */
export async function killContainer(node: string, containerId: string): Promise<void> {
  const id = containerId.replace(/^[a-z]+:\/\//, '');
  const pid = await docker('exec', node, 'crictl', 'inspect', '--output', 'go-template', '--template', '{{.info.pid}}', id);
  if (!pid.ok || !/^[1-9]\d*$/.test(pid.out))
    throw new HarnessError(`kill container ${id.slice(0, 12)} on ${node}: no main process found (${pid.ok ? pid.out : pid.err})`);
  const k = await docker('exec', node, 'kill', '-KILL', pid.out);
  if (!k.ok) throw new HarnessError(`kill -KILL ${pid.out} (container ${id.slice(0, 12)}) on ${node}: ${k.err}`);
}

export const kindNodeFaults: NodeFaults<KindNodeFaultEntry> = { prepare: nodeFaultEntry, inject: injectNodeFault, revert: revertNodeFault, killContainer };
