/**
 * Eventually (catalogue §0.2): retry a check that has no watchable state (exec output, DNS answers, HTTP) every
 * 2 s until it passes or the timeout ends; the last failure is the error. API state is waited on with watches.
 */
export async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T>, intervalMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      last = err;
    }
    if (Date.now() + intervalMs > deadline) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const msg = last instanceof Error ? last.message : String(last);
  throw new Error(`${what}: still failing after ${Math.round(timeoutMs / 1000)}s: ${msg}`);
}
