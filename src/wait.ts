/**
 * The one wait utility for everything that is not a watch (API state is waited on with watch streams,
 * src/kube/watch.ts): polling a probe that says what is still missing, and bounding a promise in time. The timers
 * keep the process alive while they wait (an unref'd one let Node exit 0 in the middle of a wait) and are cleared
 * as soon as the wait is over.
 */
import { errorMessage } from './errors.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface PollOptions {
  /** Total time; the first probe always runs. */
  readonly timeoutMs: number;
  /** Pause between probes (default 1000 ms); `backoff` doubles it up to `maxIntervalMs`. */
  readonly intervalMs?: number;
  readonly maxIntervalMs?: number;
  /** Called before each probe; a throw ends the wait with that error (e.g. a process that died). */
  readonly abortIf?: () => void;
}

/** A probe's answer: done with a value, or what is still missing (for the error message). */
export type Probe<T> = () => Promise<{ readonly done: true; readonly value: T } | { readonly done: false; readonly missing: string }>;

/**
 * Runs probe until it is done or the time is up; then throws `timeout(missing)` with the last thing still missing
 * (a probe that throws counts as missing, with its message).
 */
export async function poll<T>(probe: Probe<T>, opts: PollOptions, timeout: (missing: string) => Error): Promise<T> {
  const deadline = performance.now() + opts.timeoutMs;
  let interval = opts.intervalMs ?? 1000;
  let missing = 'not checked yet';
  for (;;) {
    opts.abortIf?.();
    try {
      const r = await probe();
      if (r.done) return r.value;
      missing = r.missing;
    } catch (err) {
      missing = errorMessage(err);
    }
    if (performance.now() + interval > deadline) throw timeout(missing);
    await sleep(interval);
    if (opts.maxIntervalMs) interval = Math.min(interval * 2, opts.maxIntervalMs);
  }
}

/** poll() for probes that answer undefined when done, else what is still missing. */
export function until(probe: () => Promise<string | undefined>, opts: PollOptions, timeout: (missing: string) => Error): Promise<void> {
  return poll(
    async () => {
      const missing = await probe();
      return missing === undefined ? { done: true, value: undefined } : { done: false, missing };
    },
    opts,
    timeout,
  );
}

/** p's outcome, or a rejection `${what}: no answer within N s`. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** p's value, or `fallback` if it has not settled within ms: a bounded wait that must not fail (teardown). */
export function settleWithin<T, F>(ms: number, p: Promise<T>, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<F>((r) => {
    timer = setTimeout(() => r(fallback), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
