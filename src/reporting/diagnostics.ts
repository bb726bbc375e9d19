/**
 * Failure diagnostics, captured before any teardown: pods (with container states), StatefulSets, PVCs and the
 * namespace's Events, as YAML, into <report-dir>/diagnostics/<scenario>/; on kind also `kind export logs` into
 * its kind-logs/ (node journals, kubelet, containerd, every container's log).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { RunContext } from '../context.ts';
import type { Kube } from '../kube/client.ts';
import type { Timeline } from '../timeline.ts';
import { exportLogs, hasLogs } from '../providers/index.ts';

/** Catalogue-style budget for `kind export logs` (scaled by TIMEOUT_SCALE): a few nodes take 10-30 s on 2 cores. */
const KIND_EXPORT_TIMEOUT_S = 120;
export const KIND_LOGS_DIR = 'kind-logs';

/** What diagnostics need of a failed scenario: src/scenario.ts hands over its World's. */
export interface DiagnosticsContext {
  /** The run: report directory, provider and cluster (kind: node logs), capabilities (logs), timeout scale. */
  readonly run: Pick<RunContext, 'reportDir' | 'provider' | 'clusterName' | 'capabilities' | 'timeoutScale'>;
  /** The scenario: its diagnostics go to <report-dir>/diagnostics/<scenario>/. */
  readonly scenario: string;
  /** The scenario's namespace, whose objects, Events and container logs are saved. */
  readonly namespace: string;
  readonly kube: Pick<Kube, 'core' | 'apps'>;
  /** The scenario's timeline: notes where the diagnostics went. */
  readonly timeline: Pick<Timeline, 'add'>;
}

export async function collectDiagnostics(d: DiagnosticsContext): Promise<string> {
  const dir = path.join(d.run.reportDir, 'diagnostics', d.scenario);
  mkdirSync(dir, { recursive: true });
  let apiError: unknown;
  try {
    await apiDiagnostics(d, dir);
  } catch (err) {
    apiError = err;
  }
  // Also when the API part failed: node logs matter most when the API server itself is in trouble.
  if (hasLogs(d.run.provider)) {
    const t0 = performance.now();
    const err = await exportLogs(d.run.provider, d.run.clusterName, path.join(dir, KIND_LOGS_DIR), KIND_EXPORT_TIMEOUT_S * 1000 * d.run.timeoutScale);
    const line = err
      ? `diagnostics: kind export logs ${d.run.clusterName} failed (the run goes on): ${err}`
      : `diagnostics: kind export logs ${d.run.clusterName} → ${path.join(dir, KIND_LOGS_DIR)} in ${((performance.now() - t0) / 1000).toFixed(0)}s`;
    d.timeline.add('note', 'diagnostics', line);
    // scenario workers' console output reaches the CLI through vitest (ProgressReporter.onUserConsoleLog)
    console.log(line);
  }
  if (apiError !== undefined) throw apiError;
  d.timeline.add('note', 'diagnostics', `diagnostics written to ${dir}`);
  return dir;
}

async function apiDiagnostics(d: DiagnosticsContext, dir: string): Promise<void> {
  const { kube, namespace: ns } = d;
  const [pods, sts, pvcs, events, nodes] = await Promise.all([
    kube.core.listNamespacedPod({ namespace: ns }),
    kube.apps.listNamespacedStatefulSet({ namespace: ns }),
    kube.core.listNamespacedPersistentVolumeClaim({ namespace: ns }),
    kube.core.listNamespacedEvent({ namespace: ns }),
    kube.core.listNode(),
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
  if (d.run.capabilities.includes('logs')) {
    for (const p of pods.items) {
      const name = p.metadata?.name ?? '';
      for (const c of p.spec?.containers ?? []) {
        for (const previous of [false, true]) {
          try {
            const log = await kube.core.readNamespacedPodLog({ name, namespace: ns, container: c.name, previous, tailLines: 500 });
            writeFileSync(path.join(dir, `${name}.${c.name}${previous ? '.previous' : ''}.log`), log);
          } catch {
            // no previous container, or logs unavailable: nothing to keep
          }
        }
      }
    }
  }
}
