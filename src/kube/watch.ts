/**
 * Watch streams started from a list's resourceVersion. Every event goes into the timeline and the latest
 * object per name is kept, so waits are evaluated on each event instead of by polling.
 */
import { Watch, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import type { Kube } from './client.ts';
import type { Timeline } from '../timeline.ts';
import type { PodEvent, WatchEventType } from '../ordering.ts';

export interface WatchSpec {
  /** Collection path, e.g. /api/v1/namespaces/ns1/pods */
  readonly path: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface ObservedEvent<T> {
  readonly seq: number;
  readonly t: number;
  readonly type: WatchEventType;
  readonly object: T;
}

export class WaitTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeout';
  }
}

/**
 * Change notifications shared by several watches, so a wait whose condition spans objects (pods and their
 * StatefulSet's status) is re-evaluated on an event from any of them.
 */
export class ChangeBus {
  private readonly listeners = new Set<() => void>();
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  notify(): void {
    for (const l of [...this.listeners]) l();
  }
}

export class ResourceWatch<T extends KubernetesObject> {
  readonly current = new Map<string, T>();
  readonly events: ObservedEvent<T>[] = [];
  private readonly kube: Kube;
  private readonly spec: WatchSpec;
  private readonly timeline: Timeline;
  private readonly summarize: (obj: T) => string;
  private readonly bus: ChangeBus;
  private abort: AbortController | undefined;
  private resourceVersion = '';
  private stopped = false;
  private failure: Error | undefined;

  constructor(kube: Kube, spec: WatchSpec, timeline: Timeline, summarize: (obj: T) => string, bus = new ChangeBus()) {
    this.bus = bus;
    this.kube = kube;
    this.spec = spec;
    this.timeline = timeline;
    this.summarize = summarize;
  }

  async start(): Promise<void> {
    await this.relist();
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.notify();
  }

  /** Resolves once `check()` holds, re-evaluated on every event; rejects after timeoutMs with `what` and `detail()`. */
  until(check: () => boolean, timeoutMs: number, what: string, detail?: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const evaluate = (): boolean => {
        if (this.failure) {
          finish();
          reject(this.failure);
          return true;
        }
        let ok = false;
        try {
          ok = check();
        } catch (err) {
          finish();
          reject(err instanceof Error ? err : new Error(String(err)));
          return true;
        }
        if (ok) {
          finish();
          resolve();
        }
        return ok;
      };
      const timer = setTimeout(() => {
        finish();
        const d = detail ? `; ${detail()}` : '';
        reject(new WaitTimeout(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${d}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        unsubscribe();
      };
      const unsubscribe = this.bus.subscribe(() => void evaluate());
      evaluate();
    });
  }

  /**
   * "Nothing happens for N s": resolves after windowMs unless an event (from now on) makes `violation` return a
   * message, in which case it rejects at once with that message. The one place a fixed wait is allowed.
   */
  hold(windowMs: number, violation: (e: ObservedEvent<T>) => string | undefined): Promise<void> {
    const from = this.events.length;
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        for (const e of this.events.slice(from)) {
          const v = violation(e);
          if (v) {
            finish();
            reject(new Error(v));
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        finish();
        resolve();
      }, windowMs);
      const finish = (): void => {
        clearTimeout(timer);
        unsubscribe();
      };
      const unsubscribe = this.bus.subscribe(listener);
    });
  }

  private notify(): void {
    this.bus.notify();
  }

  private record(type: WatchEventType, obj: T): void {
    const name = obj.metadata?.name ?? '?';
    if (type === 'DELETED') this.current.delete(name);
    else this.current.set(name, obj);
    const entry = this.timeline.add('watch', this.spec.kind, `${type} ${this.spec.kind}/${name} ${this.summarize(obj)}`);
    this.events.push({ seq: entry.seq, t: entry.t, type, object: obj });
    this.notify();
  }

  /** List, then reconcile `current` with what the list says (synthetic MODIFIED/DELETED after a gap). */
  private async relist(): Promise<void> {
    const list = await this.kube.objects.list<T>(
      this.spec.apiVersion,
      this.spec.kind,
      this.spec.namespace,
      undefined,
      undefined,
      undefined,
      this.spec.fieldSelector,
      this.spec.labelSelector,
    );
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    const seen = new Set<string>();
    for (const item of list.items) {
      const name = item.metadata?.name ?? '?';
      seen.add(name);
      const prev = this.current.get(name);
      if (prev?.metadata?.resourceVersion !== item.metadata?.resourceVersion) this.record('MODIFIED', item);
    }
    for (const [name, obj] of [...this.current]) if (!seen.has(name)) this.record('DELETED', obj);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const query: Record<string, string | boolean> = { resourceVersion: this.resourceVersion, allowWatchBookmarks: true };
    if (this.spec.labelSelector) query.labelSelector = this.spec.labelSelector;
    if (this.spec.fieldSelector) query.fieldSelector = this.spec.fieldSelector;
    this.abort = await new Watch(this.kube.kc).watch(
      this.spec.path,
      query,
      (type: string, obj: T) => {
        const rv = obj?.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.record(type, obj);
        else if (type === 'ERROR') this.resourceVersion = ''; // 410 Gone: relist on reconnect
      },
      (err: unknown) => void this.reconnect(err),
    );
  }

  private async reconnect(err: unknown): Promise<void> {
    if (this.stopped) return;
    // Server-side timeouts close watches routinely; a gap (410 Gone) needs a relist first.
    for (let attempt = 0; attempt < 20 && !this.stopped; attempt++) {
      try {
        if (!this.resourceVersion || err) await this.relist();
        await this.connect();
        return;
      } catch (e) {
        err = e;
        await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      }
    }
    if (!this.stopped) {
      this.failure = new Error(`watch ${this.spec.path} failed: ${err instanceof Error ? err.message : String(err)}`);
      this.notify();
    }
  }
}

export const isPodReady = (p: V1Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export function summarizePod(p: V1Pod): string {
  const ready = isPodReady(p) ? 'Ready' : 'NotReady';
  const del = p.metadata?.deletionTimestamp ? ' terminating' : '';
  const node = p.spec?.nodeName ? ` on ${p.spec.nodeName}` : '';
  return `${p.status?.phase ?? 'Pending'} ${ready}${del}${node} uid=${p.metadata?.uid?.slice(0, 8) ?? '?'}`;
}

/** The pod watch as the ordering predicates read it. */
export function podEvents(w: ResourceWatch<V1Pod>): PodEvent[] {
  return w.events.map(({ seq, t, type, object: p }) => ({
    seq,
    t,
    type,
    name: p.metadata?.name ?? '?',
    uid: p.metadata?.uid ?? '',
    phase: p.status?.phase ?? 'Pending',
    ready: isPodReady(p),
    deleting: Boolean(p.metadata?.deletionTimestamp),
    creationTimestamp: toIso(p.metadata?.creationTimestamp),
    readyTransition: toIso(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime),
    nodeName: p.spec?.nodeName,
    revision: p.metadata?.labels?.['controller-revision-hash'],
    image: p.spec?.containers?.[0]?.image,
  }));
}

function toIso(d: Date | string | undefined): string | undefined {
  if (!d) return undefined;
  return d instanceof Date ? d.toISOString() : d;
}
