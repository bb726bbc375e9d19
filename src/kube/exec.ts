/** `kubectl exec POD -- cmd` through the API, with the command's exit code. */
import { Writable } from 'node:stream';
import { Exec, type V1Status } from '@kubernetes/client-node';
import type { Kube } from './client.ts';

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The command's exit code, or undefined when the status is the API refusing the exec itself (no such container, …). */
export function exitCodeOf(status: V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message ? Number(cause.message) : undefined;
}

/** What an exec failure really was: client-node rejects with Error, ErrorEvent-like objects or a V1Status. */
export function execFailure(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object') {
    const o = e as { message?: unknown; reason?: unknown; status?: unknown; code?: unknown; error?: unknown };
    if (o.error instanceof Error) return o.error.message;
    const parts = [o.reason, o.message].filter((x): x is string => typeof x === 'string' && x !== '');
    if (parts.length > 0) return parts.join(': ') + (typeof o.code === 'number' ? ` (HTTP ${o.code})` : '');
    try {
      return JSON.stringify(e);
    } catch {
      /* fall through */
    }
  }
  return String(e);
}

export async function exec(
  kube: Kube,
  namespace: string,
  pod: string,
  command: readonly string[],
  opts: { container?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const out = collector();
  const err = collector();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise<ExecResult>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      reject(new Error(`exec in ${pod} timed out after ${timeoutMs / 1000}s: ${command.join(' ')}`));
    }, timeoutMs);
    new Exec(kube.kc)
      .exec(namespace, pod, opts.container ?? '', [...command], out.stream, err.stream, null, false, (status) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const code = exitCodeOf(status);
        if (code === undefined) reject(new Error(`exec in ${namespace}/${pod} refused: ${command.join(' ')}: ${execFailure(status)}`));
        else resolve({ stdout: out.text(), stderr: err.text(), exitCode: code });
      })
      .then((ws) => {
        ws.on('close', () => {
          // Some servers close without a status frame; treat that as "exit code unknown".
          setTimeout(() => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            resolve({ stdout: out.text(), stderr: err.text(), exitCode: -1 });
          }, 200);
        });
      })
      .catch((e: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(new Error(`exec in ${namespace}/${pod} failed: ${command.join(' ')}: ${execFailure(e)}`));
      });
  });
}
