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

export interface RelistChange<T> {
  readonly type: WatchEventType;
  readonly object: T;
}

/**
 * What a list means for the objects known before it (`known`, by name), as watch events, in the list's order:
 * an object whose name was not known is ADDED; one known under another uid was deleted and recreated (DELETED of
 * the old object, then ADDED); one with another resourceVersion is MODIFIED; a known object missing from the list
 * is DELETED (last). The first list of a watch therefore records every existing object as ADDED.
 */
export function relistChanges<T extends KubernetesObject>(known: ReadonlyMap<string, T>, items: readonly T[]): RelistChange<T>[] {
  const out: RelistChange<T>[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const name = item.metadata?.name ?? '?';
    seen.add(name);
    const prev = known.get(name);
    if (prev === undefined) {
      out.push({ type: 'ADDED', object: item });
    } else if (prev.metadata?.uid && item.metadata?.uid && prev.metadata.uid !== item.metadata.uid) {
      out.push({ type: 'DELETED', object: prev }, { type: 'ADDED', object: item });
    } else if (prev.metadata?.resourceVersion !== item.metadata?.resourceVersion) {
      out.push({ type: 'MODIFIED', object: item });
    }
  }
  for (const [name, obj] of known) if (!seen.has(name)) out.push({ type: 'DELETED', object: obj });
  return out;
}

/**
 * Server-side timeout of each watch request. Below client-node's 30 s inactivity abort, so on a quiet watch the
 * API server sends a bookmark (2 s before the deadline) with a fresh resourceVersion and then ends the request
 * cleanly; the watch resumes from that resourceVersion without losing events and without a relist.
 */
const WATCH_TIMEOUT_S = 25;

/** The API says the resourceVersion is too old to resume from (HTTP 410 Gone / Expired): only a relist helps. */
const isGone = (err: unknown): boolean => {
  const code = (err as { statusCode?: unknown; code?: unknown } | null)?.statusCode ?? (err as { code?: unknown } | null)?.code;
  return code === 410;
};

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
  private started = false;
  private stopped = false;
  private failure: Error | undefined;
  /** A watch request is open (events flow); false between a request's end and the next one's start. */
  private connected = false;
  /** Relists after the first list: each one is a gap in which events may have been lost (only the net change is seen). */
  private gaps = 0;
  private lastGap = '';

  constructor(kube: Kube, spec: WatchSpec, timeline: Timeline, summarize: (obj: T) => string, bus = new ChangeBus()) {
    this.bus = bus;
    this.kube = kube;
    this.spec = spec;
    this.timeline = timeline;
    this.summarize = summarize;
  }

  async start(): Promise<void> {
    await this.relist();
    this.started = true;
    const r = await this.connect();
    if (!r.ok) void this.reconnect(r.err);
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.notify();
  }

  /**
   * Resolves once `check()` holds, re-evaluated on every event; rejects after timeoutMs with `what` and `detail()`.
   * A wait that did not hold at once is a 'wait' span on the timeline (SpanData), however it ends.
   */
  until(check: () => boolean, timeoutMs: number, what: string, detail?: () => string): Promise<void> {
    const startMs = this.timeline.now();
    return new Promise((resolve, reject) => {
      /** The check did not hold when until() was called: the wait took time, and is recorded when it ends. */
      let waiting = false;
      const evaluate = (): boolean => {
        if (this.failure) {
          finish('the watch failed');
          reject(this.failure);
          return true;
        }
        let ok = false;
        try {
          ok = check();
        } catch (err) {
          finish('the check threw');
          reject(err instanceof Error ? err : new Error(String(err)));
          return true;
        }
        if (ok) {
          finish('done');
          resolve();
        }
        return ok;
      };
      const timer = setTimeout(() => {
        finish('timed out');
        const d = detail ? `; ${detail()}` : '';
        reject(new WaitTimeout(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${d}`));
      }, timeoutMs);
      const finish = (how: string): void => {
        clearTimeout(timer);
        unsubscribe();
        if (waiting) this.timeline.span('wait', 'wait', `${what}: ${how}`, startMs);
      };
      const unsubscribe = this.bus.subscribe(() => void evaluate());
      waiting = !evaluate();
    });
  }

  /**
   * "Nothing happens for N s": resolves after windowMs unless an event (from now on) makes `violation` return a
   * message, in which case it rejects at once with that message. The one place a fixed wait is allowed.
   * It never passes on a watch that was not watching for the whole window: it rejects if the watch was not
   * started, is stopped, fails, or has to relist (a gap in which events may have been lost) during the window.
   * A request that ended and resumed from its resourceVersion loses nothing (the API replays what followed); if
   * the window ends between two requests, the verdict waits for the next request to open (or for a gap/failure).
   * The window, however it ends, is a 'window' span on the timeline (SpanData).
   */
  hold(windowMs: number, violation: (e: ObservedEvent<T>) => string | undefined): Promise<void> {
    const startMs = this.timeline.now();
    const from = this.events.length;
    const gapsAtStart = this.gaps;
    const window = `${Math.round(windowMs / 1000)}s window`;
    const watch = `the ${this.spec.kind} watch`;
    return new Promise((resolve, reject) => {
      let over = false;
      let finished = false;
      /** Why the hold cannot pass (a violation first, then the watch's own state), or undefined. */
      const broken = (): string | undefined => {
        for (const e of this.events.slice(from)) {
          const v = violation(e);
          if (v) return v;
        }
        if (!this.started) return `${watch} was not started, so it cannot show that nothing happened in the ${window}`;
        if (this.failure) return `${watch} died during the ${window}, so it cannot show that nothing happened: ${this.failure.message}`;
        if (this.stopped) return `${watch} was stopped during the ${window}`;
        if (this.gaps !== gapsAtStart) {
          return `${watch} lost its place during the ${window} and had to relist (${this.lastGap}): events may be missing, so it cannot show that nothing happened`;
        }
        return undefined;
      };
      const check = (): void => {
        if (finished) return;
        const why = broken();
        if (why) finish(new Error(why));
        else if (over && this.connected) finish();
      };
      const timer = setTimeout(() => {
        over = true;
        check();
      }, windowMs);
      const finish = (err?: Error): void => {
        finished = true;
        clearTimeout(timer);
        unsubscribe();
        this.timeline.span('window', 'window', `${window} on ${watch}: ${err ? 'broken' : 'nothing happened'}`, startMs);
        if (err) reject(err);
        else resolve();
      };
      const unsubscribe = this.bus.subscribe(check);
      check();
    });
  }

  private notify(): void {
    this.bus.notify();
  }

  private record(type: WatchEventType, obj: T): void {
    // Every event is kept whole for the predicates; managedFields (about a third of a pod's JSON) is read by
    // nothing here, so it is not kept (issue 16: the harness's memory with 1000 pods).
    if (obj.metadata?.managedFields !== undefined) delete obj.metadata.managedFields;
    const name = obj.metadata?.name ?? '?';
    if (type === 'DELETED') this.current.delete(name);
    else this.current.set(name, obj);
    // Pods also carry their state as typed data: what the HTML report draws, so it never parses the text.
    const data = this.spec.kind === 'Pod' ? podWatchData(type, obj as V1Pod) : undefined;
    const entry = this.timeline.add('watch', this.spec.kind, `${type} ${this.spec.kind}/${name} ${this.summarize(obj)}`, data);
    this.events.push({ seq: entry.seq, t: entry.t, type, object: obj });
    this.notify();
  }

  /** List, then reconcile `current` with what the list says (synthetic ADDED/MODIFIED/DELETED, see relistChanges). */
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
    for (const c of relistChanges(this.current, list.items)) this.record(c.type, c.object);
  }

  /**
   * Opens one watch request from `resourceVersion`. Resolves `ok` once the stream is open (its end then starts a
   * reconnect), or with the error the request ended with before it opened.
   */
  private async connect(): Promise<{ ok: true } | { ok: false; err: unknown }> {
    if (this.stopped) return { ok: true };
    const query: Record<string, string | number | boolean> = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: WATCH_TIMEOUT_S,
    };
    if (this.spec.labelSelector) query.labelSelector = this.spec.labelSelector;
    if (this.spec.fieldSelector) query.fieldSelector = this.spec.fieldSelector;
    let open = false;
    let early: { err: unknown } | undefined;
    const abort = await new Watch(this.kube.kc).watch(
      this.spec.path,
      query,
      (type: string, obj: T) => {
        if (type === 'ERROR') {
          this.resourceVersion = ''; // 410 Gone (or another error status): relist on reconnect
          return;
        }
        const rv = obj?.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.record(type, obj);
      },
      (err: unknown) => {
        if (!open) {
          early = { err };
          return;
        }
        this.connected = false;
        this.notify();
        void this.reconnect(err);
      },
    );
    if (early) return { ok: false, err: early.err };
    open = true;
    this.abort = abort;
    if (this.stopped) {
      abort.abort();
      return { ok: true };
    }
    this.connected = true;
    this.notify();
    return { ok: true };
  }

  /**
   * A gap: the watch cannot resume, so it relists and records the difference. The gap is counted once the relist
   * is over (or has failed), so a `hold` reports a violation the difference shows before the gap itself.
   */
  private async relistAfterGap(err: unknown): Promise<void> {
    this.lastGap = isGone(err) || !this.resourceVersion ? 'resourceVersion expired' : `after ${err instanceof Error ? err.message : String(err)}`;
    this.resourceVersion = ''; // until a list succeeds, nothing can be resumed
    this.timeline.add('note', 'watch', `${this.spec.kind} watch ${this.lastGap}: relisting; a change in the gap is seen only as the difference`);
    try {
      await this.relist();
    } finally {
      this.gaps++;
      this.notify();
    }
  }

  private async reconnect(err: unknown): Promise<void> {
    if (this.stopped) return;
    // Watches end routinely (the server-side timeout): resume from the last resourceVersion, which loses nothing.
    // Only when that resourceVersion is gone (ERROR event or 410) does the watch relist, which is a gap.
    for (let attempt = 0; attempt < 20 && !this.stopped; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 500 * attempt));
      if (this.stopped) return;
      try {
        if (!this.resourceVersion || isGone(err)) await this.relistAfterGap(err);
        const r = await this.connect();
        if (r.ok) return;
        err = r.err;
      } catch (e) {
        err = e;
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

/** A pod watch event's state as the timeline records it (`data` of its entry; the report reads it). A type, not an
 * interface: it must fit the timeline's `Record<string, unknown>`. */
export type PodWatchData = {
  readonly type: WatchEventType;
  readonly pod: string;
  readonly uid: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly node?: string;
};

export function podWatchData(type: WatchEventType, p: V1Pod): PodWatchData {
  return {
    type,
    pod: p.metadata?.name ?? '?',
    uid: p.metadata?.uid?.slice(0, 8) ?? '?',
    phase: p.status?.phase ?? 'Pending',
    ready: isPodReady(p),
    terminating: Boolean(p.metadata?.deletionTimestamp),
    ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
  };
}

/** The pod watch as the ordering predicates read it. */
export function podEvents(w: ResourceWatch<V1Pod>): PodEvent[] {
  return w.events.map(toPodEvent);
}

/** One observed pod event as the ordering predicates read it (also for `hold` violations). */
export function toPodEvent({ seq, t, type, object: p }: ObservedEvent<V1Pod>): PodEvent {
  return {
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
    ...containerFields(p),
  };
}

function containerFields(p: V1Pod): Pick<PodEvent, 'restarts' | 'containerState' | 'lastTermination'> {
  const c = p.status?.containerStatuses?.[0];
  if (!c) return {};
  const st = c.state;
  const state = st?.running
    ? 'running'
    : st?.waiting
      ? `waiting:${st.waiting.reason ?? ''}`
      : st?.terminated
        ? `terminated:${st.terminated.reason ?? ''}`
        : undefined;
  const last = c.lastState?.terminated?.reason;
  return { restarts: c.restartCount, ...(state ? { containerState: state } : {}), ...(last ? { lastTermination: last } : {}) };
}

function toIso(d: Date | string | undefined): string | undefined {
  if (!d) return undefined;
  return d instanceof Date ? d.toISOString() : d;
}
