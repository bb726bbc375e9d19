/**
 * E6 — ConfigMap consumed as environment variables (seeds/001 L51-135, the book chapter; catalogue §E6, assertions
 * E6.1–E6.2) on profile K2. The book creates ConfigMap db-config, reads it back, then runs a busybox pod that maps
 * its key `db-ip-addresses` to DB_IP_ADDRESSES, prints its environment with `env` and exits.
 */
import { expect } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { defineScenario, feature } from '../src/scenario.ts';
import { whyNotRunning } from '../src/kube/statefulset.ts';

const POD = 'some-pod';
const CONTAINER = 'some-container';
const KEY = 'db-ip-addresses';
const VALUE = '1.2.3.4,5.6.7.8';
/** The book's image (001 L99): the floating `busybox` tag, pinned by the fixture (catalogue §0.4). */
const SEED_IMAGE = 'busybox';

/** The lines `env` printed, as `kubectl logs some-pod` shows them (001 L113-134): one `NAME=value` per line. */
export function envLines(log: string): string[] {
  return log
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l !== '');
}

function describePod(p: V1Pod | undefined): string {
  if (!p) return `${POD} absent`;
  const term = p.status?.containerStatuses?.[0]?.state?.terminated;
  const ended = term ? ` [terminated: ${term.reason ?? '?'}, exit ${term.exitCode}]` : '';
  return `${POD}=${p.status?.phase ?? 'Pending'}${whyNotRunning(p)}${ended}`;
}

export const scenario = defineScenario({
  name: 'configmap-env',
  profile: 'K2',
  source: 'seeds/001 L51-135',
  summary: 'E6: ConfigMap db-config consumed as an environment variable by a busybox pod that prints env',
  fixtures: ['configmap.yaml', 'some-pod.yaml'],
});

feature(scenario, (f) => {
  f.setup('kubectl create -f configmap.yaml', async (w) => {
    const cm = w.fixture('configmap.yaml').find((o) => o.kind === 'ConfigMap');
    const seedNs = cm?.metadata?.namespace;
    if (seedNs && seedNs !== w.ns)
      w.deviation(`ConfigMap/${cm?.metadata?.name}`, `metadata.namespace ${seedNs} -> ${w.ns} (each scenario runs in its own namespace, catalogue §0.6)`);
    await w.apply('configmap.yaml');
  });

  f.assess('E6.1', 'kubectl get configmap db-config: one key, db-ip-addresses = 1.2.3.4,5.6.7.8', { timeout: 10 }, async (w) => {
    const cm = await w.kube.core.readNamespacedConfigMap({ name: 'db-config', namespace: w.ns });
    w.timeline.add('note', 'get', `ConfigMap/db-config data: ${JSON.stringify(cm.data ?? {})}`);
    // The book: "the data section holds all key-value pairs; here only one, db-ip-addresses" (001 L68).
    expect(Object.keys(cm.data ?? {})).toEqual([KEY]);
    expect(cm.data?.[KEY]).toBe(VALUE);
  });

  f.assess(
    'E6.2',
    'some-pod Succeeds and its log has DB_IP_ADDRESSES=1.2.3.4,5.6.7.8, HOSTNAME=some-pod, KUBERNETES_SERVICE_PORT=443',
    // The pod must really run `env` to completion (kwok never completes a bare pod) and its log must be read.
    { timeout: 60, needs: ['probes', 'logs'] },
    async (w) => {
      const pod = w.fixture('some-pod.yaml').find((o) => o.kind === 'Pod') as V1Pod | undefined;
      const image = pod?.spec?.containers?.[0]?.image;
      if (image && image !== SEED_IMAGE) w.deviation(`Pod/${POD} container ${CONTAINER}`, `image ${SEED_IMAGE} -> ${image} (pinned, catalogue §0.4)`);
      await w.apply('some-pod.yaml');
      await w.pods.until(
        () => {
          const p = w.pod(POD);
          if (p?.status?.phase === 'Failed') throw new Error(`${POD} failed: ${describePod(p)}`);
          return p?.status?.phase === 'Succeeded';
        },
        w.timeoutMs(60),
        `${POD} to reach phase Succeeded`,
        () => describePod(w.pod(POD)),
      );
      const log = await w.kube.core.readNamespacedPodLog({ name: POD, namespace: w.ns, container: CONTAINER });
      w.timeline.add('note', 'logs', `${POD}: ${log.trim().slice(0, 2000)}`);
      const lines = envLines(log);
      for (const line of [`DB_IP_ADDRESSES=${VALUE}`, `HOSTNAME=${POD}`, 'KUBERNETES_SERVICE_PORT=443']) expect(lines, log).toContain(line);
    },
  );
});
