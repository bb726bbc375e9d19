/**
 * The ledger as scenario steps, declared once for every fault of every scenario: a fault run under the ledger (a
 * quiet baseline, the fault window, a quiet aftermath) and the four verdicts as the assertions `<id>.2`–`<id>.5`,
 * each putting its numbers into results.json and its reason on the timeline.
 */
import { expect } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import type { Capability } from '../providers/provider.ts';
import type { Feature, World } from '../scenario.ts';
import type { ObservedEvent } from '../kube/watch.ts';
import { containerStartedAfter, restartCount, runningReady } from '../kube/statefulset.ts';
import type { Ledger } from './record.ts';
import { checkLostWrites, checkRecovery, checkStaleReads, checkUnavailability, unavailability, type LedgerVerdict } from './verdict.ts';
import type { Adapter, LedgerOptions } from './writer.ts';

/** What must not happen in the quiet stretches around a fault: a pod event that says so, or undefined. */
export type Quiet = (what: string) => (e: ObservedEvent<V1Pod>) => string | undefined;

/** Quiet: no pod of `members` (but `except`) stops being Running and Ready. */
export const membersStayReady =
  (members: readonly string[], except?: string): Quiet =>
  (what) =>
  (e) => {
    const name = e.object.metadata?.name ?? '';
    return members.includes(name) && name !== except && !runningReady(e.object) ? `${name} stopped being Ready ${what}` : undefined;
  };

/**
 * The node-stop fault of a member, as a fault step: stops `member`'s node for `downS` seconds while every other
 * member stays Running and Ready, starts it, and waits up to `backS` for `member` to have restarted there (its
 * restartCount up, or its container started after the stop) and be Ready. Kept shorter than the node controller's
 * grace, so the pods stay bound and the member comes back on the same node with its volume.
 */
export async function stopMemberNode(w: World, member: string, members: readonly string[], downS: number, backS: number): Promise<void> {
  const node = w.pod(member)?.spec?.nodeName;
  if (!node) throw new Error(`${member} has no node`);
  const restarts = restartCount(w.pod(member));
  const stoppedAt = Date.now();
  const start = await w.nodeFault('stop', node);
  w.step(`node ${node} stopped: the other members stay Ready for ${downS} s`);
  await w.pods.hold(w.window(downS), membersStayReady(members, member)(`while ${node} is stopped`));
  await start();
  await w.pods.until(
    () => runningReady(w.pod(member)) && (restartCount(w.pod(member)) > restarts || containerStartedAfter(w.pod(member), stoppedAt)),
    w.timeoutMs(backS),
    `${member} restarted on ${node} (restartCount > ${restarts}, or its container started after the stop) and Ready`,
  );
}

export interface UnderLedgerOptions extends Omit<LedgerOptions, 'now' | 'keyPrefix'> {
  /** Seconds with no change before the fault (the budgets count from the ledger's start). */
  readonly baselineS: number;
  /** Seconds with no change after it. */
  readonly aftermathS: number;
  readonly quiet: Quiet;
}

/**
 * Runs `fault` as one window of a ledger named `name` over `adapter`, between a baseline and an aftermath in which
 * `quiet` must hold. The record is handed to `keep` even when a step failed, so the verdicts judge what was
 * recorded; the adapter is closed after the read-back.
 */
export async function underLedger(
  w: World,
  name: string,
  adapter: Adapter & { close(): Promise<void> },
  faultName: string,
  fault: () => Promise<void>,
  opts: UnderLedgerOptions,
  keep: (l: Ledger) => void,
): Promise<Ledger> {
  const { baselineS, aftermathS, quiet, ...ledgerOpts } = opts;
  const run = w.ledger(name, adapter, ledgerOpts);
  let failure: unknown;
  try {
    w.step(`ledger baseline: no member changes for ${baselineS} s`);
    await w.pods.hold(w.window(baselineS), quiet('before the fault'));
    await run.during(faultName, fault);
    w.step(`ledger aftermath: no member changes for ${aftermathS} s`);
    await w.pods.hold(w.window(aftermathS), quiet('after the fault'));
  } catch (err) {
    failure = err;
  }
  run.stop();
  const ledger = await run.done.finally(() => adapter.close());
  keep(ledger);
  if (failure !== undefined) throw failure;
  return ledger;
}

/** The ledgers the `<id>.1` steps recorded, kept for the verdicts `<id>.2`–`<id>.5` (one per scenario). */
export class RecordedLedgers {
  readonly #byId = new Map<string, Ledger>();
  /** What `underLedger` hands the record to. */
  keep(id: string): (l: Ledger) => void {
    return (l) => this.#byId.set(id, l);
  }
  /** The record of `<id>.1`, or an error saying it did not run to its end. */
  of(id: string): () => Ledger {
    return () => {
      const l = this.#byId.get(id);
      if (!l) throw new Error(`no ledger was recorded: [${id}.1] did not run to its end`);
      return l;
    };
  }
}

/** The longest stretches without a successful write and read that overlap the ledger's first fault window. */
export function gapsAroundFault(ledger: Ledger): { writeGapMs: number; readGapMs: number } {
  const u = unavailability(ledger);
  return { writeGapMs: Math.round(u.write.windows[0]?.longest?.ms ?? -1), readGapMs: Math.round(u.read.windows[0]?.longest?.ms ?? -1) };
}

/** A ledger verdict as the assertion: its numbers into results.json, its reason on the timeline and as the failure. */
export function ledgerVerdict(w: World, v: LedgerVerdict): void {
  w.report(v.numbers);
  w.timeline.add('note', 'ledger', v.reason);
  expect(v.ok, v.reason).toBe(true);
}

export interface LedgerAssertions {
  /** The fault, as the titles say it: "across the node stop". */
  readonly across: string;
  readonly maxUnavailableMs: number;
  readonly maxRecoveryMs: number;
  /** After what the fault's end is measured, for the recovery title: "the member being back". */
  readonly recoveryFrom: string;
  readonly needs: readonly Capability[];
}

/**
 * `<id>.2`–`<id>.5` on the ledger `<id>.1` recorded: no acknowledged write lost, no stale read, unavailability and
 * recovery within their budgets. Each runs after `<id>.1`, so `--grep '\[<id>\.4\]'` records the ledger first.
 */
export function ledgerAssertions(f: Feature, id: string, recorded: () => Ledger, a: LedgerAssertions): void {
  const opts = { timeout: 30, needs: a.needs, after: [`${id}.1`] };
  f.assess(`${id}.2`, `no acknowledged write is lost ${a.across}`, opts, async (w) => ledgerVerdict(w, checkLostWrites(recorded())));
  f.assess(`${id}.3`, `no read returns missing or older data than a write acknowledged before it ${a.across}`, opts, async (w) =>
    ledgerVerdict(w, checkStaleReads(recorded())),
  );
  f.assess(`${id}.4`, `no stretch without a successful write or read is longer than ${a.maxUnavailableMs / 1000} s ${a.across}`, opts, async (w) =>
    ledgerVerdict(w, checkUnavailability(recorded(), a.maxUnavailableMs)),
  );
  f.assess(`${id}.5`, `writes and reads succeed within ${a.maxRecoveryMs / 1000} s of ${a.recoveryFrom}`, opts, async (w) =>
    ledgerVerdict(w, checkRecovery(recorded(), a.maxRecoveryMs)),
  );
}
