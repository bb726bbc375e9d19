/**
 * Progress output. On a terminal: the finished lines scroll as before, and under them one status line is
 * rewritten in place: what runs now (cluster creation, a scenario's setup, an assertion, teardown) and for how
 * long, ticking every second. In CI (CI=true), without a TTY, or with TERM=dumb: plain lines only, nothing is
 * rewritten, so logs stay readable. Formatting is pure (statusLine, formatElapsed) and unit-tested.
 */
import type { ReportedHookContext, Reporter, TestCase, TestModule } from 'vitest/node';
import { scenarioNameOf } from '../discovery.ts';

/** A live line only where a person watches a terminal; CI log viewers would keep every rewrite. */
export function isLive(env: NodeJS.ProcessEnv, isTTY: boolean | undefined): boolean {
  if (!isTTY) return false;
  const ci = (env.CI ?? '').trim().toLowerCase();
  if (ci !== '' && ci !== '0' && ci !== 'false') return false;
  return env.TERM !== 'dumb';
}

/** 7s, 1m05s, 1h02m: short enough for a status line, exact enough to see a wait that hangs. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export interface ProgressCounts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface ProgressSnapshot {
  /** Where: provider, profile and version of the cluster, e.g. "kwok K2 v1.34.4". */
  readonly where?: string;
  readonly scenario?: string;
  /** What runs now: "[1.2] pods are created in ordinal order", "setup", "creating cluster …". */
  readonly activity?: string;
  /** performance.now() when the activity started. */
  readonly activitySince: number;
  readonly runSince: number;
  readonly counts: ProgressCounts;
}

const truncate = (s: string, max: number): string => (max <= 0 ? '' : s.length <= max ? s : max === 1 ? '…' : `${s.slice(0, max - 1)}…`);

/**
 * The status line, at most `columns - 1` characters: a line that wraps cannot be rewritten with \r. The
 * activity is what gets shortened; elapsed times and counts are what a person looks for.
 */
export function statusLine(s: ProgressSnapshot, now: number, columns: number): string {
  const c = s.counts;
  const counts = `${c.passed} ok${c.failed ? `, ${c.failed} FAILED` : ''}${c.skipped ? `, ${c.skipped} skipped` : ''}`;
  const head = [s.where, s.scenario].filter(Boolean).join(' · ') || (s.activity ? '' : 'running');
  const tail = `${s.activity ? ` ${formatElapsed(now - s.activitySince)}` : ''} │ ${counts} │ total ${formatElapsed(now - s.runSince)}`;
  const prefix = `▶ ${head}${head && s.activity ? ' · ' : ''}`;
  const width = Math.max(20, columns - 1);
  const room = width - prefix.length - tail.length;
  if (room >= 8 || !s.activity) return truncate(`${prefix}${truncate(s.activity ?? '', Math.max(0, room))}${tail}`, width);
  // Narrow terminal: drop the where/scenario part before the activity.
  const short = `▶ ${s.activity}`;
  return truncate(`${truncate(short, width - tail.length)}${tail}`, width);
}

export interface ProgressOutput {
  write(s: string): unknown;
  readonly columns?: number;
}

const CLEAR = '\r\x1b[2K';

/**
 * The display. log() prints a finished line (above the status line when live); the setters change what the
 * status line shows. stop() clears the line; cli.ts also calls it on process exit, so a Ctrl-C never leaves a
 * half-drawn line behind the shell prompt.
 */
export class Progress {
  readonly live: boolean;
  private readonly out: ProgressOutput;
  private readonly clock: () => number;
  private state: { where?: string; scenario?: string; activity?: string; activitySince: number };
  private readonly runSince: number;
  private counts = { passed: 0, failed: 0, skipped: 0 };
  private timer: ReturnType<typeof setInterval> | undefined;
  private drawn = false;
  private stopped = false;

  constructor(out: ProgressOutput, live: boolean, clock: () => number = () => performance.now()) {
    this.out = out;
    this.live = live;
    this.clock = clock;
    this.runSince = clock();
    this.state = { activitySince: this.runSince };
  }

  /** A finished line: scrolls above the status line, which is redrawn under it. */
  log(line: string): void {
    if (!this.live || this.stopped) {
      this.out.write(`${line}\n`);
      return;
    }
    this.out.write(`${this.drawn ? CLEAR : ''}${line}\n`);
    this.drawn = false;
    this.render();
  }

  /** The cluster the next steps run on; clears the scenario. */
  where(text: string | undefined): void {
    this.state = { ...(text ? { where: text } : {}), activitySince: this.clock() };
    this.render();
  }

  /**
   * A new scenario: one plain line in every mode, so CI logs show where each scenario's lines begin. `where` names
   * its cluster when several run at once; `label` is what the status line shows (all scenarios running now).
   */
  scenario(name: string | undefined, where?: string, label?: string): void {
    const w = where ?? this.state.where;
    const shown = label ?? name;
    this.state = { ...(this.state.where ? { where: this.state.where } : {}), ...(shown ? { scenario: shown } : {}), activitySince: this.clock() };
    if (name) this.log(`── ${name}${w ? ` (${w})` : ''}`);
    else this.render();
  }

  /** The status line's scenario part, without a log line (a concurrent scenario ended; these still run). */
  label(text: string | undefined): void {
    const { where, activity } = this.state;
    this.state = {
      ...(where ? { where } : {}),
      ...(text ? { scenario: text } : {}),
      ...(activity ? { activity } : {}),
      activitySince: this.state.activitySince,
    };
    this.render();
  }

  /** What runs now; the elapsed time restarts unless it is the same activity (several setup hooks in a row). */
  activity(text: string | undefined): void {
    if (text === this.state.activity) return;
    const { where, scenario } = this.state;
    this.state = { ...(where ? { where } : {}), ...(scenario ? { scenario } : {}), ...(text ? { activity: text } : {}), activitySince: this.clock() };
    this.render();
  }

  count(outcome: keyof ProgressCounts): void {
    this.counts = { ...this.counts, [outcome]: this.counts[outcome] + 1 };
    this.render();
  }

  snapshot(): ProgressSnapshot {
    return { ...this.state, runSince: this.runSince, counts: { ...this.counts } };
  }

  /** Clears the status line and stops the ticking; idempotent, safe in an 'exit' handler (TTY writes are synchronous). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.live && this.drawn) this.out.write(CLEAR);
    this.drawn = false;
    this.stopped = true;
  }

  private render(): void {
    if (!this.live || this.stopped) return;
    // unref: the ticking must never keep the process alive after the run.
    this.timer ??= setInterval(() => this.render(), 1000).unref();
    this.out.write(`${CLEAR}${statusLine(this.snapshot(), this.clock(), this.out.columns ?? 80)}`);
    this.drawn = true;
  }
}

const scenarioOf = (m: TestModule): string => scenarioNameOf(m.relativeModuleId);

/**
 * Feeds the display from vitest's reporter events: a scenario file starting, its beforeAll hooks (setup), each
 * assertion, its afterAll hook (diagnostics, teardown, namespace deletion). Console output of scenario files
 * (e.g. "kept namespace …") goes through the display too, so it does not tear the status line.
 */
export class ProgressReporter implements Reporter {
  private readonly progress: Progress;
  private readonly where: string | undefined;
  /** Scenarios running now, in start order (several with --parallel). */
  private readonly running: string[] = [];

  /** `where`: the cluster this vitest run uses, for the scenario lines (several clusters may run at once). */
  constructor(progress: Progress, where?: string) {
    this.progress = progress;
    this.where = where;
  }

  onTestModuleStart(m: TestModule): void {
    const name = scenarioOf(m);
    this.running.push(name);
    this.progress.scenario(name, this.where, this.running.join(' + '));
  }

  onHookStart(h: ReportedHookContext): void {
    const e = h.entity;
    const who = this.running.length > 1 ? `${scenarioNameOf(e.type === 'module' ? e.relativeModuleId : e.module.relativeModuleId)} ` : '';
    if (h.name === 'beforeAll') this.progress.activity(`${who}setup`);
    else if (h.name === 'afterAll') this.progress.activity(`${who}teardown (diagnostics on failure, namespace deletion)`);
  }

  onTestCaseReady(tc: TestCase): void {
    this.progress.activity(this.running.length > 1 ? `${scenarioNameOf(tc.module.relativeModuleId)} ${tc.name}` : tc.name);
  }

  onTestCaseResult(tc: TestCase): void {
    const r = tc.result();
    // a test --grep filtered out is skipped without a note: not part of the run (as in ResultCollector)
    if (r.state === 'skipped' && r.note === undefined) return;
    this.progress.count(r.state === 'failed' ? 'failed' : r.state === 'skipped' ? 'skipped' : 'passed');
    this.progress.activity(undefined);
  }

  onTestModuleEnd(m: TestModule): void {
    const i = this.running.indexOf(scenarioOf(m));
    if (i >= 0) this.running.splice(i, 1);
    this.progress.label(this.running.length > 0 ? this.running.join(' + ') : undefined);
  }

  onUserConsoleLog(log: { readonly content: string }): void {
    for (const line of log.content.replace(/\n+$/, '').split('\n')) this.progress.log(line);
  }
}
