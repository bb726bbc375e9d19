/**
 * The write ledger's verdicts (issue 14): pure functions of a recorded Ledger (src/ledger/record.ts), each one
 * assertion. Each check returns `{ ok, reason, numbers }`: the reason names the operations and times that decided
 * it, the numbers go into results.json whether the check passed or not (a count that is allowed, such as writes
 * lost under declared asynchronous replication, is reported, never hidden).
 *
 * A success happens when it is acknowledged: every measure of time uses an operation's `end` (the acknowledgement),
 * never its `start`, so a write issued inside a fault window and acknowledged after it counts after it.
 *
 * A check never passes on what the ledger did not show: no acknowledged write, no checkable read, no fault window,
 * a read-back that failed, or a malformed ledger fail with the reason.
 */
import type { Verdict } from '../ordering.ts';
import { LEDGER_SCHEMA, isRead, isWrite, type FaultWindow, type Ledger, type ReadOp, type WriteOp } from './record.ts';

/** A Verdict with the measured numbers (counts, milliseconds), for results.json and the conformance verdict. */
export interface LedgerVerdict extends Verdict {
  readonly numbers: Readonly<Record<string, number>>;
}

export interface LedgerBudgets {
  /** The longest span allowed with no successful write, and with no successful read (ms). */
  readonly maxUnavailableMs: number;
  /** The longest time allowed from a fault window's end to the first successful write, and read, after it (ms). */
  readonly maxRecoveryMs: number;
}

export interface LedgerCheckOptions extends LedgerBudgets {
  /** The app declares asynchronous replication: lost acknowledged writes are counted and reported, not failed. */
  readonly asyncReplication?: boolean;
}

const ms = (t: number): string => `${Math.round(t)} ms`;
const show = (v: string | null): string => (v === null ? 'missing' : JSON.stringify(v));
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function settled(op: WriteOp | ReadOp): string {
  if (op.outcome === 'ok') return `${op.kind === 'write' ? 'acknowledged' : 'answered'} at ${ms(op.end)}`;
  if (op.outcome === 'error') return `failed at ${ms(op.end)}: ${op.message}`;
  return `timed out at ${ms(op.end)}`;
}

export function describeWrite(w: WriteOp): string {
  return `write #${w.seq} ${w.key} v${w.version} (started ${ms(w.start)}, ${settled(w)})`;
}

export function describeRead(r: ReadOp): string {
  const got = r.outcome === 'ok' ? `, returned ${show(r.value)}` : '';
  return `${r.seq < 0 ? 'read-back' : `read #${r.seq}`} of ${r.key} (started ${ms(r.start)}, ${settled(r)}${got})`;
}

/** The first `n` items and how many more there were. */
function firstFew(items: readonly string[], n = 3): string {
  return items.length <= n ? items.join('; ') : `${items.slice(0, n).join('; ')}; and ${items.length - n} more`;
}

const pass = (reason: string, numbers: Record<string, number>): LedgerVerdict => ({ ok: true, reason, numbers });
const fail = (reason: string, numbers: Record<string, number>): LedgerVerdict => ({ ok: false, reason, numbers });

// ---------------------------------------------------------------------------------------------------------------
// Structure

/** The writes of one key, in version order, and which write each value belongs to. */
interface KeyWrites {
  readonly writes: readonly WriteOp[];
  readonly byValue: ReadonlyMap<string, WriteOp>;
}

function indexWrites(ledger: Ledger): Map<string, KeyWrites> {
  const lists = new Map<string, WriteOp[]>();
  for (const op of ledger.ops) {
    if (!isWrite(op)) continue;
    const l = lists.get(op.key);
    if (l === undefined) lists.set(op.key, [op]);
    else l.push(op);
  }
  const out = new Map<string, KeyWrites>();
  for (const [key, list] of lists) {
    list.sort((a, b) => a.version - b.version);
    out.set(key, { writes: list, byValue: new Map(list.map((w) => [w.value, w])) });
  }
  return out;
}

/** The span the ledger observed: from its first tick to the last settled operation. */
export function ledgerSpan(ledger: Ledger): { readonly from: number; readonly to: number } {
  let to = ledger.end;
  for (const op of ledger.ops) if (op.end > to) to = op.end;
  return { from: ledger.start, to };
}

/**
 * What makes a ledger unusable for any verdict: an unknown schema, times out of order, a duplicate seq or window
 * name, or writes of one key that break the version rule (versions unique and rising with start time, values
 * unique, each write of a key settled before the next one started).
 */
export function ledgerProblems(ledger: Ledger): string[] {
  const problems: string[] = [];
  if (ledger.schema !== LEDGER_SCHEMA) problems.push(`schema ${String(ledger.schema)} is not ${LEDGER_SCHEMA}`);
  const finite = (...xs: number[]): boolean => xs.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!finite(ledger.start, ledger.stop, ledger.end) || ledger.stop < ledger.start || ledger.end < ledger.stop) {
    problems.push(`run times out of order: start ${ledger.start}, stop ${ledger.stop}, end ${ledger.end}`);
  }
  const seqs = new Set<number>();
  for (const op of ledger.ops) {
    if (!finite(op.start, op.end) || op.end < op.start) problems.push(`#${op.seq} ${op.kind} ${op.key} ends (${op.end}) before it starts (${op.start})`);
    if (op.start < ledger.start) problems.push(`#${op.seq} ${op.kind} ${op.key} starts (${op.start}) before the ledger (${ledger.start})`);
    if (seqs.has(op.seq)) problems.push(`seq ${op.seq} appears twice`);
    seqs.add(op.seq);
    if (isWrite(op) && !(Number.isInteger(op.version) && op.version >= 1)) problems.push(`${describeWrite(op)}: version is not a positive integer`);
  }
  for (const [key, { writes, byValue }] of indexWrites(ledger)) {
    if (byValue.size !== writes.length) problems.push(`two writes of ${key} have the same value`);
    for (let i = 1; i < writes.length; i++) {
      const a = writes[i - 1]!;
      const b = writes[i]!;
      if (a.version === b.version) problems.push(`two writes of ${key} have version ${a.version}`);
      else if (b.start < a.end) problems.push(`${describeWrite(b)} started before ${describeWrite(a)} settled: versions of a key must not overlap`);
    }
  }
  const names = new Set<string>();
  for (const w of ledger.windows) {
    if (names.has(w.name)) problems.push(`fault window name ${JSON.stringify(w.name)} appears twice`);
    names.add(w.name);
    if (!finite(w.start) || (w.end !== null && !(finite(w.end) && w.end >= w.start)))
      problems.push(`fault ${w.name} ends (${w.end}) before it starts (${w.start})`);
  }
  const readBackKeys = new Set<string>();
  for (const r of ledger.readBack) {
    if (readBackKeys.has(r.key)) problems.push(`the read-back has ${r.key} twice`);
    readBackKeys.add(r.key);
  }
  return problems;
}

/** What keeps a ledger from showing unavailability and recovery around its windows: it must run across each one. */
export function windowProblems(ledger: Ledger): string[] {
  const problems: string[] = [];
  for (const w of ledger.windows) {
    if (w.start < ledger.start) problems.push(`fault ${w.name} started at ${ms(w.start)}, before the ledger's first tick at ${ms(ledger.start)}`);
    if (w.end === null) problems.push(`fault ${w.name} had not ended when the ledger stopped at ${ms(ledger.stop)}`);
    else if (w.end > ledger.stop) problems.push(`fault ${w.name} ended at ${ms(w.end)}, after the ledger stopped starting operations at ${ms(ledger.stop)}`);
  }
  return problems;
}

function malformed(problems: readonly string[], numbers: Record<string, number>): LedgerVerdict | undefined {
  return problems.length > 0 ? fail(`the ledger cannot be judged: ${firstFew(problems)}`, numbers) : undefined;
}

/**
 * How a returned value compares with `newest`, the write it must reflect: the same or a later version is fresh;
 * null is missing; a value no write of the key had is foreign; an earlier acknowledged version is older (that
 * write settled before `newest` started, so it cannot legitimately follow it); an earlier unacknowledged version
 * is ambiguous (it may have taken effect late, after `newest`), reported but not failed.
 */
type Freshness = { readonly is: 'fresh' | 'missing' | 'foreign' } | { readonly is: 'older' | 'ambiguous'; readonly found: WriteOp };

function freshness(value: string | null, key: KeyWrites, newest: WriteOp): Freshness {
  if (value === null) return { is: 'missing' };
  const found = key.byValue.get(value);
  if (found === undefined) return { is: 'foreign' };
  if (found.version >= newest.version) return { is: 'fresh' };
  return { is: found.outcome === 'ok' ? 'older' : 'ambiguous', found };
}

function whatWasFound(f: Freshness, value: string | null): string {
  if (f.is === 'missing') return 'the key missing';
  if (f.is === 'foreign') return `${show(value)}, a value no write of the key had`;
  if (f.is === 'older' || f.is === 'ambiguous') return `older v${f.found.version} (${describeWrite(f.found)})`;
  return show(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Lost acknowledged writes

export interface LostWrite {
  readonly write: WriteOp;
  readonly why: 'missing' | 'older' | 'foreign';
  /** What the read-back returned. */
  readonly found: string | null;
}

export interface LostWrites {
  readonly acknowledged: number;
  readonly lost: readonly LostWrite[];
  /** Acknowledged writes whose read-back failed or started before the acknowledgement: survival not shown. */
  readonly unverified: readonly { readonly write: WriteOp; readonly why: string }[];
  /** Acknowledged writes whose key reads back as an earlier, unacknowledged version (it may have landed late). */
  readonly ambiguous: readonly WriteOp[];
  /** Writes that errored or timed out (indeterminate), and how many of them the read-back shows took effect. */
  readonly unacknowledged: number;
  readonly unacknowledgedApplied: number;
}

/**
 * An acknowledged write W (key k, version v) is lost when the read-back of k answered, started after W's
 * acknowledgement, and returned: k missing; a value no write of k had; or the value of an earlier acknowledged
 * write of k (version < v). A later version (overwritten) or W's own value is survival.
 */
export function lostWrites(ledger: Ledger): LostWrites {
  const keys = indexWrites(ledger);
  const readBack = new Map(ledger.readBack.map((r) => [r.key, r]));
  const lost: LostWrite[] = [];
  const unverified: { write: WriteOp; why: string }[] = [];
  const ambiguous: WriteOp[] = [];
  let acknowledged = 0;
  let unacknowledged = 0;
  let unacknowledgedApplied = 0;
  for (const [key, kw] of keys) {
    const b = readBack.get(key);
    for (const w of kw.writes) {
      if (w.outcome !== 'ok') {
        unacknowledged++;
        if (b?.outcome === 'ok' && b.value === w.value) unacknowledgedApplied++;
        continue;
      }
      acknowledged++;
      if (b === undefined) unverified.push({ write: w, why: `${key} was not read back` });
      else if (b.outcome !== 'ok') unverified.push({ write: w, why: `its ${describeRead(b)}` });
      else if (b.start < w.end) unverified.push({ write: w, why: `its ${describeRead(b)} started before the acknowledgement` });
      else {
        const f = freshness(b.value, kw, w);
        if (f.is === 'ambiguous') ambiguous.push(w);
        else if (f.is !== 'fresh') lost.push({ write: w, why: f.is, found: b.value });
      }
    }
  }
  const bySeq = <T extends { readonly write: WriteOp }>(a: T, b: T): number => a.write.seq - b.write.seq;
  return { acknowledged, lost: lost.sort(bySeq), unverified: unverified.sort(bySeq), ambiguous, unacknowledged, unacknowledgedApplied };
}

/** No acknowledged write is lost; with `asyncReplication` the lost ones are counted and reported but do not fail. */
export function checkLostWrites(ledger: Ledger, opts: { readonly asyncReplication?: boolean } = {}): LedgerVerdict {
  const problems = malformed(ledgerProblems(ledger), {});
  if (problems) return problems;
  const a = lostWrites(ledger);
  const count = (why: LostWrite['why']): number => a.lost.filter((l) => l.why === why).length;
  const numbers = {
    acknowledged: a.acknowledged,
    lost: a.lost.length,
    lostMissing: count('missing'),
    lostOlder: count('older'),
    lostForeign: count('foreign'),
    unverified: a.unverified.length,
    ambiguous: a.ambiguous.length,
    unacknowledged: a.unacknowledged,
    unacknowledgedApplied: a.unacknowledgedApplied,
    asyncReplication: opts.asyncReplication ? 1 : 0,
  };
  if (a.acknowledged === 0) return fail(`no write was acknowledged (${plural(a.unacknowledged, 'write')} attempted): durability was not shown`, numbers);
  if (a.unverified.length > 0) {
    return fail(
      `${a.unverified.length} of ${a.acknowledged} acknowledged writes could not be checked: ${firstFew(a.unverified.map((u) => `${describeWrite(u.write)}: ${u.why}`))}`,
      numbers,
    );
  }
  const extra = `${a.ambiguous.length ? `; ${a.ambiguous.length} read back as an earlier unacknowledged version` : ''}; ${a.unacknowledgedApplied} of ${a.unacknowledged} unacknowledged writes took effect`;
  if (a.lost.length > 0) {
    const list = firstFew(a.lost.map((l) => `${describeWrite(l.write)} read back as ${l.why === 'older' ? `older ${show(l.found)}` : show(l.found)}`));
    const what = `${a.lost.length} of ${a.acknowledged} acknowledged writes lost: ${list}`;
    if (opts.asyncReplication) return pass(`${what} (asynchronous replication declared: counted, not failed)${extra}`, numbers);
    return fail(what, numbers);
  }
  return pass(`all ${a.acknowledged} acknowledged writes read back${extra}`, numbers);
}

// ---------------------------------------------------------------------------------------------------------------
// Stale and missing reads

export interface StaleRead {
  readonly read: ReadOp;
  /** The newest write of the key acknowledged before the read started. */
  readonly expected: WriteOp;
  readonly why: 'missing' | 'older' | 'foreign';
}

export interface StaleReads {
  readonly reads: number;
  readonly answered: number;
  /** Answered reads that started after some write of their key was acknowledged. */
  readonly checked: number;
  readonly stale: readonly StaleRead[];
  /** Reads that returned an earlier, unacknowledged version (it may have landed late). */
  readonly ambiguous: readonly ReadOp[];
}

/**
 * A read R of key k that answered is stale when some write of k was acknowledged before R started (end < R.start;
 * the newest such is W, version v) and R returned: k missing; a value no write of k had; or the value of an
 * earlier acknowledged write of k (version < v). Reads with no write of their key acknowledged before they
 * started are not checked; the read-back is judged by lostWrites, not here.
 */
export function staleReads(ledger: Ledger): StaleReads {
  const keys = indexWrites(ledger);
  const stale: StaleRead[] = [];
  const ambiguous: ReadOp[] = [];
  let reads = 0;
  let answered = 0;
  let checked = 0;
  for (const r of ledger.ops) {
    if (!isRead(r)) continue;
    reads++;
    if (r.outcome !== 'ok') continue;
    answered++;
    const kw = keys.get(r.key);
    let newest: WriteOp | undefined;
    for (const w of kw?.writes ?? []) if (w.outcome === 'ok' && w.end < r.start && (!newest || w.version > newest.version)) newest = w;
    if (kw === undefined || newest === undefined) continue;
    checked++;
    const f = freshness(r.value, kw, newest);
    if (f.is === 'ambiguous') ambiguous.push(r);
    else if (f.is !== 'fresh') stale.push({ read: r, expected: newest, why: f.is });
  }
  return { reads, answered, checked, stale, ambiguous };
}

/** No read returned missing or older data than a write acknowledged before it started. */
export function checkStaleReads(ledger: Ledger): LedgerVerdict {
  const problems = malformed(ledgerProblems(ledger), {});
  if (problems) return problems;
  const a = staleReads(ledger);
  const count = (why: StaleRead['why']): number => a.stale.filter((s) => s.why === why).length;
  const numbers = {
    reads: a.reads,
    answered: a.answered,
    checked: a.checked,
    stale: a.stale.length,
    staleMissing: count('missing'),
    staleOlder: count('older'),
    staleForeign: count('foreign'),
    ambiguous: a.ambiguous.length,
  };
  if (a.checked === 0) {
    return fail(`no read started after a write of its key was acknowledged (${a.answered} of ${a.reads} reads answered): freshness was not shown`, numbers);
  }
  if (a.stale.length > 0) {
    const keys = indexWrites(ledger);
    const list = a.stale.map((s) => {
      const value = s.read.outcome === 'ok' ? s.read.value : null;
      const f = freshness(value, keys.get(s.read.key)!, s.expected);
      return `${describeRead(s.read)}: expected v${s.expected.version} or later (${describeWrite(s.expected)}), got ${whatWasFound(f, value)}`;
    });
    return fail(`${a.stale.length} of ${a.checked} checked reads returned missing or older data: ${firstFew(list)}`, numbers);
  }
  const amb = a.ambiguous.length ? `; ${a.ambiguous.length} returned an earlier unacknowledged version` : '';
  return pass(`all ${a.checked} checked reads returned the newest acknowledged version or later${amb}`, numbers);
}

// ---------------------------------------------------------------------------------------------------------------
// Unavailability

/** A span with no success: between two consecutive acknowledgements, or from the span's edge to the nearest one. */
export interface Gap {
  readonly from: number;
  readonly to: number;
  readonly ms: number;
}

/** The spans of [from, to] between consecutive instants (instants outside it are ignored), in time order. */
export function gaps(instants: readonly number[], from: number, to: number): Gap[] {
  const points = [from, ...instants.filter((t) => t >= from && t <= to).sort((a, b) => a - b), to];
  const out: Gap[] = [];
  for (let i = 1; i < points.length; i++) out.push({ from: points[i - 1]!, to: points[i]!, ms: points[i]! - points[i - 1]! });
  return out;
}

/** The longest gap (the earliest of equals), or undefined for none. */
export function longest(list: readonly Gap[]): Gap | undefined {
  let best: Gap | undefined;
  for (const g of list) if (!best || g.ms > best.ms) best = g;
  return best;
}

/** Whether a gap overlaps a window (a point window: whether the gap contains it). */
function overlaps(g: Gap, start: number, end: number): boolean {
  return start === end ? g.from <= start && g.to >= start : g.from < end && g.to > start;
}

export interface Availability {
  /** Successful operations of this kind. */
  readonly successes: number;
  /** The longest span of the whole ledger with no success of this kind. */
  readonly longest: Gap;
  /** Per fault window, the longest such span overlapping it (null: the window lies outside the ledger's span). */
  readonly windows: readonly { readonly name: string; readonly longest: Gap | null }[];
}

export interface Unavailability {
  readonly from: number;
  readonly to: number;
  readonly write: Availability;
  readonly read: Availability;
}

/**
 * The longest span with no successful write, and with no successful read, over the ledger's span (its first tick
 * to the last settled operation, ledgerSpan), with every success at its acknowledgement time; and for each fault
 * window the longest such span overlapping it, which may begin before it starts and end after it ends.
 */
export function unavailability(ledger: Ledger): Unavailability {
  const span = ledgerSpan(ledger);
  const of = (kind: 'write' | 'read'): Availability => {
    const acks = ledger.ops.filter((op) => op.kind === kind && op.outcome === 'ok').map((op) => op.end);
    const all = gaps(acks, span.from, span.to);
    const windows = ledger.windows.map((w) => ({ name: w.name, longest: longest(all.filter((g) => overlaps(g, w.start, w.end ?? span.to))) ?? null }));
    return { successes: acks.length, longest: longest(all)!, windows };
  };
  return { ...span, write: of('write'), read: of('read') };
}

function windowsOverlapping(ledger: Ledger, g: Gap): string {
  const names = ledger.windows.filter((w) => overlaps(g, w.start, w.end ?? Number.POSITIVE_INFINITY)).map((w) => w.name);
  return names.length ? `, overlapping fault ${names.join(', ')}` : ', outside every fault window';
}

function validBudget(name: string, value: number, numbers: Record<string, number>): LedgerVerdict | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? undefined
    : fail(`budget ${name} is ${String(value)}, not a number of ms >= 0`, numbers);
}

/** The longest span with no successful write, and with no successful read, is at most maxUnavailableMs. */
export function checkUnavailability(ledger: Ledger, maxUnavailableMs: number): LedgerVerdict {
  const problems = malformed([...ledgerProblems(ledger), ...windowProblems(ledger)], {});
  if (problems) return problems;
  const u = unavailability(ledger);
  const numbers: Record<string, number> = {
    budgetMs: maxUnavailableMs,
    writes: u.write.successes,
    reads: u.read.successes,
    writeGapMs: u.write.longest.ms,
    writeGapFrom: u.write.longest.from,
    writeGapTo: u.write.longest.to,
    readGapMs: u.read.longest.ms,
    readGapFrom: u.read.longest.from,
    readGapTo: u.read.longest.to,
  };
  for (const [kind, a] of [
    ['write', u.write],
    ['read', u.read],
  ] as const) {
    for (const w of a.windows) if (w.longest) numbers[`${w.name}:${kind}GapMs`] = w.longest.ms;
  }
  const bad = validBudget('maxUnavailableMs', maxUnavailableMs, numbers);
  if (bad) return bad;
  const say = (kind: string, g: Gap): string => `no successful ${kind} for ${ms(g.ms)} (${ms(g.from)} to ${ms(g.to)}${windowsOverlapping(ledger, g)})`;
  const over = [
    ...(u.write.longest.ms > maxUnavailableMs ? [say('write', u.write.longest)] : []),
    ...(u.read.longest.ms > maxUnavailableMs ? [say('read', u.read.longest)] : []),
  ];
  if (over.length > 0) return fail(`${over.join('; ')}: over the budget of ${ms(maxUnavailableMs)}`, numbers);
  return pass(`longest spans: ${say('write', u.write.longest)}; ${say('read', u.read.longest)}; within the budget of ${ms(maxUnavailableMs)}`, numbers);
}

// ---------------------------------------------------------------------------------------------------------------
// Recovery

export interface Recovery {
  readonly window: FaultWindow;
  /** From the window's end to the first write acknowledged at or after it, and that write; null: none. */
  readonly write: { readonly ms: number; readonly op: WriteOp } | null;
  readonly read: { readonly ms: number; readonly op: ReadOp } | null;
}

/**
 * For each fault window that ended: the time from its end to the first successful write, and the first successful
 * read, acknowledged at or after that end (whenever it started: a write issued inside the window and acknowledged
 * after it is the recovery if it is the first).
 */
export function recovery(ledger: Ledger): Recovery[] {
  return ledger.windows.map((window) => {
    const first = <T extends WriteOp | ReadOp>(ops: readonly T[]): { ms: number; op: T } | null => {
      if (window.end === null) return null;
      let best: T | undefined;
      for (const op of ops) if (op.outcome === 'ok' && op.end >= window.end && (!best || op.end < best.end)) best = op;
      return best ? { ms: best.end - window.end, op: best } : null;
    };
    return { window, write: first(ledger.ops.filter(isWrite)), read: first(ledger.ops.filter(isRead)) };
  });
}

/** Every fault window ended, and a write and a read succeeded within maxRecoveryMs of its end. */
export function checkRecovery(ledger: Ledger, maxRecoveryMs: number): LedgerVerdict {
  const problems = malformed([...ledgerProblems(ledger), ...windowProblems(ledger)], {});
  if (problems) return problems;
  const rs = recovery(ledger);
  const numbers: Record<string, number> = { budgetMs: maxRecoveryMs, windows: rs.length };
  for (const r of rs) {
    if (r.write) numbers[`${r.window.name}:writeRecoveryMs`] = r.write.ms;
    if (r.read) numbers[`${r.window.name}:readRecoveryMs`] = r.read.ms;
  }
  // The slowest recovery shown (a window with none shown fails below and has no number).
  const shownMs = (kind: 'write' | 'read'): number[] => rs.flatMap((r) => (r[kind] ? [r[kind].ms] : []));
  if (shownMs('write').length) numbers.maxWriteRecoveryMs = Math.max(...shownMs('write'));
  if (shownMs('read').length) numbers.maxReadRecoveryMs = Math.max(...shownMs('read'));
  const bad = validBudget('maxRecoveryMs', maxRecoveryMs, numbers);
  if (bad) return bad;
  if (rs.length === 0) return fail('no fault window was recorded: recovery was not shown', numbers);
  const failures: string[] = [];
  const shown: string[] = [];
  for (const r of rs) {
    const end = r.window.end!;
    for (const [kind, got] of [
      ['write', r.write],
      ['read', r.read],
    ] as const) {
      if (got === null) failures.push(`no successful ${kind} after fault ${r.window.name} ended at ${ms(end)} (ledger ran until ${ms(ledger.end)})`);
      else {
        const what = `first ${kind} after fault ${r.window.name} (ended ${ms(end)}) succeeded ${ms(got.ms)} later (${got.op.kind === 'write' ? describeWrite(got.op) : describeRead(got.op)})`;
        if (got.ms > maxRecoveryMs) failures.push(what);
        else shown.push(what);
      }
    }
  }
  if (failures.length > 0) return fail(`${firstFew(failures, 4)}: the budget is ${ms(maxRecoveryMs)}`, numbers);
  return pass(`${firstFew(shown, 4)}; within the budget of ${ms(maxRecoveryMs)}`, numbers);
}

// ---------------------------------------------------------------------------------------------------------------
// Failed operations during the faults

export interface FailedInFaults {
  readonly writes: number;
  readonly failedWrites: readonly WriteOp[];
  readonly reads: number;
  readonly failedReads: readonly ReadOp[];
}

/**
 * The writes and reads started inside a fault window (from its start to its end, or to the ledger's stop for a
 * window still open), and those of them that failed (an error or a timeout).
 */
export function failedInFaults(ledger: Ledger): FailedInFaults {
  const inFault = (t: number): boolean => ledger.windows.some((w) => t >= w.start && t <= (w.end ?? ledger.stop));
  const writes = ledger.ops.filter(isWrite).filter((o) => inFault(o.start));
  const reads = ledger.ops.filter(isRead).filter((o) => inFault(o.start));
  return {
    writes: writes.length,
    failedWrites: writes.filter((o) => o.outcome !== 'ok'),
    reads: reads.length,
    failedReads: reads.filter((o) => o.outcome !== 'ok'),
  };
}

/**
 * Of the writes, and of the reads, started during the faults, at most `maxFailedShare` (0 to 1) failed: what a
 * replicated store keeps while a quorum of replicas is up. A span without writes catches an outage of every key;
 * this catches an outage of some keys (say, those whose only replica is down) while the others still answer.
 */
export function checkFailedInFaults(ledger: Ledger, maxFailedShare: number): LedgerVerdict {
  const problems = malformed([...ledgerProblems(ledger), ...windowProblems(ledger)], {});
  if (problems) return problems;
  const f = failedInFaults(ledger);
  const share = (failed: number, all: number): number => (all === 0 ? 0 : failed / all);
  const numbers: Record<string, number> = {
    maxFailedSharePct: maxFailedShare * 100,
    writesInFaults: f.writes,
    failedWritesInFaults: f.failedWrites.length,
    readsInFaults: f.reads,
    failedReadsInFaults: f.failedReads.length,
  };
  if (!(Number.isFinite(maxFailedShare) && maxFailedShare >= 0 && maxFailedShare <= 1))
    return fail(`budget maxFailedShare is ${String(maxFailedShare)}, not a share from 0 to 1`, numbers);
  if (ledger.windows.length === 0) return fail('no fault window was recorded: the operations during a fault were not shown', numbers);
  if (f.writes === 0 || f.reads === 0) return fail(`no ${f.writes === 0 ? 'write' : 'read'} was started during the faults: not shown`, numbers);
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const say = (kind: string, failed: readonly (WriteOp | ReadOp)[], all: number): string =>
    `${failed.length} of ${plural(all, kind)} started during the faults failed (${pct(share(failed.length, all))})`;
  const over = [
    ...(share(f.failedWrites.length, f.writes) > maxFailedShare
      ? [`${say('write', f.failedWrites, f.writes)}: ${firstFew(f.failedWrites.map(describeWrite))}`]
      : []),
    ...(share(f.failedReads.length, f.reads) > maxFailedShare ? [`${say('read', f.failedReads, f.reads)}: ${firstFew(f.failedReads.map(describeRead))}`] : []),
  ];
  if (over.length > 0) return fail(`${over.join('; ')}: over the budget of ${pct(maxFailedShare)}`, numbers);
  return pass(`${say('write', f.failedWrites, f.writes)}; ${say('read', f.failedReads, f.reads)}; within the budget of ${pct(maxFailedShare)}`, numbers);
}

// ---------------------------------------------------------------------------------------------------------------

export interface LedgerVerdicts {
  readonly lostWrites: LedgerVerdict;
  readonly staleReads: LedgerVerdict;
  readonly unavailability: LedgerVerdict;
  readonly recovery: LedgerVerdict;
}

/** The four checks of a ledger, each to become one assertion. */
export function ledgerVerdicts(ledger: Ledger, opts: LedgerCheckOptions): LedgerVerdicts {
  return {
    lostWrites: checkLostWrites(ledger, { asyncReplication: opts.asyncReplication ?? false }),
    staleReads: checkStaleReads(ledger),
    unavailability: checkUnavailability(ledger, opts.maxUnavailableMs),
    recovery: checkRecovery(ledger, opts.maxRecoveryMs),
  };
}
