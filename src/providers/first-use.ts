/**
 * Set-up on first use: what a provider needs and a checkout of this repository can build (kwok's control plane,
 * kind, the offline node image, the workload images) is built by the repository's own ci/ scripts, cached by
 * version, the first time a run needs it. An installed package has no ci/ and says what is missing instead.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import { HarnessError } from '../errors.ts';

/** The ci/ script, if this is a checkout of the harness's repository. */
export const buildScript = (root: string, script: string): string | undefined => {
  const f = path.join(root, 'ci', script);
  return existsSync(f) ? f : undefined;
};

/**
 * Runs `bash ci/<script> args…` with its output in a log file; one line before (what and how long it may take)
 * and one after. Throws a one-line HarnessError naming the log on failure.
 */
export async function buildOnFirstUse(
  root: string,
  script: string,
  args: readonly string[],
  what: string,
  log: (line: string) => void,
  env: Readonly<Record<string, string>> = {},
): Promise<void> {
  const file = buildScript(root, script);
  if (!file) throw new HarnessError(`${what} is not built, and this is no checkout of the harness (no ci/${script}) to build it`);
  if (!buildsAllowed()) throw new HarnessError(`${what} is not built (E2E_BUILD=never): run \`bash ci/${script}${args.length ? ` ${args.join(' ')}` : ''}\``);
  const logFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'stateful-e2e-build-')), `${path.basename(script, '.sh')}.log`);
  log(`first use: building ${what} with ci/${script} ${args.join(' ')} (cached afterwards; log: ${logFile})`);
  const t0 = performance.now();
  const r = await $({ quiet: true, nothrow: true, env: { ...process.env, ...env } })`bash ${file} ${args} >${logFile} 2>&1`;
  if (r.exitCode !== 0) {
    const tail = (await $({ quiet: true, nothrow: true })`tail -n 1 ${logFile}`).stdout.trim();
    throw new HarnessError(`building ${what} failed (ci/${script} exit ${r.exitCode}): ${tail} (full log: ${logFile})`);
  }
  log(`first use: ${what} built in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** E2E_BUILD=never: report what is missing instead of building it (tests of the messages, machines without Go). */
export const buildsAllowed = (env: NodeJS.ProcessEnv = process.env): boolean => env.E2E_BUILD !== 'never';
