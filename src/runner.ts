/**
 * A run: for each cluster profile the selected scenarios need, create a cluster, load images, run the scenario
 * files through vitest (serially: the 2-core budget, catalogue §0.5), tear the cluster down; then write reports.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createVitest, type Vitest } from 'vitest/node';
import type { Options } from './options.ts';
import { providerFor } from './providers/index.ts';
import { PROFILES, type Cluster } from './providers/provider.ts';
import { CONTEXT_ENV, encodeContext, type RunContext } from './context.ts';
import { isStopping, onCleanup, ownSignalsOnly } from './cleanup.ts';
import { HarnessError } from './errors.ts';
import { Journal, cleanupLeftovers, undo, type JournalEntry } from './journal.ts';
import { ResultCollector } from './reporting/results.ts';
import { junitXml } from './reporting/junit.ts';
import { writeHtmlReport } from './reporting/html.ts';
import { conformanceMarkdown } from './reporting/conformance.ts';
import { connect } from './kube/client.ts';
import { VersionApi } from '@kubernetes/client-node';
import type { ScenarioEntry } from './scenarios.ts';
import { dryRunFixtures, fixtureImages, loadFixtures } from './validate.ts';


let current: Vitest | undefined;
/** Stops the vitest run in progress, without waiting more than 5 s for a step that is mid-wait. */
export const abortRun = async (): Promise<void> => {
  if (!current) return;
  await Promise.race([current.close().catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
};

export async function run(opts: Options, root: string, log: (line: string) => void): Promise<number> {
  const runId = randomBytes(3).toString('hex');
  await cleanupLeftovers(log);
  const journal = new Journal(runId);
  const provider = providerFor(opts, root);
  // Parse every fixture before anything is created: malformed YAML fails here, in one line.
  const fixtures = new Map(opts.scenarios.map((s) => [s.name, loadFixtures([s], opts.fixturesDir, opts.imageMap)]));
  await provider.preflight();
  mkdirSync(opts.reportDir, { recursive: true });
  const collector = new ResultCollector(log);
  const started = performance.now();

  const versions: Record<string, string> = {};
  const groups = new Map<string, ScenarioEntry[]>();
  for (const s of opts.scenarios) groups.set(s.profile, [...(groups.get(s.profile) ?? []), s]);

  log(`run ${runId}: provider ${opts.provider}, scenarios ${opts.scenarios.map((s) => s.name).join(', ')}`);
  for (const [profileName, entries] of groups) {
    const profile = PROFILES[profileName as keyof typeof PROFILES];
    const workDir = mkdtempSync(path.join(os.tmpdir(), `stateful-e2e-${runId}-`));
    const name = `se2e-${runId}-${profile.name.toLowerCase()}`;
    // Journaled before they exist, so a run killed at any point can be finished by the next one.
    const journaled: JournalEntry[] = [{ type: 'workdir', path: workDir }];
    if (opts.provider === 'kind') journaled.push({ type: 'kind-cluster', name });
    if (opts.provider === 'kwok') journaled.push({ type: 'kwok-cluster', pidsFile: path.join(workDir, 'pids.json') });
    for (const e of journaled) journal.add(e);
    let cluster: Cluster | undefined;
    let creating: Promise<Cluster> | undefined;
    // One teardown promise, whichever path (normal end, error, signal) gets there first; the others await it.
    let tearingDown: Promise<void> | undefined;
    const teardown = (): Promise<void> =>
      (tearingDown ??= (async () => {
        // A signal during create(): let the provider finish or fail (its own tools got the signal too), so
        // nothing it is still creating appears after the teardown.
        if (!cluster && creating) cluster = await Promise.race([creating.catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), 180_000))]);
        if (cluster) await cluster.destroy();
        // Interrupted or failed while the cluster was being created: undo by name what create() began.
        else for (const e of journaled) if (e.type !== 'workdir') await undo(e);
        rmSync(workDir, { recursive: true, force: true });
        for (const e of journaled) journal.done(e);
      })());
    const unregister = onCleanup(`cluster ${name}`, teardown);
    let keepCluster = false;
    try {
      if (isStopping()) throw new HarnessError('interrupted before the cluster was created', 130);
      creating = provider.create({ name, profile, workDir, log, ...(opts.k8sVersion ? { k8sVersion: opts.k8sVersion } : {}) });
      cluster = await creating;
      const files = entries.flatMap((e) => fixtures.get(e.name) ?? []);
      await dryRunFixtures(cluster.kubeconfigPath, files);
      const server = await connect(cluster.kubeconfigPath).kc.makeApiClient(VersionApi).getCode();
      for (const e of entries) versions[e.name] = server.gitVersion;
      await cluster.loadImages(fixtureImages(files));
      const ctx: RunContext = {
        runId,
        provider: cluster.provider,
        clusterName: cluster.name,
        kubeconfig: cluster.kubeconfigPath,
        capabilities: [...cluster.capabilities],
        workerNodes: cluster.workerNodes,
        fixturesDir: opts.fixturesDir,
        reportDir: opts.reportDir,
        imageMap: opts.imageMap,
        keep: opts.keep,
        timeoutScale: opts.timeoutScale,
      };
      process.env[CONTEXT_ENV] = encodeContext(ctx);
      collector.setProvider(cluster.provider);
      const before = collector.results.length;
      const failedBefore = collector.counts().failed;
      current = await createVitest(
        {
          config: false,
          root,
          include: ['scenarios/**/*.e2e.ts'],
          pool: 'forks',
          fileParallelism: false,
          maxWorkers: 1,
          watch: false,
          reporters: [collector],
          ...(opts.grep ? { testNamePattern: opts.grep } : {}),
          ...(opts.retries > 0 ? { retry: opts.retries } : {}),
          hookTimeout: 600_000,
          teardownTimeout: 600_000,
        },
      );
      // vitest's logger exits the process on SIGINT/SIGTERM; the harness must tear down first.
      ownSignalsOnly();
      if (isStopping()) throw new HarnessError('interrupted', 130);
      await current.start(entries.map((e) => e.file));
      await current.close();
      current = undefined;
      const failedHere = collector.counts().failed > failedBefore;
      keepCluster = opts.keep === 'always' || (opts.keep === 'on-failure' && failedHere);
      if (keepCluster && cluster.provider !== 'existing') {
        log(`kept cluster ${cluster.name}: export KUBECONFIG=${cluster.kubeconfigPath}`);
      }
      const failed = collector.results.slice(before).filter((r) => r.outcome === 'failed');
      if (failed.length > 0) {
        // Steps build on each other (the tutorial's order), so a rerun runs the failed scenarios whole.
        const scen = [...new Set(failed.map((r) => r.scenario))].map((sc) => `--scenario ${sc}`).join(' ');
        log(`rerun the failed scenarios: npm run e2e -- --provider ${opts.provider} ${scen}${opts.fixturesDir !== path.join(root, 'fixtures') ? ` --fixtures ${opts.fixturesDir}` : ''}`);
      }
    } finally {
      if (!keepCluster) {
        await teardown();
        unregister();
      } else {
        unregister();
      }
    }
  }

  const results = collector.results;
  writeFileSync(path.join(opts.reportDir, 'junit.xml'), junitXml(results, `stateful-e2e ${opts.provider}`));
  writeFileSync(path.join(opts.reportDir, 'results.json'), JSON.stringify({ runId, provider: opts.provider, results }, null, 1));
  const c = collector.counts();
  const total = c.passed + c.failed + c.skipped;
  const html = writeHtmlReport(opts.reportDir);
  if (opts.conformance) {
    const md = path.join(opts.reportDir, 'conformance.md');
    writeFileSync(md, conformanceMarkdown({ fixturesDir: opts.fixturesDir, provider: opts.provider, versions, results }));
    log(`conformance verdict: ${md}`);
  }
  log(`reports: ${path.join(opts.reportDir, 'junit.xml')}, ${html} (${((performance.now() - started) / 1000).toFixed(0)}s)`);
  log(`e2e: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  if (total === 0) {
    log('error: no assertion ran');
    return 1;
  }
  return c.failed > 0 ? 1 : 0;
}
