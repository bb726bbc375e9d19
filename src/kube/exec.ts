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

function exitCodeOf(status: V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message ? Number(cause.message) : 1;
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
        resolve({ stdout: out.text(), stderr: err.text(), exitCode: exitCodeOf(status) });
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
        reject(e instanceof Error ? e : new Error(String(e)));
      });
  });
}
