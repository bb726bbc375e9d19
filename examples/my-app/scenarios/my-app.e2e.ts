/**
 * An app of your own, checked with the harness's public API only: ordered creation, stable identity, one bound
 * PVC per pod kept across scale-down, and scale-down in reverse ordinal order. Everything here is shown by the API
 * alone, so it passes on kwok as well as on kind.
 */
import { expect } from 'vitest';
import { defineScenario, feature, orderedCreate, orderedTerminate, podNames, scale, setPods, waitRunningAndReady, type Verdict } from 'stateful-e2e';

export const scenario = defineScenario({
  name: 'my-app',
  profile: 'K2',
  source: 'examples/my-app',
  summary: 'a three-replica key-value StatefulSet: ordering, identity, storage, scale-down order',
  fixtures: ['app.yaml'],
});

const SET = 'kv';
const holds = (v: Verdict): void => {
  if (!v.ok) throw new Error(v.reason);
};

feature(scenario, (f) => {
  let created = 0;

  f.setup('kubectl apply -f app.yaml', async (w) => {
    created = w.mark();
    await w.apply('app.yaml');
  });

  f.assess('A.1', 'kv-0, kv-1, kv-2 are created in ordinal order, each after its predecessor is Running and Ready', { timeout: 120 }, async (w) => {
    await waitRunningAndReady(w, SET, 3, 120);
    holds(orderedCreate(w.podEvents(), podNames(SET, 0, 2), created));
  });

  f.assess('A.2', 'each pod has its stable name as hostname and the headless Service as subdomain', { timeout: 10 }, async (w) => {
    for (const p of setPods(w, SET)) {
      expect(p.spec?.hostname).toBe(p.metadata?.name);
      expect(p.spec?.subdomain).toBe('kv');
    }
  });

  f.assess('A.3', 'each pod has its own Bound PVC data-kv-<ordinal>', { timeout: 60 }, async (w) => {
    const wanted = podNames('data-kv', 0, 2);
    await w.pvcs.until(() => wanted.every((n) => w.pvcs.current.get(n)?.status?.phase === 'Bound'), w.timeoutMs(60), `${wanted.join(', ')} to be Bound`);
  });

  f.assess('A.4', 'scaling to 1 terminates kv-2 before kv-1, and the PVCs stay', { timeout: 120 }, async (w) => {
    const from = w.mark();
    await scale(w, SET, 1);
    await w.pods.until(() => !w.pod('kv-1') && !w.pod('kv-2'), w.timeoutMs(120), 'kv-1 and kv-2 to be gone');
    holds(orderedTerminate(w.podEvents(), ['kv-2', 'kv-1'], from));
    expect([...w.pvcs.current.keys()].sort()).toEqual(podNames('data-kv', 0, 2));
  });
});
