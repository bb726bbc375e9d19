import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { World, partialNote, windowMs } from '../src/scenario.ts';
import type { RunContext } from '../src/context.ts';
import type { Capability } from '../src/providers/provider.ts';

// A World is built offline: the kubeconfig is only read, and nothing talks to the (absent) server before start().
const dir = mkdtempSync(path.join(os.tmpdir(), 'scenario-world-'));
const kubeconfig = path.join(dir, 'kubeconfig');
writeFileSync(
  kubeconfig,
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
    'users: [{name: u, user: {token: t}}]',
    'contexts: [{name: x, context: {cluster: c, user: u}}]',
    'current-context: x',
  ].join('\n'),
);
mkdirSync(path.join(dir, 'unit'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const world = (timeoutScale: number, capabilities: readonly Capability[] = []): World => {
  const ctx: RunContext = {
    runId: 'run123456',
    provider: capabilities.length ? 'kind' : 'kwok',
    clusterName: 'c',
    kubeconfig,
    capabilities,
    workerNodes: [],
    fixturesDir: dir,
    fixtureRoots: {},
    reportDir: dir,
    imageMap: {},
    keep: 'never',
    timeoutScale,
  };
  return new World('unit', ctx);
};

describe('windows ("nothing happens for N s")', () => {
  it('never shrink below the catalogue: window(30) at scale 0.1 is 30 s where timeoutMs(30) is 3 s', () => {
    const w = world(0.1);
    expect(w.timeoutMs(30)).toBeCloseTo(3000);
    expect(w.window(30)).toBeGreaterThanOrEqual(30_000);
    expect(w.window(30)).toBe(30_000);
  });
  it('lengthen with a scale above 1, like timeouts', () => {
    expect(world(2).window(30)).toBe(60_000);
    expect(windowMs(30, 2)).toBe(world(2).timeoutMs(30));
  });
  it('windowMs is the catalogue length at any scale up to 1', () => {
    for (const scale of [0.01, 0.5, 1]) expect(windowMs(90, scale)).toBe(90_000);
  });
});

describe('partial assertions', () => {
  it('builds no note when nothing was left out, so the assertion passes', () => {
    expect(partialNote([], 'kind')).toBeUndefined();
  });
  it('says what passed, what was not shown with what it needs, and the provider', () => {
    expect(partialNote([{ what: '/hello read on zk-2', needs: 'exec' }], 'kwok')).toBe(
      'partial: the API part passed; not shown: /hello read on zk-2 (needs exec); provider kwok cannot show it',
    );
    expect(
      partialNote(
        [
          { what: 'readiness is simulated: Ready does not show that zk-1 serves', needs: 'probes' },
          { what: '/hello read on zk-1', needs: 'exec' },
        ],
        'kwok',
      ),
    ).toBe(
      'partial: the API part passed; not shown: readiness is simulated: Ready does not show that zk-1 serves (needs probes); /hello read on zk-1 (needs exec); provider kwok cannot show it',
    );
  });
  it('collects shortfalls per assess step, once each, and notes them on the timeline', () => {
    const w = world(1);
    w.beginAssertion();
    w.partial('curl on web-0', 'exec');
    w.partial('curl on web-0', 'exec'); // e.g. from a retried check
    w.readyMeans('that the node answers');
    const got = w.endAssertion();
    expect(got).toEqual([
      { what: 'curl on web-0', needs: 'exec' },
      { what: 'readiness is simulated: Ready does not show that the node answers', needs: 'probes' },
    ]);
    expect(partialNote(got, 'kwok')).toMatch(/^partial: /);
    expect(w.timeline.entries.filter((e) => e.source === 'partial').map((e) => e.text)).toEqual([
      'not shown: curl on web-0 (needs exec)',
      'not shown: readiness is simulated: Ready does not show that the node answers (needs probes)',
    ]);
    // The next step starts clean.
    w.beginAssertion();
    expect(w.endAssertion()).toEqual([]);
  });
  it('leaves nothing out where the provider has the capability', () => {
    const w = world(1, ['exec', 'dns', 'network', 'probes', 'logs']);
    w.beginAssertion();
    w.readyMeans('that the node answers');
    expect(partialNote(w.endAssertion(), 'kind')).toBeUndefined();
  });
  it('refuses a shortfall outside an assess step: a setup has no verdict to mark partial', () => {
    expect(() => world(1).partial('/hello created on zk-0', 'exec')).toThrow(/outside an assess step/);
  });
});

describe('World as a composition of a namespace session and a recorder', () => {
  it('aliases the parts, so a helper handed w.session or w.recorder sees what the scenario sees', () => {
    const w = world(1);
    expect(w.timeline).toBe(w.recorder.timeline);
    expect(w.deviations).toBe(w.recorder.deviations);
    expect(w.failed).toBe(w.recorder.failed);
    expect(w.kube).toBe(w.session.kube);
    expect(w.ns).toBe(w.session.ns);
    expect(w.pods).toBe(w.session.pods);
    expect(w.statefulsets).toBe(w.session.statefulsets);
    expect(w.pvcs).toBe(w.session.pvcs);
    expect(w.scenarioName).toBe('unit');
    expect(w.ns).toMatch(/^unit-run123-[0-9a-f]{4}$/);
  });
  it("records the session's steps and fixture overlays on the world's timeline, each deviation once", () => {
    writeFileSync(
      path.join(dir, 'unit', 'app.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: StatefulSet',
        'metadata: {name: web}',
        'spec:',
        '  template:',
        '    spec:',
        '      containers: [{name: nginx, image: nginx, imagePullPolicy: Always}]',
      ].join('\n'),
    );
    const w = world(1);
    w.session.step('by the session');
    const [sts] = w.fixture('app.yaml');
    w.fixture('app.yaml');
    w.deviation('StatefulSet/web container nginx', 'imagePullPolicy Always -> IfNotPresent (preloaded images)');
    expect(sts?.kind).toBe('StatefulSet');
    expect(w.deviations).toEqual([{ object: 'StatefulSet/web container nginx', change: 'imagePullPolicy Always -> IfNotPresent (preloaded images)' }]);
    expect(w.timeline.entries.map((e) => `${e.source}: ${e.text}`)).toEqual([
      'step: by the session',
      'overlay: app.yaml: StatefulSet/web container nginx: imagePullPolicy Always -> IfNotPresent (preloaded images)',
    ]);
  });
});
