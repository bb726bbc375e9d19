/**
 * --reuse: a cluster kept warm between runs, one per provider, profile and Kubernetes version. It is reused only
 * while its fingerprint (what the provider says must be unchanged: node image ID, binaries, profile) matches, and
 * only after what earlier runs left in it is reset: their namespaces, the nodes they cordoned, Released volumes.
 * `npm run e2e -- --cleanup` removes it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { V1Namespace } from '@kubernetes/client-node';
import { connect } from './kube/client.ts';
import { CORDONED_BY, uncordon } from './kube/drain.ts';
import { RUN_LABEL } from './kube/run-objects.ts';
import { ResourceWatch } from './kube/watch.ts';
import { stateDir } from './journal.ts';
import { Timeline } from './timeline.ts';

export type Fingerprint = Readonly<Record<string, string>>;

/** Where a kept cluster's files live (kubeconfig, kwok's pids and logs, the fingerprint): outside any run's tmp dir. */
export const reuseDir = (provider: string, clusterName: string): string => path.join(stateDir(), 'reuse', `${provider}-${clusterName}`);

const FILE = 'fingerprint.json';

export function readFingerprint(dir: string): Fingerprint | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, FILE), 'utf8')) as Fingerprint;
  } catch {
    return undefined;
  }
}

export function writeFingerprint(dir: string, fp: Fingerprint): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, FILE), JSON.stringify(fp, null, 1));
}

/** Why a kept cluster cannot serve: the first key that differs (`node image: a → b`), or undefined when it can. */
export function fingerprintChange(kept: Fingerprint | undefined, now: Fingerprint): string | undefined {
  if (!kept) return 'no kept cluster';
  for (const k of new Set([...Object.keys(now), ...Object.keys(kept)])) {
    if (kept[k] !== now[k]) return `${k} changed: ${kept[k] ?? '(none)'} → ${now[k] ?? '(none)'}`;
  }
  return undefined;
}

/**
 * Resets a kept cluster for the next run: every namespace an earlier run made (label stateful-e2e/run) is deleted
 * and waited for, every node a run cordoned is uncordoned. Returns what was done, for the log.
 */
export async function resetKeptCluster(kubeconfigPath: string, timeoutMs = 120_000): Promise<string[]> {
  if (!existsSync(kubeconfigPath)) return [];
  const kube = connect(kubeconfigPath);
  const done: string[] = [];
  for (const n of (await kube.core.listNode({ labelSelector: CORDONED_BY })).items) {
    await uncordon(kube, n.metadata!.name!);
    done.push(`uncordoned ${n.metadata!.name}`);
  }
  const timeline = new Timeline();
  const w = new ResourceWatch<V1Namespace>(
    kube,
    { path: '/api/v1/namespaces', apiVersion: 'v1', kind: 'Namespace', labelSelector: RUN_LABEL },
    timeline,
    (n) => n.status?.phase ?? '',
  );
  await w.start();
  try {
    const names = [...w.current.keys()];
    for (const name of names) await kube.core.deleteNamespace({ name }).catch(() => undefined);
    if (names.length > 0) {
      await w.until(() => w.current.size === 0, timeoutMs, `namespaces of earlier runs to be deleted (${names.join(', ')})`);
      done.push(`deleted ${names.length} namespace(s) of earlier runs: ${names.join(', ')}`);
    }
  } finally {
    w.stop();
  }
  // Volumes whose claims went with those namespaces: Delete-policy ones go by themselves; Retain ones would pile up.
  for (const pv of (await kube.core.listPersistentVolume()).items) {
    if (pv.status?.phase === 'Released') {
      await kube.core.deletePersistentVolume({ name: pv.metadata!.name! }).catch(() => undefined);
      done.push(`deleted Released PV ${pv.metadata!.name}`);
    }
  }
  return done;
}
