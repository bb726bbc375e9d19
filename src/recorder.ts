/**
 * A scenario's record, apart from the cluster: the timeline, the deviations from the seed manifests, the failed
 * assertions, and what the running assess step measured or left out. World composes it with a NamespaceSession;
 * the report and the verdicts are built from it alone.
 */
import type { Deviation } from './manifests.ts';
import type { Capability } from './providers/provider.ts';
import { writeTimeline } from './reporting/artifacts.ts';
import { Timeline } from './timeline.ts';

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

export class Recorder {
  readonly timeline = new Timeline();
  readonly deviations: Deviation[] = [];
  /** The names of the tests that failed: diagnostics and --keep on-failure read it. */
  readonly failed: string[] = [];
  /** What the running assess step left out; undefined outside one. */
  private shortfalls: Shortfall[] | undefined;
  /** What the running assess step measured (report()). */
  private numbers: Record<string, number> = {};

  /** Records what the step does, like the tutorial's command, on the timeline. */
  step(text: string): void {
    this.timeline.add('action', 'step', text);
  }

  mark(): number {
    return this.timeline.mark();
  }

  /** A change the harness makes to a seed manifest: into the report's deviations and the timeline, once. */
  deviation(object: string, change: string): void {
    if (this.addDeviation({ object, change })) this.timeline.add('note', 'deviation', `${object}: ${change}`);
  }

  /** A deviation an overlay made while loading fixture `file`: recorded once, like deviation(), noted as an overlay. */
  overlay(file: string, d: Deviation): void {
    if (this.addDeviation(d)) this.timeline.add('note', 'overlay', `${file}: ${d.object}: ${d.change}`);
  }

  /** Whether `d` is new: deviation() and overlay() share one list, so a change is reported once whoever makes it. */
  private addDeviation(d: Deviation): boolean {
    if (this.deviations.some((x) => x.object === d.object && x.change === d.change)) return false;
    this.deviations.push(d);
    return true;
  }

  /** Starts collecting shortfalls and numbers for one assess step. */
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

  /** Writes `<reportDir>/timelines/<scenario>.json`; its path. */
  writeTimeline(reportDir: string, scenario: string, namespace: string): string {
    return writeTimeline(reportDir, {
      scenario,
      namespace,
      startedAt: this.timeline.startedAt,
      deviations: this.deviations,
      entries: this.timeline.entries,
    });
  }
}
