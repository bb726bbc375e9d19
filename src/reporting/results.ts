/**
 * Collects vitest results across every cluster group of a run (one vitest run per cluster profile) into one
 * list of catalogue assertions, and prints one line per assertion as it finishes.
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { SerializedError } from 'vitest';
import { isStopping } from '../cleanup.ts';
import { scenarioNameOf } from '../discovery.ts';

import type { AssertionResult, Outcome } from './artifacts.ts';

export type { AssertionResult, Outcome } from './artifacts.ts';

const idOf = (name: string): string => /^\[([^\]]+)\]/.exec(name)?.[1] ?? name;

export class ResultCollector implements Reporter {
  readonly results: AssertionResult[] = [];
  private provider = '';
  private readonly print: (line: string) => void;
  /** The run's --grep (vitest testNamePattern): a test it does not match was filtered out, not left unrun. */
  private readonly selected: (name: string) => boolean;

  constructor(print: (line: string) => void, grep?: string) {
    this.print = print;
    const re = grep === undefined ? undefined : new RegExp(grep);
    this.selected = (name) => re === undefined || re.test(name);
  }

  /** The provider of the cluster group about to run. */
  setProvider(p: string): void {
    this.provider = p;
  }

  private firstSeen = false;
  /** When each test case started, for the duration of one vitest reports none for (skipped after running: partial). */
  private readonly startedAt = new Map<string, number>();
  /** Seconds since the command when each test case started. */
  private readonly startedUptime = new Map<string, number>();
  onTestCaseReady(tc: TestCase): void {
    this.startedAt.set(tc.id, performance.now());
    this.startedUptime.set(tc.id, process.uptime());
  }

  /**
   * Once per run: how long from the command to the first assertion (what --reuse is for). Printed with the first
   * result that is part of the run, since vitest also readies the cases that --grep filters out.
   */
  private firstAssertion(tc: TestCase): void {
    if (this.firstSeen) return;
    this.firstSeen = true;
    const at = this.startedUptime.get(tc.id) ?? process.uptime();
    this.print(`first assertion ${scenarioNameOf(tc.module.relativeModuleId)} ${tc.name.split(' ')[0]} started ${at.toFixed(1)} s after the command`);
  }

  onTestCaseResult(tc: TestCase): void {
    const r = tc.result();
    if (r.state === 'skipped' && r.note === undefined) return; // filtered out by --grep: not part of this run
    this.firstAssertion(tc);
    const scenario = scenarioNameOf(tc.module.relativeModuleId);
    const started = this.startedAt.get(tc.id);
    const durationMs = tc.diagnostic()?.duration ?? (started === undefined ? 0 : performance.now() - started);
    const numbers = tc.meta().numbers;
    const base = { scenario, name: tc.name, id: idOf(tc.name), durationMs, provider: this.provider, ...(numbers ? { numbers } : {}) };
    let res: AssertionResult;
    if (r.state === 'failed') {
      const err = r.errors[0];
      res = { ...base, outcome: 'failed', message: (err?.message ?? 'failed').split('\n')[0]!, details: err?.stack ?? err?.message ?? '' };
    } else if (r.state === 'skipped') {
      res = { ...base, outcome: 'skipped', message: r.note ?? 'skipped' };
    } else {
      res = { ...base, outcome: 'passed', ...(tc.diagnostic()?.flaky ? { flaky: true } : {}) };
    }
    this.results.push(res);
    const mark = res.outcome === 'passed' ? 'ok  ' : res.outcome === 'failed' ? 'FAIL' : 'skip';
    const tail = res.message ? ` — ${res.message}` : '';
    this.print(`${mark} ${scenario} ${tc.name} (${(durationMs / 1000).toFixed(1)}s)${tail}`);
  }

  /**
   * A file that failed outside any test (import error, setup/teardown hook) counts as a failed assertion; and every
   * assertion of it that the failure left unrun is failed by ID too (vitest marks them skipped without a note), so
   * that results.json never loses a catalogue ID because its setup failed.
   */
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>): void {
    for (const m of modules) {
      const scenario = scenarioNameOf(m.relativeModuleId);
      const errs = m.errors();
      const hookErrors = [...m.children.allSuites()].flatMap((s) => s.errors());
      const failures = [...errs, ...hookErrors];
      for (const e of failures) {
        const message = (e.message ?? 'error').split('\n')[0]!;
        this.results.push({
          scenario,
          name: '[setup/teardown]',
          id: 'setup',
          outcome: 'failed',
          durationMs: 0,
          message,
          details: e.stack ?? '',
          provider: this.provider,
        });
        this.print(`FAIL ${scenario} [setup/teardown] — ${message}`);
      }
      if (failures.length === 0 || isStopping()) continue;
      const why = `not run: setup failed: ${(failures[0]!.message ?? 'error').split('\n')[0]}`;
      for (const tc of m.children.allTests()) {
        const r = tc.result();
        if (r.state !== 'skipped' || r.note !== undefined || !this.selected(tc.fullName)) continue;
        if (this.results.some((x) => x.scenario === scenario && x.name === tc.name)) continue;
        this.results.push({ scenario, name: tc.name, id: idOf(tc.name), outcome: 'failed', durationMs: 0, message: why, provider: this.provider });
        this.print(`FAIL ${scenario} ${tc.name} — ${why}`);
      }
    }
    for (const e of unhandled) {
      const message = (e.message ?? 'unhandled error').split('\n')[0]!;
      // After Ctrl-C/SIGTERM the harness stops the worker itself; its "worker exited" error is not a test failure.
      if (isStopping()) {
        this.print(`interrupted: ${message}`);
        continue;
      }
      this.results.push({ scenario: 'run', name: '[unhandled error]', id: 'unhandled', outcome: 'failed', durationMs: 0, message, provider: this.provider });
      this.print(`FAIL [unhandled error] — ${message}`);
    }
  }

  counts(): Record<Outcome, number> {
    const c: Record<Outcome, number> = { passed: 0, failed: 0, skipped: 0 };
    for (const r of this.results) c[r.outcome]++;
    return c;
  }
}
