/**
 * An expected failure with a one-line message for the user (missing Docker, bad YAML, unreachable API, ...).
 * The CLI prints `error: <message>` and exits with `exitCode`, never a stack trace.
 */
export class HarnessError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'HarnessError';
    this.exitCode = exitCode;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}
