/**
 * One scenario's namespace on the cluster: the client, the namespace's name, the watches started before any action,
 * and the actions on the namespace (apply, delete, exec, ...), each recorded as a step. It satisfies the narrow
 * contexts of src/kube/context.ts; World composes it with the Recorder its watches and steps write to.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { KubernetesObject, V1Namespace, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { connect, type Kube } from './kube/client.ts';
import { apply, remove, type DeleteOptions } from './kube/apply.ts';
import { exec, type ExecResult } from './kube/exec.ts';
import { ChangeBus, ResourceWatch, podEvents, summarizePod, type WatchSpec } from './kube/watch.ts';
import { RUN_LABEL } from './kube/run-objects.ts';
import { applyOverlays, readManifests } from './manifests.ts';
import type { RunContext } from './context.ts';
import type { PodEvent } from './ordering.ts';
import type { Recorder } from './recorder.ts';
import type { AppContext, SetContext } from './kube/context.ts';

export class NamespaceSession implements SetContext, AppContext {
  readonly kube: Kube;
  readonly ns: string;
  readonly pods: ResourceWatch<V1Pod>;
  readonly statefulsets: ResourceWatch<V1StatefulSet>;
  readonly pvcs: ResourceWatch<V1PersistentVolumeClaim>;
  readonly scenario: string;
  private readonly ctx: RunContext;
  private readonly recorder: Recorder;
  private readonly fixtureDir: string;
  private readonly bus = new ChangeBus();
  private readonly extraWatches: { stop(): void }[] = [];

  /** Builds the client and the watches; nothing talks to the cluster before start(). */
  constructor(scenario: string, ctx: RunContext, recorder: Recorder, fixtureDir = scenario) {
    this.scenario = scenario;
    this.ctx = ctx;
    this.recorder = recorder;
    this.fixtureDir = fixtureDir;
    this.kube = connect(ctx.kubeconfig);
    this.ns = `${scenario.slice(0, 40)}-${ctx.runId.slice(0, 6)}-${randomBytes(2).toString('hex')}`;
    // One bus: a wait on pods also wakes on StatefulSet and PVC events.
    const bus = this.bus;
    const timeline = recorder.timeline;
    const nsPath = (plural: string, group = 'api/v1'): string => `/${group}/namespaces/${this.ns}/${plural}`;
    this.pods = new ResourceWatch<V1Pod>(this.kube, { path: nsPath('pods'), apiVersion: 'v1', kind: 'Pod', namespace: this.ns }, timeline, summarizePod, bus);
    this.statefulsets = new ResourceWatch<V1StatefulSet>(
      this.kube,
      { path: nsPath('statefulsets', 'apis/apps/v1'), apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: this.ns },
      timeline,
      (s) =>
        `replicas=${s.spec?.replicas ?? '?'} ready=${s.status?.readyReplicas ?? 0} updated=${s.status?.updatedReplicas ?? 0} rev=${s.status?.currentRevision ?? '?'}→${s.status?.updateRevision ?? '?'}`,
      bus,
    );
    this.pvcs = new ResourceWatch<V1PersistentVolumeClaim>(
      this.kube,
      { path: nsPath('persistentvolumeclaims'), apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: this.ns },
      timeline,
      (c) => `${c.status?.phase ?? '?'} volume=${c.spec?.volumeName ?? '-'}`,
      bus,
    );
  }

  /** Records what the step does on the recorder's timeline (NamespaceContext). */
  step(text: string): void {
    this.recorder.step(text);
  }

  /** A timeout of `s` catalogue seconds, in milliseconds, scaled by TIMEOUT_SCALE. */
  timeoutMs(s: number): number {
    return s * 1000 * this.ctx.timeoutScale;
  }

  podEvents(): PodEvent[] {
    return podEvents(this.pods);
  }

  pod(name: string): V1Pod | undefined {
    return this.pods.current.get(name);
  }

  /** Loads `fixtures/<scenario>/<file>` with the overlays applied; records each deviation once. */
  fixture(file: string): KubernetesObject[] {
    const raw = readManifests(this.ctx.fixtureRoots[this.scenario] ?? this.ctx.fixturesDir, path.join(this.fixtureDir, file));
    const { objects, deviations } = applyOverlays(raw, {
      namespace: this.ns,
      imageMap: this.ctx.imageMap,
      pullPolicyOverlay: true,
    });
    for (const d of deviations) this.recorder.overlay(file, d);
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
    this.recorder.timeline.add('note', 'exec', `${pod}: exit ${r.exitCode}: ${r.stdout.trim().slice(0, 200)}`);
    return r;
  }

  /** Event messages in the namespace about one object (e.g. FailedScheduling for a pod). */
  async eventsFor(name: string, reason?: string): Promise<string[]> {
    const list = await this.kube.core.listNamespacedEvent({ namespace: this.ns, fieldSelector: `involvedObject.name=${name}` });
    return list.items.filter((e) => !reason || e.reason === reason).map((e) => `${e.reason}: ${e.message ?? ''}`);
  }

  /** Creates the namespace, labelled with the run (for --cleanup) and the scenario, then starts the watches. */
  async start(): Promise<void> {
    await this.kube.core.createNamespace({
      body: { metadata: { name: this.ns, labels: { [RUN_LABEL]: this.ctx.runId, 'stateful-e2e/scenario': this.scenario } } },
    });
    this.step(`namespace ${this.ns} created`);
    await Promise.all([this.pods.start(), this.statefulsets.start(), this.pvcs.start()]);
  }

  /** Another watch (PDBs, EndpointSlices, nodes, ...) on the session's bus, stopped with the others. */
  async watch<T extends KubernetesObject>(spec: WatchSpec, summarize: (o: T) => string): Promise<ResourceWatch<T>> {
    const rw = new ResourceWatch<T>(this.kube, spec, this.recorder.timeline, summarize, this.bus);
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
      this.recorder.timeline,
      (n) => n.status?.phase ?? '',
    );
    await w.start();
    try {
      await w.until(() => !w.current.has(this.ns), timeoutMs, `namespace ${this.ns} to be deleted`);
    } finally {
      w.stop();
    }
  }
}
