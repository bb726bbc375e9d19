/**
 * Failure diagnostics, captured before any teardown: pods (with container states), StatefulSets, PVCs and the
 * namespace's Events, as YAML, into <report-dir>/diagnostics/<scenario>/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { World } from '../scenario.ts';

export async function collectDiagnostics(w: World): Promise<string> {
  const dir = path.join(w.ctx.reportDir, 'diagnostics', w.scenarioName);
  mkdirSync(dir, { recursive: true });
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
  dump('nodes.yaml', nodes.items.map((n) => ({ name: n.metadata?.name, unschedulable: n.spec?.unschedulable, taints: n.spec?.taints, conditions: n.status?.conditions })));
  const lines = events.items
    .map((e) => `${String(e.lastTimestamp ?? e.eventTime ?? '')} ${e.type} ${e.reason} ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message ?? ''}`)
    .sort();
  writeFileSync(path.join(dir, 'events.txt'), lines.join('\n') + '\n');
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
  w.timeline.add('note', 'diagnostics', `diagnostics written to ${dir}`);
  return dir;
}
