/**
 * Ordering predicates over a recorded pod watch stream (catalogue §0.2). They decide from the order of watch
 * events, like upstream's "Scaling should happen in predictable order" test, never from polling; timestamps are
 * only a cross-check. Pure functions: unit-tested on recorded sequences, including ones that must fail.
 */

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One pod watch event as the event log records it. */
export interface PodEvent {
  /** Position in the log; a total order over everything the log saw. */
  readonly seq: number;
  /** Monotonic milliseconds since the run started, when the harness received the event. */
  readonly t: number;
  readonly type: WatchEventType;
  readonly name: string;
  readonly uid: string;
  readonly phase: string;
  readonly ready: boolean;
  /** metadata.deletionTimestamp is set. */
  readonly deleting: boolean;
  readonly creationTimestamp?: string | undefined;
  /** lastTransitionTime of the Ready condition. */
  readonly readyTransition?: string | undefined;
  readonly nodeName?: string | undefined;
  /** controller-revision-hash label. */
  readonly revision?: string | undefined;
  readonly image?: string | undefined;
  /** restartCount of the first container. */
  readonly restarts?: number | undefined;
  /** The first container's state: `running`, `waiting:<reason>` or `terminated:<reason>`. */
  readonly containerState?: string | undefined;
  /** Reason of the first container's last termination (`lastState.terminated.reason`, e.g. Error). */
  readonly lastTermination?: string | undefined;
}

export interface Verdict {
  readonly ok: boolean;
  /** Why it failed, or what was shown when it passed; quotes event positions so a timeline can be read. */
  readonly reason: string;
}

/** Throws the verdict's reason unless it holds: how a step asserts an ordering predicate. */
export function holds(v: Verdict): void {
  if (!v.ok) throw new Error(v.reason);
}

const pass = (reason: string): Verdict => ({ ok: true, reason });
const fail = (reason: string): Verdict => ({ ok: false, reason });

export const isRunningReady = (e: PodEvent): boolean => e.type !== 'DELETED' && e.phase === 'Running' && e.ready && !e.deleting;

function describe(e: PodEvent | undefined): string {
  if (!e) return 'no event';
  const state = e.type === 'DELETED' ? 'deleted' : `${e.phase}${e.ready ? '+Ready' : ''}${e.deleting ? ' terminating' : ''}`;
  return `#${e.seq} ${e.type} ${e.name} (${state}) at ${e.t.toFixed(0)}ms`;
}

/** The latest event for `name` strictly before position `seq`. */
function stateBefore(events: readonly PodEvent[], name: string, seq: number): PodEvent | undefined {
  let last: PodEvent | undefined;
  for (const e of events) {
    if (e.seq >= seq) break;
    if (e.name === name) last = e;
  }
  return last;
}

function first(events: readonly PodEvent[], fromSeq: number, match: (e: PodEvent) => boolean): PodEvent | undefined {
  return events.find((e) => e.seq >= fromSeq && match(e));
}

/** First ADDED of a new pod instance named `name` at or after fromSeq. */
export function firstAdded(events: readonly PodEvent[], name: string, fromSeq = 0): PodEvent | undefined {
  return first(events, fromSeq, (e) => e.name === name && e.type === 'ADDED');
}

/** First event at or after fromSeq in which `name` has a deletionTimestamp (or is gone). */
export function firstDeletion(events: readonly PodEvent[], name: string, fromSeq = 0): PodEvent | undefined {
  return first(events, fromSeq, (e) => e.name === name && (e.deleting || e.type === 'DELETED'));
}

export function firstDeleted(events: readonly PodEvent[], name: string, fromSeq = 0): PodEvent | undefined {
  return first(events, fromSeq, (e) => e.name === name && e.type === 'DELETED');
}

/** Events per pod name, in log order (the log is in seq order, so each list is sorted by seq). */
export function indexByName(events: readonly PodEvent[]): Map<string, PodEvent[]> {
  const byName = new Map<string, PodEvent[]>();
  for (const e of events) {
    const l = byName.get(e.name);
    if (l === undefined) byName.set(e.name, [e]);
    else l.push(e);
  }
  return byName;
}

/** The index of the first event of a seq-sorted list at or after `seq` (binary search). */
function indexFrom(list: readonly PodEvent[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The latest event of a seq-sorted list strictly before `seq`. */
function lastBefore(list: readonly PodEvent[] | undefined, seq: number): PodEvent | undefined {
  if (list === undefined) return undefined;
  const i = indexFrom(list, seq);
  return i > 0 ? list[i - 1] : undefined;
}

/** The first event of a seq-sorted list at or after `fromSeq` that matches. */
function firstFrom(list: readonly PodEvent[] | undefined, fromSeq: number, match: (e: PodEvent) => boolean): PodEvent | undefined {
  if (list === undefined) return undefined;
  for (const e of list) if (e.seq >= fromSeq && match(e)) return e;
  return undefined;
}

/**
 * Whether the log shows that `prev` (the last event of its pod before `added`) was no longer the pod's current
 * incarnation when `added` was created. Every later incarnation (another uid under the same name) must have been
 * seen being created after the successor: an ADDED that follows the DELETED of prev's uid, and whose
 * creationTimestamp is not before the successor's. An incarnation first seen as MODIFIED, or ADDED while prev's uid
 * was never seen DELETED, replaced prev at a moment the log does not show, possibly before the successor was
 * created; then only the previous incarnation is known to have been Ready, which does not count.
 */
function replacedBefore(list: readonly PodEvent[], prev: PodEvent, added: PodEvent): string | undefined {
  let prevDeleted = false;
  for (let i = indexFrom(list, added.seq); i < list.length; i++) {
    const e = list[i]!;
    if (e.uid === prev.uid) {
      if (e.type === 'DELETED') prevDeleted = true;
      continue;
    }
    const seen = `${added.name} was created (${describe(added)}) while only the previous incarnation of ${prev.name} (uid ${prev.uid}) had been seen Running+Ready (${describe(prev)})`;
    if (e.type !== 'ADDED' || !prevDeleted) {
      return `${seen}: incarnation uid ${e.uid} (first seen ${describe(e)}) replaced it where the log does not show when, so it may already have existed, not Ready`;
    }
    if (e.creationTimestamp && added.creationTimestamp && Date.parse(e.creationTimestamp) < Date.parse(added.creationTimestamp)) {
      return `${seen}: incarnation uid ${e.uid} (${describe(e)}) was created at ${e.creationTimestamp}, before ${added.name} (${added.creationTimestamp})`;
    }
    return undefined;
  }
  return undefined;
}

/**
 * `prevName` was Running+Ready, in its current incarnation, when `added` was created: its latest state before the
 * ADDED is Running+Ready, the Ready lastTransitionTime is not more than 1 s after `added`'s creationTimestamp, and
 * that incarnation (uid) had not already been replaced (see replacedBefore).
 */
function readyWhenAdded(list: readonly PodEvent[] | undefined, prevName: string, added: PodEvent): { prev: PodEvent } | { error: string } {
  const name = added.name;
  const prev = lastBefore(list, added.seq);
  if (!prev || !isRunningReady(prev)) {
    return { error: `${name} was created (${describe(added)}) while ${prevName} was not Running+Ready (${describe(prev)})` };
  }
  if (added.creationTimestamp && prev.readyTransition) {
    const gap = Date.parse(added.creationTimestamp) - Date.parse(prev.readyTransition);
    if (gap < -1000) {
      return { error: `${name} creationTimestamp ${added.creationTimestamp} is ${-gap} ms before ${prevName} became Ready (${prev.readyTransition})` };
    }
  }
  const replaced = replacedBefore(list!, prev, added);
  if (replaced) return { error: replaced };
  return { prev };
}

/**
 * OrderedCreate: for each consecutive pair (prev, next) of `names`, the ADDED event of next (at or after fromSeq)
 * comes when prev's latest state is Running with Ready=True, in the incarnation (uid) of prev that exists when next
 * is ADDED (a Ready state of an incarnation that had already been replaced does not count). Cross-check: next's
 * creationTimestamp is not more than 1 s before prev's Ready lastTransitionTime.
 */
export function orderedCreate(events: readonly PodEvent[], names: readonly string[], fromSeq = 0, after?: string): Verdict {
  const byName = indexByName(events);
  const shown: string[] = [];
  const chain = after ? [after, ...names] : [...names];
  for (let i = 0; i < chain.length; i++) {
    const name = chain[i]!;
    if (i === 0 && after) continue;
    const added = firstFrom(byName.get(name), fromSeq, (e) => e.type === 'ADDED');
    if (!added) return fail(`${name} was never created (no ADDED event since #${fromSeq})`);
    if (i === 0) continue;
    const prevName = chain[i - 1]!;
    const ready = readyWhenAdded(byName.get(prevName), prevName, added);
    if ('error' in ready) return fail(ready.error);
    shown.push(`${name} ADDED #${added.seq} after ${prevName} Ready #${ready.prev.seq}`);
  }
  return pass(shown.join('; ') || `${names.join(', ')} created`);
}

/**
 * The first ADDED of `name` at or after fromSeq comes when EVERY pod of `readyNames` is Running+Ready (each in its
 * current incarnation, with the same timestamp cross-check as orderedCreate): "cassandra-3 is created after 0..2
 * are Ready", not only after its direct predecessor.
 */
export function addedWhileReady(events: readonly PodEvent[], name: string, readyNames: readonly string[], fromSeq = 0): Verdict {
  if (readyNames.length === 0) return fail(`no pods given that ${name} must wait for`);
  const byName = indexByName(events);
  const added = firstFrom(byName.get(name), fromSeq, (e) => e.type === 'ADDED');
  if (!added) return fail(`${name} was never created (no ADDED event since #${fromSeq})`);
  const shown: string[] = [];
  for (const r of readyNames) {
    const ready = readyWhenAdded(byName.get(r), r, added);
    if ('error' in ready) return fail(ready.error);
    shown.push(`${r} Ready #${ready.prev.seq}`);
  }
  return pass(`${name} ADDED #${added.seq} while ${shown.join(', ')}`);
}

/**
 * The pod's first incarnation created at or after fromSeq is seen Running but not Ready (its containers started,
 * the readiness probe not yet passed) BEFORE its first Running+Ready event, as `kubectl get pods -w` shows
 * `Running 0/1` and then `Running 1/1`. A not-Ready event after Ready (a later probe failure) does not count.
 */
export function runningBeforeReady(events: readonly PodEvent[], name: string, fromSeq = 0): Verdict {
  const list = indexByName(events).get(name);
  const added = firstFrom(list, fromSeq, (e) => e.type === 'ADDED');
  if (!list || !added) return fail(`${name} was never created (no ADDED event since #${fromSeq})`);
  let running: PodEvent | undefined;
  for (let i = indexFrom(list, added.seq); i < list.length; i++) {
    const e = list[i]!;
    if (e.uid !== added.uid) continue;
    if (isRunningReady(e)) {
      if (!running) return fail(`${name} became Ready (${describe(e)}) without first being seen Running and not Ready`);
      return pass(`${name} Running, not Ready (${describe(running)}), then Ready (${describe(e)}) ${(e.t - running.t).toFixed(0)} ms later`);
    }
    if (!running && e.type !== 'DELETED' && e.phase === 'Running' && !e.ready && !e.deleting) running = e;
  }
  return fail(`${name} (uid ${added.uid}, ${describe(added)}) was never seen Running+Ready`);
}

/**
 * A container restarted in place after its process was killed (catalogue 4.16, `kubectl get pod -w`: Error →
 * Running → Ready): from position `fromSeq`, the pod `name` keeps its UID (never deleted or replaced); it is seen not
 * Ready after the kill (the container terminated, or restarted and not yet Ready); then Ready again with
 * `restartCount` = `restartsBefore` + 1; and the container's termination was an error (its state seen terminated
 * with reason Error, or its lastState says so once it runs again).
 */
export function restartedInPlace(events: readonly PodEvent[], name: string, uid: string, restartsBefore: number, fromSeq = 0): Verdict {
  const list = (indexByName(events).get(name) ?? []).filter((e) => e.seq >= fromSeq);
  const other = list.find((e) => e.uid !== uid || e.type === 'DELETED' || e.deleting);
  if (other) return fail(`${name} was replaced or deleted (${describe(other)}, uid ${other.uid}), not restarted in place (uid ${uid})`);
  const down = list.find((e) => !e.ready);
  if (!down) return fail(`${name} was never seen not Ready after the kill (${list.length} events since #${fromSeq})`);
  const back = list.find((e) => e.seq > down.seq && e.ready && e.phase === 'Running');
  if (!back) return fail(`${name} was not Ready again after ${describe(down)}`);
  if (back.restarts !== restartsBefore + 1) return fail(`${name} Ready again with restartCount ${back.restarts ?? '?'}, expected ${restartsBefore + 1}`);
  const error = list.find((e) => e.seq <= back.seq && (e.containerState === 'terminated:Error' || e.lastTermination === 'Error'));
  if (!error) return fail(`${name}'s container restarted without an Error termination (last: ${back.lastTermination ?? 'none'})`);
  return pass(`${name} uid ${uid}: Error (${describe(error)}), not Ready (${describe(down)}), Ready with restartCount ${back.restarts} (${describe(back)})`);
}

/**
 * OrderedTerminate over `namesHighToLow`: pod j gets its deletionTimestamp only after the DELETED event of the
 * pod before it in the list (the higher ordinal).
 */
export function orderedTerminate(events: readonly PodEvent[], namesHighToLow: readonly string[], fromSeq = 0): Verdict {
  const shown: string[] = [];
  for (let i = 0; i < namesHighToLow.length; i++) {
    const name = namesHighToLow[i]!;
    const del = firstDeletion(events, name, fromSeq);
    if (!del) return fail(`${name} was never deleted since #${fromSeq}`);
    if (i === 0) continue;
    const higher = namesHighToLow[i - 1]!;
    const gone = firstDeleted(events, higher, fromSeq);
    if (!gone) return fail(`${higher} never reached DELETED, yet ${name} started terminating (${describe(del)})`);
    if (del.seq < gone.seq) {
      return fail(`${name} started terminating (${describe(del)}) before ${higher} was DELETED (${describe(gone)})`);
    }
    shown.push(`${name} terminating #${del.seq} after ${higher} DELETED #${gone.seq}`);
  }
  return pass(shown.join('; ') || `${namesHighToLow.join(', ')} deleted`);
}

/**
 * Concurrent: on 'create', every pod is ADDED before any of them becomes Ready; on 'delete', every pod gets its
 * deletionTimestamp before any of them is DELETED. Cross-check: the starts lie within `withinMs` of each other
 * by harness receive time.
 */
export function concurrent(events: readonly PodEvent[], names: readonly string[], phase: 'create' | 'delete', fromSeq = 0, withinMs = 2000): Verdict {
  const starts: PodEvent[] = [];
  for (const name of names) {
    const s = phase === 'create' ? firstAdded(events, name, fromSeq) : firstDeletion(events, name, fromSeq);
    if (!s) return fail(`${name}: no ${phase === 'create' ? 'ADDED' : 'deletion'} event since #${fromSeq}`);
    starts.push(s);
  }
  const lastStart = starts.reduce((a, b) => (b.seq > a.seq ? b : a));
  for (const name of names) {
    const done = phase === 'create' ? first(events, fromSeq, (e) => e.name === name && isRunningReady(e)) : firstDeleted(events, name, fromSeq);
    if (done && done.seq < lastStart.seq) {
      return fail(
        `${name} was already ${phase === 'create' ? 'Ready' : 'DELETED'} (${describe(done)}) before ${describe(lastStart)}: the pods were handled one at a time`,
      );
    }
  }
  const spread = Math.max(...starts.map((s) => s.t)) - Math.min(...starts.map((s) => s.t));
  if (spread > withinMs) return fail(`${phase} of ${names.join(', ')} spread over ${spread.toFixed(0)} ms (> ${withinMs} ms)`);
  return pass(`${names.join(', ')} ${phase === 'create' ? 'ADDED' : 'terminating'} together within ${spread.toFixed(0)} ms`);
}

/**
 * OrderedReplace (RollingUpdate): pods are replaced in the order given (high → low ordinal), and the deletion of
 * each pod starts only after the replacement of the one before it is Running+Ready.
 */
export function orderedReplace(events: readonly PodEvent[], names: readonly string[], fromSeq = 0): Verdict {
  const shown: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const del = firstDeletion(events, name, fromSeq);
    if (!del) return fail(`${name} was never replaced since #${fromSeq}`);
    if (i === 0) continue;
    const prevName = names[i - 1]!;
    const prevDel = firstDeletion(events, prevName, fromSeq)!;
    const replacement = firstAdded(events, prevName, prevDel.seq);
    if (!replacement) return fail(`${prevName} was deleted but never recreated`);
    const prev = stateBefore(events, prevName, del.seq);
    if (del.seq < replacement.seq || !prev || !isRunningReady(prev) || prev.uid !== replacement.uid) {
      return fail(`${name} deletion started (${describe(del)}) before the new ${prevName} was Running+Ready (${describe(prev)})`);
    }
    shown.push(`${name} replaced #${del.seq} after new ${prevName} Ready #${prev.seq}`);
  }
  return pass(shown.join('; ') || `${names.join(', ')} replaced`);
}

/** Events for pods in `names` at or after fromSeq that match `what` — for "nothing happens for N s" checks. */
export function eventsMatching(events: readonly PodEvent[], fromSeq: number, what: (e: PodEvent) => boolean): PodEvent[] {
  return events.filter((e) => e.seq >= fromSeq && what(e));
}

/**
 * For "no pod is replaced during the window": why `e` shows a pod being created, deleted or replaced, compared with
 * `before` (name → uid of each pod when the window started), or undefined. A pod deleted and recreated under the
 * same name counts as replaced by its uid, even when the log shows the new incarnation only as MODIFIED.
 */
export function podReplaced(e: PodEvent, before: ReadonlyMap<string, string>): string | undefined {
  if (e.type === 'ADDED') return `${e.name} was created (${describe(e)}, uid ${e.uid})`;
  if (e.type === 'DELETED' || e.deleting) return `${e.name} was deleted (${describe(e)}, uid ${e.uid})`;
  const uid = before.get(e.name);
  if (uid === undefined) return `${e.name} appeared (${describe(e)}, uid ${e.uid}) although it did not exist when the window started`;
  if (e.uid !== uid) return `${e.name} was replaced: uid ${uid} when the window started, uid ${e.uid} now (${describe(e)})`;
  return undefined;
}

/** The same comparison on two snapshots (name → uid), e.g. the pods at the start and at the end of the window. */
export function podsReplaced(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string | undefined {
  for (const [name, uid] of before) {
    const now = after.get(name);
    if (now === undefined) return `${name} (uid ${uid}) is gone`;
    if (now !== uid) return `${name} was replaced: uid ${uid} → ${now}`;
  }
  for (const [name, uid] of after) if (!before.has(name)) return `${name} (uid ${uid}) was created`;
  return undefined;
}

/**
 * The fewest pods of `names` that were Running+Ready at any moment from fromSeq on (state before fromSeq is
 * replayed from the log), and the event at which that low point was reached — for "≥2 Ready at every moment".
 */
export function minReady(events: readonly PodEvent[], names: readonly string[], fromSeq = 0): { min: number; at?: PodEvent } {
  const ready = new Map<string, boolean>();
  let min = Number.POSITIVE_INFINITY;
  let at: PodEvent | undefined;
  for (const e of events) {
    if (!names.includes(e.name)) continue;
    ready.set(e.name, isRunningReady(e));
    if (e.seq < fromSeq) continue;
    const n = [...ready.values()].filter(Boolean).length;
    if (n < min) {
      min = n;
      at = e;
    }
  }
  if (at === undefined) return { min: [...ready.values()].filter(Boolean).length };
  return { min, at };
}
