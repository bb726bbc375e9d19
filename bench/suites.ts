/**
 * The core suites end to end, one run (not a test):
 *
 *   node bench/suites.ts [--provider kind] [--clusters 2] [--parallel 4] [--report-dir DIR] [--scenario NAME ...]
 *
 * Runs `npm run e2e` once with S1–S4 (statefulset-basics, wordpress-mysql, zookeeper, zookeeper-maintenance,
 * cassandra) by default, and prints from that one run: the wall time of the command (cluster creation, image
 * loading and teardown included), each scenario's own time (the sum of its assertions, from results.json), their
 * serial sum, and the ratio wall ÷ serial sum: below 1 is what running scenarios and clusters side by side saves;
 * above 1 is the harness's and the clusters' overhead. Exits with the run's exit code.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';

const root = path.resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    provider: { type: 'string', default: 'kind' },
    clusters: { type: 'string', default: '2' },
    parallel: { type: 'string', default: '4' },
    'report-dir': { type: 'string', default: path.join(os.tmpdir(), `bench-suites-${process.pid}`) },
    scenario: { type: 'string', multiple: true, default: ['statefulset-basics', 'wordpress-mysql', 'zookeeper', 'zookeeper-maintenance', 'cassandra'] },
  },
});
const reportDir = path.resolve(opt['report-dir']);
const args = [
  'run',
  '-s',
  'e2e',
  '--',
  '--provider',
  opt.provider,
  '--clusters',
  opt.clusters,
  '--parallel',
  opt.parallel,
  '--report-dir',
  reportDir,
  ...opt.scenario.flatMap((s) => ['--scenario', s]),
];
const t0 = performance.now();
const r = spawnSync('npm', args, { cwd: root, stdio: 'inherit', env: { ...process.env, CI: 'true' } });
const wallS = (performance.now() - t0) / 1000;

interface Result {
  readonly scenario: string;
  readonly durationMs: number;
  readonly outcome: string;
}
let results: Result[] = [];
try {
  results = (JSON.parse(readFileSync(path.join(reportDir, 'results.json'), 'utf8')) as { results: Result[] }).results;
} catch {
  console.log(`bench suites: no results.json in ${reportDir} (the run exited ${r.status})`);
  process.exit(r.status ?? 1);
}
const per = new Map<string, number>();
for (const x of results) per.set(x.scenario, (per.get(x.scenario) ?? 0) + x.durationMs / 1000);
const serial = [...per.values()].reduce((a, b) => a + b, 0);
const counts = (o: string): number => results.filter((x) => x.outcome === o).length;
console.log(`bench suites (${opt.provider}, --clusters ${opt.clusters}, --parallel ${opt.parallel}, ${os.cpus().length} cores):`);
for (const [s, t] of per) console.log(`  ${s.padEnd(24)} ${t.toFixed(0).padStart(5)} s of assertions`);
console.log(
  `  serial sum of assertions ${serial.toFixed(0)} s; wall ${wallS.toFixed(0)} s (${(wallS / 60).toFixed(1)} min); wall / serial ${(wallS / serial).toFixed(2)}`,
);
console.log(`  ${counts('passed')} passed, ${counts('failed')} failed, ${counts('skipped')} skipped; exit ${r.status}`);
process.exit(r.status ?? 1);
