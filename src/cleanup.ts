/**
 * Teardown on every exit path: normal end, failure, SIGINT/SIGTERM. Tasks run in reverse registration order,
 * each at most once; a second Ctrl-C stops waiting and exits.
 */
type Task = { name: string; fn: () => Promise<void> };

const tasks: Task[] = [];
let running: Promise<void> | undefined;
let stopping = false;

/** True once a signal asked the run to stop: start nothing new (a cluster created now would outlive the run). */
export const isStopping = (): boolean => stopping;

/** Registers a teardown; the returned function unregisters it (after the owner cleaned up itself). */
export function onCleanup(name: string, fn: () => Promise<void>): () => void {
  const task = { name, fn };
  tasks.push(task);
  return () => {
    const i = tasks.indexOf(task);
    if (i >= 0) tasks.splice(i, 1);
  };
}

export function runCleanup(log: (line: string) => void): Promise<void> {
  running ??= (async () => {
    while (tasks.length > 0) {
      const t = tasks.pop()!;
      try {
        await t.fn();
      } catch (err) {
        log(`cleanup: ${t.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return running;
}

let ours: ((sig: NodeJS.Signals) => void) | undefined;

/** Removes SIGINT/SIGTERM listeners that libraries added (vitest's logger calls process.exit on them). */
export function ownSignalsOnly(): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    for (const l of process.listeners(sig)) if (l !== ours) process.off(sig, l);
  }
}

export function installSignalHandlers(log: (line: string) => void, beforeCleanup: () => Promise<void>): void {
  let signalled = 0;
  let first = 0;
  const handler = (sig: NodeJS.Signals): void => {
    // A terminal's Ctrl-C reaches the whole process group and npm forwards it again: a second signal within
    // 2 s is the same keypress, not a request to force.
    if (signalled > 0 && Date.now() - first < 2000) return;
    signalled++;
    stopping = true;
    if (signalled === 1) first = Date.now();
    if (signalled > 1) {
      log(`${sig} again: exiting without waiting for cleanup`);
      process.exit(130);
    }
    log(`${sig}: stopping the run and removing what it created (press Ctrl-C again to force)`);
    void (async () => {
      await beforeCleanup().catch(() => undefined);
      await runCleanup(log);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    })();
  };
  ours = handler;
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
