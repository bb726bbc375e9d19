/**
 * Failure diagnostics, captured before any teardown: pods (with container states), StatefulSets, PVCs and the
 * namespace's Events, as YAML, into <report-dir>/diagnostics/<scenario>/; on kind also `kind export logs` into
 * its kind-logs/ (node journals, kubelet, containerd, every container's log).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { World } from '../scenario.ts';
import { exportKindLogs } from '../providers/kind-logs.ts';

/** Catalogue-style budget for `kind export logs` (scaled by TIMEOUT_SCALE): a few nodes take 10-30 s on 2 cores. */
const KIND_EXPORT_TIMEOUT_S = 120;
export const KIND_LOGS_DIR = 'kind-logs';

export async function collectDiagnostics(w: World): Promise<string> {
  const dir = path.join(w.ctx.reportDir, 'diagnostics', w.scenarioName);
  mkdirSync(dir, { recursive: true });
  let apiError: unknown;
  try {
    await apiDiagnostics(w, dir);
  } catch (err) {
    apiError = err;
  }
  // Also when the API part failed: node logs matter most when the API server itself is in trouble.
  if (w.ctx.provider === 'kind') {
    const t0 = performance.now();
    const err = await exportKindLogs(w.ctx.clusterName, path.join(dir, KIND_LOGS_DIR), w.seconds(KIND_EXPORT_TIMEOUT_S));
    const line = err
      ? `diagnostics: kind export logs ${w.ctx.clusterName} failed (the run goes on): ${err}`
      : `diagnostics: kind export logs ${w.ctx.clusterName} → ${path.join(dir, KIND_LOGS_DIR)} in ${((performance.now() - t0) / 1000).toFixed(0)}s`;
    w.timeline.add('note', 'diagnostics', line);
    // scenario workers' console output reaches the CLI through vitest (ProgressReporter.onUserConsoleLog)
    console.log(line);
  }
  if (apiError !== undefined) throw apiError;
  w.timeline.add('note', 'diagnostics', `diagnostics written to ${dir}`);
  return dir;
}

async function apiDiagnostics(w: World, dir: string): Promise<void> {
  const ns = w.ns;
  const [pods, sts, pvcs, events, nodes] = await Promise.all([
    w.kube.core.listNamespacedPod({ namespace: ns }),
    w.kube.apps.listNamespacedStatefulSet({ namespace: ns }),
    w.kube.core.listNamespacedPersistentVolumeClaim({ namespace: ns }),
    w.kube.core.listNamespacedEvent({ namespace: ns }),
    w.kube.core.listNode(),
  ]);
  const dump = (file: string, value: unknown): void => writeFileSync(path.join(dir, file), stringify(JSON.parse(JSON.stringify(value))));
  dump('pods.yaml', pods.items);
  dump('statefulsets.yaml', sts.items);
  dump('pvcs.yaml', pvcs.items);
  dump(
    'nodes.yaml',
    nodes.items.map((n) => ({ name: n.metadata?.name, unschedulable: n.spec?.unschedulable, taints: n.spec?.taints, conditions: n.status?.conditions })),
  );
  const lines = events.items
    .map((e) => `${String(e.lastTimestamp ?? e.eventTime ?? '')} ${e.type} ${e.reason} ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message ?? ''}`)
    .sort();
  writeFileSync(path.join(dir, 'events.txt'), `${lines.join('\n')}\n`);
  if (w.has('logs')) {
    for (const p of pods.items) {
      const name = p.metadata?.name ?? '';
      for (const c of p.spec?.containers ?? []) {
        for (const previous of [false, true]) {
          try {
            const log = await w.kube.core.readNamespacedPodLog({ name, namespace: ns, container: c.name, previous, tailLines: 500 });
            writeFileSync(path.join(dir, `${name}.${c.name}${previous ? '.previous' : ''}.log`), log);
          } catch {
            // no previous container, or logs unavailable: nothing to keep
          }
        }
      }
    }
  }
}
