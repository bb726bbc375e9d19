/**
 * The scenario DSL: a tutorial becomes a feature with setup, assess and teardown steps (e2e-framework), with
 * diagnostics captured on failure before cleanup and cleanup that always runs (chainsaw's catch/finally).
 * Each assess step is one vitest test named with its catalogue ID, e.g. `[1.2] pods are created in order`.
 */
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest';
import type { KubernetesObject, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import type { Kube } from './kube/client.ts';
import type { DeleteOptions } from './kube/apply.ts';
import type { ExecResult } from './kube/exec.ts';
import type { ResourceWatch, WatchSpec } from './kube/watch.ts';
import type { Deviation } from './manifests.ts';
import { runContext, type RunContext } from './context.ts';
import { type Timeline, withTimeline } from './timeline.ts';
import type { PodEvent } from './ordering.ts';
import type { Capability, NodeFault } from './providers/provider.ts';
import { Journal, faultJournalPrefix, type JournalEntry } from './journal.ts';
import { collectDiagnostics } from './reporting/diagnostics.ts';
import { writeLedger } from './reporting/artifacts.ts';
import { ledgerOnTimeline } from './ledger/on-timeline.ts';
import type { Adapter, LedgerOptions, LedgerRun } from './ledger/writer.ts';
import { declareAssertions, isDiscovering, type DeclaredAssertion, type ScenarioMeta } from './discovery.ts';
import { NamespaceSession } from './namespace-session.ts';
import { Recorder, partialNote, type Shortfall } from './recorder.ts';

export { defineScenario, type ScenarioMeta } from './discovery.ts';
export { partialNote, type Shortfall } from './recorder.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** What the assertion measured (World.report()); the result collector copies it into results.json. */
    numbers?: Record<string, number>;
  }
}

export interface AssessOptions {
  /** The catalogue timeout in seconds (scaled by TIMEOUT_SCALE). */
  readonly timeout: number;
  /** What beyond the API the assertion needs; skipped with the reason where the provider lacks it. */
  readonly needs?: readonly Capability[];
  /**
   * Earlier assertions of this scenario whose effects this one builds on (prefer making a step establish its own
   * precondition, e.g. wait for Ready pods itself). `--grep` and `--rerun-failed` run these too, so a subset gives
   * the same verdict as the full run.
   */
  readonly after?: readonly string[];
  /**
   * Skipped with this reason on every provider, and never run: e.g. a guarantee that does not apply to the app
   * (`not applicable: Parallel policy: …`). Reported as skipped, never as passed.
   */
  readonly skip?: string;
}

/**
 * A window ("nothing happens for N s") in ms. Windows are observation periods from the catalogue: a timeout scale
 * may lengthen them but never shorten them, or a scale below 1 would make "nothing happened" cheaper to show.
 */
export function windowMs(s: number, timeoutScale: number): number {
  return s * 1000 * Math.max(1, timeoutScale);
}

const CAPABILITY_WHY: Record<Capability, string> = {
  exec: 'runs commands inside containers',
  dns: 'resolves names through cluster DNS',
  network: 'sends traffic to pods',
  probes: 'depends on real containers, images and probes',
  logs: 'reads container logs',
  faults: 'stops, pauses or cuts off nodes',
};

/**
 * Everything a step touches, as a thin composition: a NamespaceSession (the namespace, its client, the watches
 * started before any action, the actions on it), a Recorder (timeline, deviations, failures, what the running
 * assertion measured or left out), and the DSL that needs the run (timeouts, windows, capabilities, ledgers, node
 * faults). The parts' properties are aliased, so `w.pods` is `w.session.pods` and `w.timeline` is `w.recorder.timeline`.
 */
export class World {
  readonly ctx: RunContext;
  readonly session: NamespaceSession;
  readonly recorder: Recorder;
  readonly kube: Kube;
  readonly ns: string;
  readonly timeline: Timeline;
  readonly pods: ResourceWatch<V1Pod>;
  readonly statefulsets: ResourceWatch<V1StatefulSet>;
  readonly pvcs: ResourceWatch<V1PersistentVolumeClaim>;
  readonly deviations: Deviation[];
  readonly failed: string[];
  /** Node faults in force, each with its revert (nodeFault()); the journal that lists them, made on first use. */
  private readonly faults = new Map<string, () => Promise<void>>();
  private faultJournal: Journal | undefined;

  constructor(scenario: string, ctx: RunContext, fixtureDir = scenario) {
    this.ctx = ctx;
    // The recorder first: the session's watches write to its timeline from their start.
    this.recorder = new Recorder();
    this.session = new NamespaceSession(scenario, ctx, this.recorder, fixtureDir);
    this.kube = this.session.kube;
    this.ns = this.session.ns;
    this.pods = this.session.pods;
    this.statefulsets = this.session.statefulsets;
    this.pvcs = this.session.pvcs;
    this.timeline = this.recorder.timeline;
    this.deviations = this.recorder.deviations;
    this.failed = this.recorder.failed;
  }

  get scenarioName(): string {
    return this.session.scenario;
  }

  has(cap: Capability): boolean {
    return this.ctx.capabilities.includes(cap);
  }

  /** A timeout of `s` catalogue seconds, in milliseconds, scaled by TIMEOUT_SCALE (windows: window()). */
  timeoutMs(s: number): number {
    return this.session.timeoutMs(s);
  }

  /** @deprecated The old name of timeoutMs(): it returns milliseconds, not seconds. */
  seconds(s: number): number {
    return this.timeoutMs(s);
  }

  /** A "nothing happens for s seconds" window in ms: lengthened by the timeout scale, never shortened (windowMs). */
  window(s: number): number {
    return windowMs(s, this.ctx.timeoutScale);
  }

  /** Recorder.partial(): this part of the running assertion is not shown here, so the step reports skipped (partial). */
  partial(what: string, needs: Capability): void {
    this.recorder.partial(what, needs);
  }

  /**
   * For an assertion whose Ready means `meaning` (e.g. `that zk-0 answers`): where readiness is only simulated (no
   * probes), Ready shows nothing about the app, so that part is not shown. Here, not in the Recorder: it needs the
   * provider's capabilities.
   */
  readyMeans(meaning: string): void {
    if (!this.has('probes')) this.partial(`readiness is simulated: Ready does not show ${meaning}`, 'probes');
  }

  /** A change the harness makes to a seed manifest: into the report's deviations and the timeline, once. */
  deviation(object: string, change: string): void {
    this.recorder.deviation(object, change);
  }

  /** Numbers the running assertion measured (e.g. a ledger verdict's), for results.json; later keys win. */
  report(numbers: Readonly<Record<string, number>>): void {
    this.recorder.report(numbers);
  }

  /** Takes what report() collected since the last call. */
  takeNumbers(): Record<string, number> {
    return this.recorder.takeNumbers();
  }

  /**
   * Starts a write ledger (src/ledger/) through `adapter` on this scenario's timeline: keys unique to the run,
   * fault windows and failed stretches on the timeline, the record in `<report-dir>/ledgers/` when it is done.
   */
  ledger(name: string, adapter: Adapter, opts: Omit<LedgerOptions, 'now' | 'keyPrefix'>): LedgerRun {
    return ledgerOnTimeline(this.timeline, name, adapter, { ...opts, keyPrefix: `${this.ctx.runId}-${name}-` }, (l) =>
      writeLedger(this.ctx.reportDir, this.scenarioName, name, l),
    );
  }

  /**
   * Applies a node fault through the provider (capability `faults`), journaled first so that teardown, a signal or
   * `--cleanup` reverts it whatever happens; returns the revert, which the scenario calls when the fault should end
   * (teardown reverts what is still in force). Start and end are steps on the timeline.
   */
  async nodeFault(fault: NodeFault, node: string): Promise<() => Promise<void>> {
    const { providerModule } = await import('./providers/index.ts');
    const impl = providerModule(this.ctx.provider).nodeFaults;
    if (!impl || !this.has('faults')) throw new Error(`provider ${this.ctx.provider} cannot ${fault} a node: declare needs: ['faults']`);
    const key = `${fault} ${node}`;
    if (this.faults.has(key)) throw new Error(`fault ${key} is already in force`);
    const entry: JournalEntry = await impl.prepare(fault, node, this.ctx.kubeconfig);
    this.faultJournal ??= new Journal(`${faultJournalPrefix(this.ctx.runId, this.ctx.clusterName)}${process.pid}`);
    this.faultJournal.add(entry);
    this.step(`node fault: ${key}`);
    let reverting: Promise<void> | undefined;
    const revert = (): Promise<void> =>
      (reverting ??= (async () => {
        this.step(`node fault ended: ${key} (reverting)`);
        await impl.revert(entry);
        this.faultJournal?.done(entry);
        this.faults.delete(key);
        this.step(`node fault reverted: ${key}`);
      })());
    this.faults.set(key, revert);
    try {
      await impl.inject(entry);
    } catch (err) {
      await revert().catch(() => undefined);
      throw err;
    }
    return revert;
  }

  /**
   * Kills the main process of `pod`'s first container with SIGKILL on its node (`needs: ['faults']`). Nothing to
   * revert: kubelet restarts the container in place. Returns the restartCount it had, to wait for the restart.
   */
  async killProcess(pod: string): Promise<number> {
    const { providerModule } = await import('./providers/index.ts');
    const impl = providerModule(this.ctx.provider).nodeFaults;
    if (!impl || !this.has('faults')) throw new Error(`provider ${this.ctx.provider} cannot kill a container's process: declare needs: ['faults']`);
    const p = this.pod(pod);
    const node = p?.spec?.nodeName;
    const status = p?.status?.containerStatuses?.[0];
    if (!node || !status?.containerID) throw new Error(`${pod} has no running container to kill (node ${node ?? 'none'})`);
    this.step(`kill -KILL the main process of ${pod} (container ${status.name}) on ${node}`);
    await impl.killContainer(node, status.containerID);
    return status.restartCount;
  }

  /** Reverts every node fault still in force (teardown); the errors, one line each. */
  async revertFaults(): Promise<string[]> {
    const errors: string[] = [];
    for (const [key, revert] of [...this.faults].reverse()) {
      await revert().catch((err: unknown) => errors.push(`revert ${key}: ${err instanceof Error ? err.message : String(err)}`));
    }
    return errors;
  }

  /** Starts collecting shortfalls (and numbers) for one assess step. */
  beginAssertion(): void {
    this.recorder.beginAssertion();
  }

  /** Ends the assess step; what it left out. */
  endAssertion(): readonly Shortfall[] {
    return this.recorder.endAssertion();
  }

  /** Records what the step does, like the tutorial's command, on the timeline. */
  step(text: string): void {
    this.recorder.step(text);
  }

  mark(): number {
    return this.recorder.mark();
  }

  podEvents(): PodEvent[] {
    return this.session.podEvents();
  }

  /** Loads `fixtures/<scenario>/<file>` with the overlays applied; records each deviation once. */
  fixture(file: string): KubernetesObject[] {
    return this.session.fixture(file);
  }

  apply(fileOrObjects: string | readonly KubernetesObject[]): Promise<KubernetesObject[]> {
    return this.session.apply(fileOrObjects);
  }

  delete(kind: string, apiVersion: string, name: string, opts: DeleteOptions = {}): Promise<void> {
    return this.session.delete(kind, apiVersion, name, opts);
  }

  exec(pod: string, command: readonly string[], timeoutSeconds = 60): Promise<ExecResult> {
    return this.session.exec(pod, command, timeoutSeconds);
  }

  pod(name: string): V1Pod | undefined {
    return this.session.pod(name);
  }

  /** Event messages in the namespace about one object (e.g. FailedScheduling for a pod). */
  eventsFor(name: string, reason?: string): Promise<string[]> {
    return this.session.eventsFor(name, reason);
  }

  /** Creates the namespace and starts its watches. */
  start(): Promise<void> {
    return this.session.start();
  }

  /** Another watch (PDBs, EndpointSlices, nodes, ...) on the world's bus, stopped with the others. */
  watch<T extends KubernetesObject>(spec: WatchSpec, summarize: (o: T) => string): Promise<ResourceWatch<T>> {
    return this.session.watch(spec, summarize);
  }

  stopWatches(): void {
    this.session.stopWatches();
  }

  /** Deletes the namespace and waits (bounded) until it is gone, so a later scenario starts clean. */
  deleteNamespace(timeoutMs: number): Promise<void> {
    return this.session.deleteNamespace(timeoutMs);
  }

  writeTimeline(): string {
    return this.recorder.writeTimeline(this.ctx.reportDir, this.scenarioName, this.ns);
  }
}

export interface Feature {
  setup(title: string, fn: (w: World) => Promise<void>): void;
  assess(id: string, title: string, opts: AssessOptions, fn: (w: World) => Promise<void>): void;
  teardown(title: string, fn: (w: World) => Promise<void>): void;
  /** The world, for helpers that need it outside steps (defined once setup ran). */
  world(): World;
}

/**
 * Declares a scenario. Steps run in declaration order, like the tutorial. Teardown steps run after the last
 * assess step even when steps failed; then diagnostics (on failure), the timeline, and namespace deletion
 * according to --keep.
 */
export function feature(def: ScenarioMeta, body: (f: Feature) => void): void {
  // The CLI imports scenario files only to read their metadata and the assertions they declare.
  if (isDiscovering()) {
    const declared: DeclaredAssertion[] = [];
    const none = (): void => undefined;
    body({
      setup: none,
      teardown: none,
      assess: (id, title, opts) => void declared.push({ id, name: `[${id}] ${title}`, after: opts.after ?? [] }),
      world: () => {
        throw new Error(`${def.name}: no world while discovering`);
      },
    });
    declareAssertions(def.name, declared);
    return;
  }
  let world: World | undefined;
  const teardowns: { title: string; fn: (w: World) => Promise<void> }[] = [];
  const get = (): World => {
    if (!world) throw new Error(`${def.name}: setup did not run`);
    return world;
  };

  describe(def.name, () => {
    beforeAll(async () => {
      world = new World(def.name, runContext(), def.fixtureDir);
      await world.start();
    }, 120_000);

    afterEach((ctx) => {
      if (ctx.task.result?.state === 'fail') world?.failed.push(ctx.task.name);
    });

    const f: Feature = {
      setup(title, fn) {
        beforeAll(async () => {
          const w = get();
          w.step(`setup: ${title}`);
          // Each step runs with its world's timeline active: helpers without one (eventually) record their waits there.
          await withTimeline(w.timeline, () => fn(w));
        }, 600_000);
      },
      assess(id, title, opts, fn) {
        const w0 = (): World => get();
        // The vitest timeout is a backstop above the step's own waits, which carry the catalogue timeout. Their
        // windows never shrink below the catalogue's (windowMs), so neither may the backstop.
        const timeoutMs = windowMs(opts.timeout + 60, runContextScale());
        test(
          `[${id}] ${title}`,
          async (ctx) => {
            const w = w0();
            if (opts.skip !== undefined) {
              w.timeline.add('assert', id, `skipped: ${opts.skip}`);
              ctx.skip(opts.skip);
            }
            const missing = (opts.needs ?? []).filter((c) => !w.has(c));
            if (missing.length > 0) {
              const why = missing.map((c) => `${c} (it ${CAPABILITY_WHY[c]})`).join(', ');
              w.timeline.add('assert', id, `skipped: needs ${missing.join(', ')}`);
              ctx.skip(`needs ${why}; provider ${w.ctx.provider} cannot show it`);
            }
            w.timeline.add('assert', id, `start: ${title}`);
            let shortfalls: readonly Shortfall[] = [];
            w.beginAssertion();
            try {
              await withTimeline(w.timeline, () => fn(w));
            } catch (err) {
              w.timeline.add('assert', id, `failed: ${err instanceof Error ? err.message : String(err)}`);
              throw err;
            } finally {
              shortfalls = w.endAssertion();
              const numbers = w.takeNumbers();
              if (Object.keys(numbers).length > 0) ctx.task.meta.numbers = numbers;
            }
            // Outside the try: skip() throws, and that is not a failure.
            const note = partialNote(shortfalls, w.ctx.provider);
            if (note !== undefined) {
              w.timeline.add('assert', id, `skipped: ${note}`);
              ctx.skip(note);
            }
            w.timeline.add('assert', id, 'passed');
          },
          timeoutMs,
        );
      },
      teardown(title, fn) {
        teardowns.push({ title, fn });
      },
      world: get,
    };
    body(f);

    afterAll(async () => {
      const w = world;
      if (!w) return;
      const errors: string[] = [];
      if (w.failed.length > 0) {
        // Diagnostics first: teardown would destroy the evidence.
        try {
          await collectDiagnostics({ run: w.ctx, scenario: w.scenarioName, namespace: w.ns, kube: w.kube, timeline: w.timeline });
        } catch (err) {
          errors.push(`diagnostics: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      // Node faults first: the teardown steps and the namespace deletion need the cluster whole.
      errors.push(...(await w.revertFaults()));
      for (const t of teardowns.reverse()) {
        try {
          w.step(`teardown: ${t.title}`);
          await withTimeline(w.timeline, () => t.fn(w));
        } catch (err) {
          errors.push(`${t.title}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      w.stopWatches();
      const keep = w.ctx.keep === 'always' || (w.ctx.keep === 'on-failure' && w.failed.length > 0);
      if (keep) {
        w.timeline.add('note', 'keep', `namespace ${w.ns} kept (--keep ${w.ctx.keep})`);
        console.log(`kept namespace ${w.ns} (--keep ${w.ctx.keep})`);
      } else {
        try {
          await w.deleteNamespace(w.timeoutMs(180));
        } catch (err) {
          errors.push(`namespace cleanup: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      w.writeTimeline();
      if (errors.length > 0) throw new Error(`teardown of ${def.name} failed: ${errors.join('; ')}`);
    }, 600_000);
  });
}

function runContextScale(): number {
  try {
    return runContext().timeoutScale;
  } catch {
    return 1;
  }
}
