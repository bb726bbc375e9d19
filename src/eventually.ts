/**
 * Eventually (catalogue §0.2): retry a check that has no watchable state (exec output, DNS answers, HTTP) every
 * 2 s until it passes or the timeout ends; the last failure is the error. API state is waited on with watches.
 *
 * Inside a scenario step (withTimeline) a check that did not pass at its first try leaves a 'wait' span on the
 * step's timeline: from the first try to the start of the try that passed (the cluster getting there; the passing
 * try itself is the assertion's own work), or to the end when it never passed.
 */
import { activeTimeline } from './timeline.ts';
import { poll } from './wait.ts';

export const eventually = async <T>(what: string, timeoutMs: number, check: () => Promise<T>, intervalMs = 2000): Promise<T> => {
  const tl = activeTimeline();
  const startMs = tl?.now() ?? 0;
  let tries = 0;
  let lastTry = startMs;
  try {
    const value = await poll(
      async () => {
        tries++;
        lastTry = tl?.now() ?? 0;
        return { done: true, value: await check() };
      },
      { timeoutMs, intervalMs },
      (last) => new Error(`${what}: still failing after ${Math.round(timeoutMs / 1000)}s: ${last}`),
    );
    if (tl && tries > 1) tl.span('wait', 'eventually', `${what}: passed at try ${tries}`, startMs, lastTry);
    return value;
  } catch (err) {
    if (tl) tl.span('wait', 'eventually', `${what}: still failing after ${tries} tries`, startMs);
    throw err;
  }
};
