/**
 * A run: for each cluster profile the selected scenarios need, create a cluster, load images, run the scenario
 * files through vitest (serially: the 2-core budget, catalogue §0.5), tear the cluster down; then write reports.
 * With several --k8s-version values (conformance), that whole run repeats once per version, one cluster at a
 * time, each into <report-dir>/<version>/, and the verdict merges them; --merge builds the verdict from earlier
 * runs' report directories without creating anything.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createVitest, type Vitest } from 'vitest/node';
import type { Options } from './options.ts';
import { providerFor, providerModule, undo } from './providers/index.ts';
import { PROFILES, ProviderUnavailable, type Cluster, type ClusterProvider } from './providers/provider.ts';
import { CONTEXT_ENV, encodeContext, type RunContext } from './context.ts';
import { isStopping, onCleanup, ownSignalsOnly } from './cleanup.ts';
import { HarnessError, errorMessage } from './errors.ts';
import { Journal, cleanupLeftovers, faultJournalPrefix, undoJournals, type JournalEntry } from './journal.ts';
import { fingerprintChange, readFingerprint, reuseDir, resetKeptCluster, writeFingerprint } from './reuse.ts';
import { removeRunObjects } from './kube/run-objects.ts';
import { settleWithin } from './wait.ts';
import { ResultCollector } from './reporting/results.ts';
import { writeJunit, writeResults } from './reporting/artifacts.ts';
import { writeHtmlReport } from './reporting/html.ts';
import { conformanceHtml, conformanceMarkdown, conformanceMatrix, mergeRuns, type ConformanceInput, type VersionedResult } from './reporting/conformance.ts';
import { Progress, ProgressReporter } from './reporting/progress.ts';
import { connect } from './kube/client.ts';
import { VersionApi } from '@kubernetes/client-node';
import { dryRunFixtures, fixtureImages, loadFixtures } from './validate.ts';
import { appFixtureFiles } from './app/prepare.ts';
import { planClusters, runPlans } from './schedule.ts';

/** The vitest runs in progress: one per cluster running now (--clusters). */
const current = new Set<Vitest>();
let currentProgress: Progress | undefined;
/** Stops the vitest runs in progress, without waiting more than 5 s for a step that is mid-wait. */
export const abortRun = async (): Promise<void> => {
  currentProgress?.where(undefined);
  currentProgress?.activity('interrupted: stopping and removing what the run created');
  if (current.size === 0) return;
  await settleWithin(5000, Promise.all([...current].map((v) => v.close().catch(() => undefined))), undefined);
};

type Log = (line: string) => void;

export async function run(opts: Options, root: string, log: Log, progress?: Progress): Promise<number> {
  // Without a display of the caller's, a plain one that prints through log (no live line).
  const display = progress ?? new Progress({ write: (s: string) => log(s.replace(/\n$/, '')) }, false);
  currentProgress = display;
  if (opts.merge.length > 0) return mergeReports(opts, log);
  const runId = randomBytes(3).toString('hex');
  await cleanupLeftovers(log, undo);
  const journal = new Journal(runId);
  // Parse every fixture before anything is created: malformed YAML fails here, in one line.
  // With --app, the one scenario is the app's: its objects are the app's manifests (or rendered kustomization).
  const fixtures = new Map(opts.scenarios.map((s) => [s.name, opts.app ? appFixtureFiles(opts.app, opts.imageMap) : loadFixtures([s], opts.imageMap)]));
  const requested = opts.k8sVersions.length > 0 ? opts.k8sVersions : [undefined];
  const several = requested.length > 1;
  if (several && opts.provider === 'kind' && process.env.E2E_KIND_NODE_IMAGE) {
    throw new HarnessError(
      `E2E_KIND_NODE_IMAGE=${process.env.E2E_KIND_NODE_IMAGE} is one node image for every version: unset it to run ${requested.join(', ')} (each uses stateful-e2e/kind-node:<version> or kindest/node:<version>)`,
    );
  }
  // Every version's prerequisites before the first cluster: a missing one is an error now, not after an hour.
  for (const version of opts.k8sVersions) providerModule(opts.provider).checkVersion?.(version);
  const plans: { opts: Options; provider: ClusterProvider }[] = [];
  for (const version of requested) {
    const o: Options = {
      ...opts,
      ...(version ? { k8sVersion: version } : {}),
      ...(several && version ? { reportDir: path.join(opts.reportDir, version) } : {}),
    };
    const provider = await preflightOrFallBack(o, root, log);
    plans.push({ opts: provider.name === o.provider ? o : { ...o, provider: provider.name }, provider });
  }
  log(
    `run ${runId}: provider ${plans[0]!.provider.name}, scenarios ${opts.scenarios.map((s) => s.name).join(', ')}${opts.k8sVersions.length ? `, Kubernetes ${opts.k8sVersions.join(', ')}` : ''}`,
  );
  if (!several) {
    const r = await runVersion(plans[0]!.opts, plans[0]!.provider, { runId, journal, fixtures, root, log, progress: display, suffix: '' });
    return finish(r.counts, log);
  }
  const done: string[] = [];
  const counts = { passed: 0, failed: 0, skipped: 0 };
  try {
    for (const p of plans) {
      if (isStopping()) throw new HarnessError('interrupted', 130);
      const v = p.opts.k8sVersion!;
      log(`── Kubernetes ${v} (${done.length + 1}/${plans.length}), reports in ${p.opts.reportDir}`);
      const r = await runVersion(p.opts, p.provider, { runId, journal, fixtures, root, log, progress: display, suffix: `-${v.replace(/\./g, '-')}` });
      done.push(p.opts.reportDir);
      log(`${v}: ${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.skipped} skipped`);
      counts.passed += r.counts.passed;
      counts.failed += r.counts.failed;
      counts.skipped += r.counts.skipped;
    }
  } finally {
    // Also after a failed or interrupted version: the verdict shows the versions that finished.
    if (done.length > 0) {
      const input = mergeRuns(done, opts.reportDir);
      writeMerged(opts.reportDir, input, runId, done, log);
      if (done.length < plans.length) log(`conformance verdict covers ${done.length} of ${plans.length} versions`);
    }
  }
  return finish(counts, log);
}

/**
 * The provider, checked (and its missing pieces built on first use). Without --provider, a machine without a
 * reachable Docker runs on kwok instead of stopping, and says in one line what that costs and how to get kind.
 */
async function preflightOrFallBack(o: Options, root: string, log: Log): Promise<ClusterProvider> {
  const provider = providerFor(o, root);
  try {
    await provider.preflight(log);
    return provider;
  } catch (err) {
    if (!(err instanceof ProviderUnavailable) || o.providerGiven || o.provider !== 'kind') throw err;
    log(
      `${err.message}: running on kwok instead, which shows the API's behaviour only (assertions that need exec, DNS, traffic or real probes are reported skipped). For kind, start Docker (on Debian: bash ci/docker-setup.sh) or pass --provider kind to make this an error.`,
    );
    const kwok = providerFor({ ...o, provider: 'kwok' }, root);
    await kwok.preflight(log);
    return kwok;
  }
}

function finish(c: { passed: number; failed: number; skipped: number }, log: Log, label = 'e2e'): number {
  log(`${label}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  if (c.passed + c.failed + c.skipped === 0) {
    log('error: no assertion ran');
    return 1;
  }
  return c.failed > 0 ? 1 : 0;
}

/** v1.34.4 is v1.34.4, v1.34.4+k3s1 and v1.34.4-gke.100; v1.34.40 is not. */
const sameVersion = (server: string, wanted: string): boolean => server === wanted || server.startsWith(`${wanted}+`) || server.startsWith(`${wanted}-`);

interface RunEnv {
  readonly runId: string;
  readonly journal: Journal;
  readonly fixtures: ReadonlyMap<string, ReturnType<typeof loadFixtures>>;
  readonly root: string;
  readonly log: Log;
  readonly progress: Progress;
  /** Appended to cluster names, so that clusters of several versions never share a name (--keep). */
  readonly suffix: string;
}

/** One version: every cluster profile in turn, then junit.xml, results.json, report.html (and the verdict) in opts.reportDir. */
async function runVersion(opts: Options, provider: ClusterProvider, env: RunEnv): Promise<{ counts: { passed: number; failed: number; skipped: number } }> {
  const { runId, journal, fixtures, root, log, progress } = env;
  mkdirSync(opts.reportDir, { recursive: true });
  const collector = new ResultCollector(log, opts.grep);
  const started = performance.now();

  const versions: Record<string, string> = {};
  const plans = planClusters(opts.scenarios, (p) => PROFILES[p as keyof typeof PROFILES]?.workers ?? 0);
  // Several clusters at once share the status line: it names them all.
  const active = new Set<string>();
  const showWhere = (): void => progress.where(active.size > 0 ? [...active].join(' | ') : undefined);
  const clusters = opts.provider === 'existing' ? 1 : opts.clusters;
  if (plans.length > 1 && clusters > 1)
    log(`clusters: up to ${clusters} at once: ${plans.map((p) => `${p.profile}${p.alone ? ` alone (${p.batches[0]![0]!.name} is heavy)` : ''}`).join(', ')}`);

  await runPlans(
    plans,
    clusters,
    async (plan, turn) => {
      const entries = plan.batches.flat();
      const profile = PROFILES[plan.profile as keyof typeof PROFILES];
      // --reuse: one kept cluster per provider, profile and version, under a stable name and a directory that outlives runs.
      const reuse = opts.reuse && provider.attach !== undefined && provider.fingerprint !== undefined;
      const key = `${profile.name.toLowerCase()}${plan.part > 1 ? `-${plan.part}` : ''}`;
      const name = reuse ? `se2e-reuse-${key}${env.suffix}` : `se2e-${runId}-${key}${env.suffix}`;
      const workDir = reuse ? reuseDir(provider.name, name) : mkdtempSync(path.join(os.tmpdir(), `stateful-e2e-${runId}-`));
      if (reuse) mkdirSync(workDir, { recursive: true });
      let ready = false; // the cluster answered (created or attached): a reused one is then kept, whatever happens
      // Journaled before they exist, so a run killed at any point can be finished by the next one.
      const journaled: JournalEntry[] = [{ type: 'workdir', path: workDir }, ...provider.journalEntries({ name, workDir, runId })];
      for (const e of journaled) journal.add(e);
      let cluster: Cluster | undefined;
      let creating: Promise<Cluster> | undefined;
      // One teardown promise, whichever path (normal end, error, signal) gets there first; the others await it.
      let tearingDown: Promise<void> | undefined;
      const teardown = (): Promise<void> =>
        (tearingDown ??= (async () => {
          if (reuse && ready && cluster) {
            await sweepFaults(true);
            // Kept for the next run, without what this run made in it (gone already unless the run was interrupted).
            for (const line of await removeRunObjects(cluster.kubeconfigPath, runId).catch((err: unknown) => [`cleanup: ${errorMessage(err)}`]))
              if (!line.startsWith('no kubeconfig')) log(`--reuse: ${line}`);
            cluster.keep?.();
            journal.keep(journaled, `reuse-${provider.name}-${name}`);
            log(`--reuse: kept ${name} for the next run (\`npm run e2e -- --cleanup\` removes it)`);
            return;
          }
          // A signal during create(): let the provider finish or fail (its own tools got the signal too), so
          // nothing it is still creating appears after the teardown.
          if (!cluster && creating)
            cluster = await settleWithin(
              180_000,
              creating.catch(() => undefined),
              undefined,
            );
          if (cluster) await cluster.destroy();
          await sweepFaults(false); // gone with the cluster
          // Interrupted or failed while the cluster was being created: undo by name what create() began. A cluster
          // that outlives the run (existing) keeps only what the run created in it: its namespaces and cordons.
          for (const e of journaled) {
            if (e.type === 'cluster-objects') {
              // Never reached the cluster: the run created nothing in it. Otherwise best effort, said in one line.
              if (cluster) await undo(e).catch((err: unknown) => log(`cleanup: ${errorMessage(err)}`));
            } else if (!cluster && e.type !== 'workdir') await undo(e);
          }
          if (!cluster) keepStartLogs(workDir, path.join(opts.reportDir, 'cluster-logs', name), log);
          rmSync(workDir, { recursive: true, force: true });
          for (const e of journaled) journal.done(e);
        })());
      /**
       * Node faults the scenarios left in force (a worker stopped mid-fault, World.nodeFault): reverted where the
       * cluster outlives the run, only forgotten where it is deleted anyway.
       */
      const sweepFaults = (revert: boolean): Promise<void> =>
        undoJournals(faultJournalPrefix(runId, cluster?.name ?? name), log, revert ? undo : async () => undefined);
      const unregister = onCleanup(`cluster ${name}`, teardown);
      let keepCluster = false;
      const where = `${opts.provider} ${profile.name}${plan.part > 1 ? ` #${plan.part}` : ''}${opts.k8sVersion ? ` ${opts.k8sVersion}` : ''}`;
      active.add(where);
      showWhere();
      try {
        if (isStopping()) throw new HarnessError('interrupted before the cluster was created', 130);
        const createOpts = { name, profile, workDir, log, ...(opts.k8sVersion ? { k8sVersion: opts.k8sVersion } : {}) };
        const fp = reuse ? await provider.fingerprint!({ profile, ...(opts.k8sVersion ? { k8sVersion: opts.k8sVersion } : {}) }) : undefined;
        let change = fp ? fingerprintChange(readFingerprint(workDir), fp) : undefined;
        if (fp && !change) {
          progress.activity(`attaching to the kept cluster ${name}`);
          try {
            cluster = await provider.attach!(createOpts);
            if (cluster) for (const line of await resetKeptCluster(cluster.kubeconfigPath)) log(`--reuse: ${line}`);
            else change = 'the kept cluster does not answer';
          } catch (err) {
            change = `the kept cluster could not be reset: ${errorMessage(err)}`;
            cluster = undefined;
          }
          if (cluster) log(`--reuse: ${name} reused (fingerprint unchanged)`);
        }
        if (!cluster) {
          if (fp) {
            log(`--reuse: ${change}: creating ${name}`);
            // Whatever is left under that name goes first (idempotent), then a fresh directory for the new one.
            for (const e of [...journaled].reverse()) if (e.type !== 'workdir') await undo(e).catch(() => undefined);
            rmSync(workDir, { recursive: true, force: true });
            mkdirSync(workDir, { recursive: true });
          }
          progress.activity(`creating cluster ${name}`);
          creating = provider.create(createOpts);
          cluster = await creating;
          if (fp) writeFingerprint(workDir, fp);
        }
        ready = true;
        const files = entries.flatMap((e) => fixtures.get(e.name) ?? []);
        progress.activity('checking the fixtures (server-side dry run)');
        await dryRunFixtures(cluster.kubeconfigPath, files);
        const server = await connect(cluster.kubeconfigPath).kc.makeApiClient(VersionApi).getCode();
        if (opts.k8sVersion && !sameVersion(server.gitVersion, opts.k8sVersion)) {
          const why =
            opts.provider === 'existing'
              ? ' (--provider existing tests the cluster it is given)'
              : process.env.E2E_KIND_NODE_IMAGE && opts.provider === 'kind'
                ? ` (E2E_KIND_NODE_IMAGE=${process.env.E2E_KIND_NODE_IMAGE})`
                : '';
          throw new HarnessError(
            `--k8s-version ${opts.k8sVersion}: the cluster runs ${server.gitVersion}${why}; a verdict for ${opts.k8sVersion} would be wrong`,
          );
        }
        for (const e of entries) versions[e.name] = server.gitVersion;
        progress.activity('loading images');
        await cluster.loadImages(fixtureImages(files));
        const ctx: RunContext = {
          runId,
          provider: cluster.provider,
          clusterName: cluster.name,
          kubeconfig: cluster.kubeconfigPath,
          capabilities: [...cluster.capabilities],
          workerNodes: cluster.workerNodes,
          fixturesDir: opts.fixturesDir,
          fixtureRoots: Object.fromEntries(entries.map((e) => [e.name, e.fixturesRoot])),
          reportDir: opts.reportDir,
          imageMap: opts.imageMap,
          keep: opts.keep,
          timeoutScale: opts.timeoutScale,
          ...(opts.app
            ? {
                app: {
                  path: opts.app.path,
                  ...(opts.app.profile ? { profile: opts.app.profile } : {}),
                  values: opts.app.values,
                  set: opts.app.set,
                  ...(opts.app.upgradeTo !== undefined && {
                    upgradeTo: opts.app.upgradeTo,
                    upgradeValues: opts.app.upgradeValues ?? [],
                    upgradeSet: opts.app.upgradeSet ?? [],
                  }),
                },
              }
            : {}),
        };
        collector.setProvider(cluster.provider);
        if (plan.alone) progress.activity(`${where} ready: waiting for the other clusters (${entries[0]!.name} runs alone)`);
        // A heavy scenario's cluster was created beside the last others; its scenarios start once nothing else runs.
        if (!(await turn)) return;
        if (plan.alone) log(`${where}: the other clusters are done: ${entries.map((e) => e.name).join(', ')} alone`);
        for (const batch of plan.batches) {
          if (isStopping()) throw new HarnessError('interrupted', 130);
          const workers = Math.min(opts.parallel, batch.length);
          if (workers > 1) log(`${where}: ${batch.map((e) => e.name).join(', ')} at the same time (up to ${workers}), a namespace each`);
          progress.activity('starting vitest');
          const vitest = await createVitest({
            config: false,
            root,
            // Exactly the discovered files, wherever they are (the harness's scenarios/ or a user's --scenarios DIR).
            include: batch.map((e) => e.file),
            exclude: [],
            pool: 'forks',
            fileParallelism: workers > 1,
            maxWorkers: workers,
            watch: false,
            // The run context travels in each vitest's own env: clusters running at once each have theirs.
            env: { [CONTEXT_ENV]: encodeContext(ctx) },
            reporters: [collector, new ProgressReporter(progress, where)],
            ...(opts.grep ? { testNamePattern: opts.grep } : {}),
            ...(opts.retries > 0 ? { retry: opts.retries } : {}),
            hookTimeout: 600_000,
            teardownTimeout: 600_000,
          });
          current.add(vitest);
          try {
            // vitest's logger exits the process on SIGINT/SIGTERM; the harness must tear down first.
            ownSignalsOnly();
            if (isStopping()) throw new HarnessError('interrupted', 130);
            await vitest.start(batch.map((e) => e.file));
            await vitest.close();
          } finally {
            current.delete(vitest);
          }
        }
        // This cluster's failures (other clusters may be adding theirs at the same time); an unhandled error counts for each.
        const mine = new Set(entries.map((e) => e.name));
        const failed = collector.results.filter((r) => r.outcome === 'failed' && (mine.has(r.scenario) || r.scenario === 'run'));
        keepCluster = opts.keep === 'always' || (opts.keep === 'on-failure' && failed.length > 0);
        if (keepCluster && cluster.provider !== 'existing') {
          log(`kept cluster ${cluster.name}: export KUBECONFIG=${cluster.kubeconfigPath} (\`npm run e2e -- --cleanup\` deletes it)`);
        }
        if (failed.length > 0 && !isStopping()) {
          // Steps build on each other (the tutorial's order), so a rerun runs the failed scenarios whole.
          const version = opts.k8sVersion ? ` --k8s-version ${opts.k8sVersion}` : '';
          const dirs = opts.app
            ? ` --app ${opts.app.path}${opts.app.profile ? ` --profile ${opts.app.profile}` : ''}`
            : opts.scenarioDirs.map((d) => ` --scenarios ${d}`).join('');
          log(
            `rerun what failed: npm run e2e -- --provider ${opts.provider}${version} --rerun-failed ${opts.reportDir}${dirs}${opts.fixturesOverride ? ` --fixtures ${opts.fixturesOverride}` : ''}`,
          );
        }
      } finally {
        if (reuse) {
          await teardown();
          unregister();
        } else if (!keepCluster) {
          progress.activity(`deleting cluster ${name}`);
          await teardown();
          unregister();
        } else {
          unregister();
          await sweepFaults(true);
          // Still journaled, but as kept: the next run leaves it alone, `--cleanup` removes it.
          cluster?.keep?.();
          journal.keep(journaled);
        }
        active.delete(where);
        showWhere();
      }
    },
    isStopping,
  );

  // Every result carries the version of the server it ran on, so that results.json files can be merged later.
  const fallback = Object.values(versions)[0] ?? opts.k8sVersion;
  const results: VersionedResult[] = collector.results.map((r) => {
    const v = versions[r.scenario] ?? fallback;
    return v ? { ...r, k8sVersion: v } : r;
  });
  progress.activity('writing reports');
  writeJunit(opts.reportDir, results, `stateful-e2e ${opts.provider}${opts.k8sVersion ? ` ${opts.k8sVersion}` : ''}`);
  writeResults(opts.reportDir, { runId, provider: opts.provider, fixturesDir: opts.fixturesDir, versions, results });
  // One version: its verdict sits next to its report (which links it). Several: run() writes one over all of them.
  if (opts.conformance && opts.k8sVersions.length <= 1) {
    const input: ConformanceInput = {
      fixturesDir: opts.fixturesDir,
      provider: opts.provider,
      versions,
      results,
      reports: Object.fromEntries(Object.values(versions).map((v) => [v, 'report.html'])),
    };
    const md = writeVerdict(opts.reportDir, input);
    log(`conformance verdict: ${md}`);
  }
  const html = writeHtmlReport(opts.reportDir);
  progress.activity(undefined);
  log(`reports: ${path.join(opts.reportDir, 'junit.xml')}, ${html} (${((performance.now() - started) / 1000).toFixed(0)}s)`);
  return { counts: collector.counts() };
}

/** conformance.md and conformance.html in dir; returns the Markdown file's path. */
function writeVerdict(dir: string, input: ConformanceInput): string {
  mkdirSync(dir, { recursive: true });
  const md = path.join(dir, 'conformance.md');
  writeFileSync(md, conformanceMarkdown(input));
  writeFileSync(path.join(dir, 'conformance.html'), conformanceHtml(input));
  return md;
}

/** The verdict over several report directories, plus the merged results.json and junit.xml (suites per scenario and version). */
function writeMerged(dir: string, input: ConformanceInput, runId: string, from: readonly string[], log: Log): void {
  const md = writeVerdict(dir, input);
  const m = conformanceMatrix(input);
  const multiProvider = m.providers.length > 1;
  const suites = input.results.map((r) => ({ ...r, scenario: `${r.scenario} ${multiProvider ? `${r.provider} ` : ''}${r.k8sVersion ?? ''}`.trim() }));
  writeJunit(dir, suites, `stateful-e2e conformance ${m.columns.join(', ')}`);
  writeResults(dir, {
    runId,
    provider: input.provider,
    fixturesDir: input.fixturesDir,
    mergedFrom: from.map((d) => path.relative(dir, d) || '.'),
    versions: {},
    results: input.results,
  });
  log(
    `conformance verdict: ${md} (and conformance.html): ${m.columns.map((c) => `${c} ${m.perColumn[c]!.failed ? 'FAIL' : m.perColumn[c]!.passed ? 'pass' : 'nothing shown'}`).join(', ')}`,
  );
}

/** --merge: no cluster; the verdict over earlier runs' results.json. Exit code as if those runs were one. */
function mergeReports(opts: Options, log: Log): number {
  const out = path.resolve(opts.reportDir);
  if (opts.merge.some((d) => path.resolve(d) === out))
    throw new HarnessError(`--merge: --report-dir ${out} is one of the merged directories; write the merged verdict elsewhere`);
  let input: ConformanceInput;
  try {
    input = mergeRuns(opts.merge, out);
  } catch (err) {
    throw new HarnessError(`--merge: ${errorMessage(err)}`);
  }
  writeMerged(out, input, 'merge', opts.merge, log);
  return finish(conformanceMatrix(input).total, log, `merged ${opts.merge.length} runs`);
}

/**
 * A cluster that never started leaves its evidence in workDir/logs (kwok's component logs), which goes with workDir:
 * copied into the report directory first, where CI keeps it.
 */
function keepStartLogs(workDir: string, to: string, log: (line: string) => void): void {
  const logs = path.join(workDir, 'logs');
  if (!existsSync(logs)) return;
  try {
    cpSync(logs, to, { recursive: true });
    log(`the failed cluster's logs are kept in ${to}`);
  } catch (err) {
    log(`could not keep the failed cluster's logs: ${errorMessage(err)}`);
  }
}
