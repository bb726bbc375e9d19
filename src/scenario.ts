/**
 * The scenario DSL: a tutorial becomes a feature with setup, assess and teardown steps (e2e-framework), with
 * diagnostics captured on failure before cleanup and cleanup that always runs (chainsaw's catch/finally).
 * Each assess step is one vitest test named with its catalogue ID, e.g. `[1.2] pods are created in order`.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest';
import type { KubernetesObject, V1Namespace, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { connect, type Kube } from './kube/client.ts';
import { apply, remove, type DeleteOptions } from './kube/apply.ts';
import { exec, type ExecResult } from './kube/exec.ts';
import { ChangeBus, ResourceWatch, podEvents, summarizePod, type WatchSpec } from './kube/watch.ts';
import { applyOverlays, readManifests, type Deviation } from './manifests.ts';
import { runContext, type RunContext } from './context.ts';
import { Timeline, withTimeline } from './timeline.ts';
import type { PodEvent } from './ordering.ts';
import type { Capability, NodeFault } from './providers/provider.ts';
import { Journal, faultJournalPrefix, type JournalEntry } from './journal.ts';
import { collectDiagnostics } from './reporting/diagnostics.ts';
import { RUN_LABEL } from './kube/run-objects.ts';
import { writeLedger, writeTimeline } from './reporting/artifacts.ts';
import { ledgerOnTimeline } from './ledger/on-timeline.ts';
import type { Adapter, LedgerOptions, LedgerRun } from './ledger/writer.ts';
import { declareAssertions, isDiscovering, type DeclaredAssertion, type ScenarioMeta } from './discovery.ts';

export { defineScenario, type ScenarioMeta } from './discovery.ts';

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

/** A part of an assertion that ran without what it needs on this provider, so it was not shown. */
export interface Shortfall {
  /** What was not shown, e.g. `/hello read on zk-2`. */
  readonly what: string;
  readonly needs: Capability;
}

/**
 * The skip note of an assertion whose body passed with parts not shown, or undefined when nothing was left out:
 * such an assertion is reported skipped with this note, never passed.
 */
export function partialNote(shortfalls: readonly Shortfall[], provider: string): string | undefined {
  if (shortfalls.length === 0) return undefined;
  const parts = shortfalls.map((s) => `${s.what} (needs ${s.needs})`);
  return `partial: the API part passed; not shown: ${parts.join('; ')}; provider ${provider} cannot show it`;
}

const CAPABILITY_WHY: Record<Capability, string> = {
  exec: 'runs commands inside containers',
  dns: 'resolves names through cluster DNS',
  network: 'sends traffic to pods',
  probes: 'depends on real containers, images and probes',
  logs: 'reads container logs',
  faults: 'stops, pauses or cuts off nodes',
};

/** Everything a step touches: the namespace, API clients, watches started before any action, the timeline. */
export class World {
  readonly ctx: RunContext;
  readonly kube: Kube;
  readonly ns: string;
  readonly timeline = new Timeline();
  readonly pods: ResourceWatch<V1Pod>;
  readonly statefulsets: ResourceWatch<V1StatefulSet>;
  readonly pvcs: ResourceWatch<V1PersistentVolumeClaim>;
  readonly deviations: Deviation[] = [];
  readonly failed: string[] = [];
  private readonly scenario: string;
  private readonly fixtureDir: string;
  private readonly bus = new ChangeBus();
  private readonly extraWatches: { stop(): void }[] = [];
  /** What the running assess step left out; undefined outside one. */
  private shortfalls: Shortfall[] | undefined;
  /** What the running assess step measured (report()). */
  private numbers: Record<string, number> = {};
  /** Node faults in force, each with its revert (nodeFault()); the journal that lists them, made on first use. */
  private readonly faults = new Map<string, () => Promise<void>>();
  private faultJournal: Journal | undefined;

  constructor(scenario: string, ctx: RunContext, fixtureDir = scenario) {
    this.scenario = scenario;
    this.fixtureDir = fixtureDir;
    this.ctx = ctx;
    this.kube = connect(ctx.kubeconfig);
    this.ns = `${scenario.slice(0, 40)}-${ctx.runId.slice(0, 6)}-${randomBytes(2).toString('hex')}`;
    // One bus: a wait on pods also wakes on StatefulSet and PVC events.
    const bus = this.bus;
    const nsPath = (plural: string, group = 'api/v1'): string => `/${group}/namespaces/${this.ns}/${plural}`;
    this.pods = new ResourceWatch<V1Pod>(
      this.kube,
      { path: nsPath('pods'), apiVersion: 'v1', kind: 'Pod', namespace: this.ns },
      this.timeline,
      summarizePod,
      bus,
    );
    this.statefulsets = new ResourceWatch<V1StatefulSet>(
      this.kube,
      { path: nsPath('statefulsets', 'apis/apps/v1'), apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: this.ns },
      this.timeline,
      (s) =>
        `replicas=${s.spec?.replicas ?? '?'} ready=${s.status?.readyReplicas ?? 0} updated=${s.status?.updatedReplicas ?? 0} rev=${s.status?.currentRevision ?? '?'}→${s.status?.updateRevision ?? '?'}`,
      bus,
    );
    this.pvcs = new ResourceWatch<V1PersistentVolumeClaim>(
      this.kube,
      { path: nsPath('persistentvolumeclaims'), apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: this.ns },
      this.timeline,
      (c) => `${c.status?.phase ?? '?'} volume=${c.spec?.volumeName ?? '-'}`,
      bus,
    );
  }

  get scenarioName(): string {
    return this.scenario;
  }

  has(cap: Capability): boolean {
    return this.ctx.capabilities.includes(cap);
  }

  /** A timeout of `s` catalogue seconds, in milliseconds, scaled by TIMEOUT_SCALE (windows: window()). */
  timeoutMs(s: number): number {
    return s * 1000 * this.ctx.timeoutScale;
  }

  /** @deprecated The old name of timeoutMs(): it returns milliseconds, not seconds. */
  seconds(s: number): number {
    return this.timeoutMs(s);
  }

  /** A "nothing happens for s seconds" window in ms: lengthened by the timeout scale, never shortened (windowMs). */
  window(s: number): number {
    return windowMs(s, this.ctx.timeoutScale);
  }

  /**
   * Records that part of the running assertion (`what`) cannot run here for lack of `needs`: the step then reports
   * skipped with a `partial: …` note instead of passed. The rest of the assertion must still run and hold.
   */
  partial(what: string, needs: Capability): void {
    // A setup that leaves something out has no verdict of its own: the assertions that depend on it record it.
    if (!this.shortfalls) throw new Error(`partial(${what}) outside an assess step: record it in the assertions that depend on it`);
    if (this.shortfalls.some((s) => s.what === what && s.needs === needs)) return;
    this.shortfalls.push({ what, needs });
    this.timeline.add('note', 'partial', `not shown: ${what} (needs ${needs})`);
  }

  /**
   * For an assertion whose Ready means `meaning` (e.g. `that zk-0 answers`): where readiness is only simulated (no
   * probes), Ready shows nothing about the app, so that part is not shown.
   */
  readyMeans(meaning: string): void {
    if (!this.has('probes')) this.partial(`readiness is simulated: Ready does not show ${meaning}`, 'probes');
  }

  /** A change the harness makes to a seed manifest: into the report's deviations and the timeline, once. */
  deviation(object: string, change: string): void {
    if (this.deviations.some((d) => d.object === object && d.change === change)) return;
    this.deviations.push({ object, change });
    this.timeline.add('note', 'deviation', `${object}: ${change}`);
  }

  /** Numbers the running assertion measured (e.g. a ledger verdict's), for results.json; later keys win. */
  report(numbers: Readonly<Record<string, number>>): void {
    Object.assign(this.numbers, numbers);
  }

  /** Takes what report() collected since the last call. */
  takeNumbers(): Record<string, number> {
    const n = this.numbers;
    this.numbers = {};
    return n;
  }

  /**
   * Starts a write ledger (src/ledger/) through `adapter` on this scenario's timeline: keys unique to the run,
   * fault windows and failed stretches on the timeline, the record in `<report-dir>/ledgers/` when it is done.
   */
  ledger(name: string, adapter: Adapter, opts: Omit<LedgerOptions, 'now' | 'keyPrefix'>): LedgerRun {
    return ledgerOnTimeline(this.timeline, name, adapter, { ...opts, keyPrefix: `${this.ctx.runId}-${name}-` }, (l) =>
      writeLedger(this.ctx.reportDir, this.scenario, name, l),
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

  /** Starts collecting shortfalls for one assess step. */
  beginAssertion(): void {
    this.shortfalls = [];
    this.numbers = {};
  }

  /** Ends the assess step; what it left out. */
  endAssertion(): readonly Shortfall[] {
    const s = this.shortfalls ?? [];
    this.shortfalls = undefined;
    return s;
  }

  /** Records what the step does, like the tutorial's command, on the timeline. */
  step(text: string): void {
    this.timeline.add('action', 'step', text);
  }

  mark(): number {
    return this.timeline.mark();
  }

  podEvents(): PodEvent[] {
    return podEvents(this.pods);
  }

  /** Loads `fixtures/<scenario>/<file>` with the overlays applied; records each deviation once. */
  fixture(file: string): KubernetesObject[] {
    const raw = readManifests(this.ctx.fixtureRoots[this.scenario] ?? this.ctx.fixturesDir, path.join(this.fixtureDir, file));
    const { objects, deviations } = applyOverlays(raw, {
      namespace: this.ns,
      imageMap: this.ctx.imageMap,
      pullPolicyOverlay: true,
    });
    for (const d of deviations) {
      if (!this.deviations.some((x) => x.object === d.object && x.change === d.change)) {
        this.deviations.push(d);
        this.timeline.add('note', 'overlay', `${file}: ${d.object}: ${d.change}`);
      }
    }
    return objects;
  }

  async apply(fileOrObjects: string | readonly KubernetesObject[]): Promise<KubernetesObject[]> {
    const objects = typeof fileOrObjects === 'string' ? this.fixture(fileOrObjects) : fileOrObjects;
    this.step(`apply ${typeof fileOrObjects === 'string' ? fileOrObjects : objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
    return apply(this.kube, objects, this.ns);
  }

  async delete(kind: string, apiVersion: string, name: string, opts: DeleteOptions = {}): Promise<void> {
    this.step(`delete ${kind}/${name}${opts.propagationPolicy ? ` (${opts.propagationPolicy})` : ''}`);
    await remove(this.kube, { apiVersion, kind, metadata: { name } }, this.ns, opts);
  }

  async exec(pod: string, command: readonly string[], timeoutSeconds = 60): Promise<ExecResult> {
    this.step(`exec ${pod} -- ${command.join(' ')}`);
    const r = await exec(this.kube, this.ns, pod, command, { timeoutMs: this.timeoutMs(timeoutSeconds) });
    this.timeline.add('note', 'exec', `${pod}: exit ${r.exitCode}: ${r.stdout.trim().slice(0, 200)}`);
    return r;
  }

  pod(name: string): V1Pod | undefined {
    return this.pods.current.get(name);
  }

  /** Event messages in the namespace about one object (e.g. FailedScheduling for a pod). */
  async eventsFor(name: string, reason?: string): Promise<string[]> {
    const list = await this.kube.core.listNamespacedEvent({ namespace: this.ns, fieldSelector: `involvedObject.name=${name}` });
    return list.items.filter((e) => !reason || e.reason === reason).map((e) => `${e.reason}: ${e.message ?? ''}`);
  }

  async start(): Promise<void> {
    await this.kube.core.createNamespace({
      body: { metadata: { name: this.ns, labels: { [RUN_LABEL]: this.ctx.runId, 'stateful-e2e/scenario': this.scenario } } },
    });
    this.step(`namespace ${this.ns} created`);
    await Promise.all([this.pods.start(), this.statefulsets.start(), this.pvcs.start()]);
  }

  /** Another watch (PDBs, EndpointSlices, nodes, ...) on the world's bus, stopped with the others. */
  async watch<T extends KubernetesObject>(spec: WatchSpec, summarize: (o: T) => string): Promise<ResourceWatch<T>> {
    const rw = new ResourceWatch<T>(this.kube, spec, this.timeline, summarize, this.bus);
    await rw.start();
    this.extraWatches.push(rw);
    return rw;
  }

  stopWatches(): void {
    for (const x of this.extraWatches) x.stop();
    this.pods.stop();
    this.statefulsets.stop();
    this.pvcs.stop();
  }

  /** Deletes the namespace and waits (bounded) until it is gone, so a later scenario starts clean. */
  async deleteNamespace(timeoutMs: number): Promise<void> {
    await this.kube.core.deleteNamespace({ name: this.ns }).catch(() => undefined);
    const w = new ResourceWatch<V1Namespace>(
      this.kube,
      { path: '/api/v1/namespaces', apiVersion: 'v1', kind: 'Namespace', labelSelector: `${RUN_LABEL}=${this.ctx.runId}` },
      this.timeline,
      (n) => n.status?.phase ?? '',
    );
    await w.start();
    try {
      await w.until(() => !w.current.has(this.ns), timeoutMs, `namespace ${this.ns} to be deleted`);
    } finally {
      w.stop();
    }
  }

  writeTimeline(): string {
    return writeTimeline(this.ctx.reportDir, {
      scenario: this.scenario,
      namespace: this.ns,
      startedAt: this.timeline.startedAt,
      deviations: this.deviations,
      entries: this.timeline.entries,
    });
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
