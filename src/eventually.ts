/**
 * Eventually (catalogue §0.2): retry a check that has no watchable state (exec output, DNS answers, HTTP) every
 * 2 s until it passes or the timeout ends; the last failure is the error. API state is waited on with watches.
 */
import { poll } from './wait.ts';

export const eventually = <T>(what: string, timeoutMs: number, check: () => Promise<T>, intervalMs = 2000): Promise<T> =>
  poll(
    async () => ({ done: true, value: await check() }),
    { timeoutMs, intervalMs },
    (last) => new Error(`${what}: still failing after ${Math.round(timeoutMs / 1000)}s: ${last}`),
  );
