/**
 * `npm run e2e -- [options]`: parse options, run, clean up, exit non-zero on any failure. Expected problems
 * (HarnessError) print one line; nothing prints a stack trace unless E2E_DEBUG is set.
 */
import path from 'node:path';
import { HarnessError, errorMessage } from './errors.ts';
import { parseOptions, selectScenarios, USAGE, type Options } from './options.ts';
import { discoverScenarios } from './discovery.ts';
import { installSignalHandlers, runCleanup } from './cleanup.ts';
import { abortRun, run } from './runner.ts';
import { cleanupLeftovers } from './journal.ts';
import { undo } from './providers/index.ts';
import { Progress, isLive } from './reporting/progress.ts';
import { appScenario, describePrepared, planLines, prepareApp } from './app/prepare.ts';

const root = path.resolve(import.meta.dirname, '..');
// Every line goes through the display, so that the live status line (TTY, not CI) is redrawn under it.
const progress = new Progress(process.stdout, isLive(process.env, process.stdout.isTTY));
const log = (line: string): void => progress.log(line);
// Any way out, process.exit from a signal handler included, clears the status line first.
process.once('exit', () => progress.stop());

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2), root);
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.cleanup) {
    const n = await cleanupLeftovers(log, undo, { kept: true });
    log(n === 0 ? 'cleanup: nothing left behind by earlier runs' : `cleanup: finished ${n} interrupted or kept run(s)`);
    return 0;
  }
  let selected: Options;
  if (opts.merge.length > 0) selected = { ...opts, scenarios: [] };
  else if (opts.app) {
    // Every bad input about the app, its profile and its values is one line here, before any cluster.
    const app = prepareApp(opts.app);
    const s = appScenario(app);
    if (opts.list) {
      log(`${s.name.padEnd(24)} ${s.profile.padEnd(4)} ${path.relative(process.cwd(), s.file)}  ${s.summary}`);
      for (const line of planLines(app)) log(`  ${line}`);
      return 0;
    }
    log(describePrepared(app));
    selected = {
      ...selectScenarios({ ...opts, scenarioNames: [s.name] }, [s]),
      app: { ...opts.app, ...(app.profileFile ? { profile: app.profileFile } : {}) },
    };
  } else {
    const found = await discoverScenarios(path.join(root, 'scenarios'), opts.scenarioDirs, opts.fixturesOverride);
    if (opts.list) {
      for (const s of found)
        log(`${s.name.padEnd(24)} ${s.profile.padEnd(4)} ${s.disruptive ? 'disruptive ' : ''}${path.relative(process.cwd(), s.file)}  ${s.summary}`);
      return 0;
    }
    selected = selectScenarios(opts, found);
  }
  if (opts.merge.length === 0) {
    if (selected.scenarios.length === 0 && opts.rerunFailed) {
      log(`--rerun-failed: nothing failed in ${opts.rerunFailed}; nothing to run`);
      return 0;
    }
    if (opts.rerunFailed) log(`--rerun-failed: ${selected.scenarios.map((s) => s.name).join(', ')}, assertions ${selected.grep ?? ''}`);
    if (selected.scenarios.length === 0 && opts.shard) {
      log(`--shard ${opts.shard.index}/${opts.shard.count}: no scenario falls in this shard; nothing to run`);
      return 0;
    }
  }
  installSignalHandlers(log, abortRun);
  try {
    return await run(selected, root, log, progress);
  } finally {
    await runCleanup(log);
  }
}

// Node exits with code 0 when nothing is left to wait on, even with main() still pending: never let that pass as
// a green run.
process.once('beforeExit', () => {
  progress.stop();
  console.error('error: internal: the run stopped with nothing left to wait on before it finished (a bug in the harness)');
  process.exit(70);
});

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    await runCleanup(log).catch(() => undefined);
    progress.stop();
    if (process.env.E2E_DEBUG && err instanceof Error) console.error(err.stack);
    console.error(`error: ${errorMessage(err)}`);
    process.exit(err instanceof HarnessError ? err.exitCode : 1);
  },
);
