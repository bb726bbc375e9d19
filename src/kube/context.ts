/**
 * The narrow contexts kube and app helpers take, instead of a whole test world (upstream's helpers take a client and
 * an object: `WaitForRunningAndReady(ctx, c, n, ss)`). A scenario's World has all of them, and so does its NamespaceSession
 * alone; so can anything else that holds a client, a namespace and the watches.
 */
import type { V1Pod, V1StatefulSet, KubernetesObject } from '@kubernetes/client-node';
import type { Kube } from './client.ts';
import type { ExecResult } from './exec.ts';
import type { ResourceWatch, WatchSpec } from './watch.ts';

/** A client bound to one namespace, with a log of the steps taken (the timeline) and the run's timeout scale. */
export interface NamespaceContext {
  readonly kube: Kube;
  readonly ns: string;
  /** Records what a step does, like the tutorial's command. */
  step(text: string): void;
  /** A timeout of `s` catalogue seconds, in milliseconds, scaled by TIMEOUT_SCALE. */
  timeoutMs(s: number): number;
}

/** Plus the pod watch that started before any action: what helpers on pods of any controller wait on. */
export interface PodsContext extends NamespaceContext {
  readonly pods: ResourceWatch<V1Pod>;
}

/** Plus the StatefulSet watch: what StatefulSet helpers wait on. */
export interface SetContext extends PodsContext {
  readonly statefulsets: ResourceWatch<V1StatefulSet>;
}

/** What app clients need: exec in the namespace (recorded), and more watches on the same change bus. */
export interface AppContext extends NamespaceContext {
  exec(pod: string, command: readonly string[], timeoutSeconds?: number): Promise<ExecResult>;
  watch<T extends KubernetesObject>(spec: WatchSpec, summarize: (o: T) => string): Promise<ResourceWatch<T>>;
}
