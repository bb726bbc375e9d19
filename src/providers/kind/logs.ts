/**
 * `kind export logs` for failure diagnostics: every node's journal, kubelet and containerd logs and every
 * container's log, taken before the scenario's teardown removes the evidence. Bounded in time. A failed export
 * is reported to the caller as one line and never fails the run.
 */
import { spawn } from 'node:child_process';
import { findKind } from './binary.ts';

/**
 * Exit code and the last stderr line, or a timeout (then kind is killed). Not detached: a Ctrl-C in the
 * terminal reaches kind with the rest of the foreground process group, so nothing outlives an interrupted run.
 */
export function runBounded(argv: readonly string[], timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const last = (): string =>
      stderr
        .trim()
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .pop() ?? '';
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: err.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ ok: false, detail: `timed out after ${Math.round(timeoutMs / 1000)} s` });
      else if (code === 0) resolve({ ok: true, detail: '' });
      else resolve({ ok: false, detail: `${code === null ? `killed by ${signal}` : `exit ${code}`}${last() ? `: ${last()}` : ''}` });
    });
  });
}

/**
 * Exports the logs of kind cluster `name` into `dir`. Returns undefined on success, else one line saying why not.
 */
export async function exportKindLogs(name: string, dir: string, timeoutMs: number): Promise<string | undefined> {
  const kind = await findKind();
  if (!kind) return 'kind not found (KIND_BINARY, PATH, or ci/build-kind.sh)';
  const r = await runBounded([kind, 'export', 'logs', dir, '--name', name], timeoutMs);
  return r.ok ? undefined : r.detail;
}
