/**
 * The core suites end to end, one run (not a test):
 *
 *   node bench/suites.ts [--provider kind] [--clusters 2] [--parallel 4] [--report-dir DIR] [--scenario NAME ...]
 *
 * Runs `npm run e2e` once with S1–S4 (statefulset-basics, wordpress-mysql, zookeeper, zookeeper-maintenance,
 * cassandra) by default, and prints from that one run: the wall time of the command (cluster creation, image
 * loading and teardown included), each scenario's own time (the sum of its assertions, from results.json), their
 * serial sum, and the ratio wall ÷ serial sum: below 1 is what running scenarios and clusters side by side saves;
 * above 1 is the harness's and the clusters' overhead.
 *
 * And the overhead (bench/overhead.ts): per scenario, from its timeline (timelines/<scenario>.json), its wall, the
 * catalogue's "nothing happens" windows, its waits on the cluster outside them, the rest (the harness), and
 * overhead = wall ÷ (windows + cluster waits); in total, the run's wall ÷ (Σ windows + Σ cluster waits + cluster
 * creation and teardown as the run's output gives them). Exits with the run's exit code.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { readTimelines } from '../src/reporting/artifacts.ts';
import { clusterTimes, fmtRatio, overheadOf, scenarioOverhead, type Overhead } from './overhead.ts';

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
// The run's output is shown as it comes and kept: its cluster creation and teardown lines are part of the overhead.
// The bench outlives a signal until the run has cleaned up (and printed it): a terminal's Ctrl-C reaches the run
// itself (one process group); a SIGTERM to the bench alone is passed on.
let output = '';
const child = spawn('npm', args, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, CI: 'true' } });
const onInt = (): void => undefined;
const onTerm = (): void => void child.kill('SIGTERM');
process.on('SIGINT', onInt).on('SIGTERM', onTerm);
const r = await new Promise<{ status: number | null }>((resolve) => {
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    output += chunk.toString('utf8');
  });
  child.on('error', (err) => {
    console.log(`bench suites: npm: ${err.message}`);
    resolve({ status: 1 });
  });
  child.on('close', (code, signal) => resolve({ status: code ?? (signal ? 1 : null) }));
});
process.off('SIGINT', onInt).off('SIGTERM', onTerm);
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
// Each scenario's windows and cluster waits, from its timeline (bench/overhead.ts says what counts and why).
const overheads = new Map<string, Overhead>();
try {
  // Only this run's scenarios: a --report-dir used before may hold timelines of others.
  const ran = new Set([...per.keys(), ...opt.scenario]);
  for (const tl of readTimelines(reportDir)) if (ran.has(tl.scenario)) overheads.set(tl.scenario, scenarioOverhead(tl.entries));
} catch (err) {
  console.log(`bench suites: timelines in ${reportDir} unreadable: ${err instanceof Error ? err.message : String(err)}`);
}
const sec = (ms: number): string => `${(ms / 1000).toFixed(0)} s`;
console.log(`bench suites (${opt.provider}, --clusters ${opt.clusters}, --parallel ${opt.parallel}, ${os.cpus().length} cores):`);
for (const s of new Set([...per.keys(), ...overheads.keys()])) {
  const o = overheads.get(s);
  const detail = o
    ? `; wall ${sec(o.wallMs)} = windows ${sec(o.windowsMs)} + cluster waits ${sec(o.clusterMs)} + harness ${sec(o.harnessMs)}; overhead ${fmtRatio(o.ratio)}`
    : '; no timeline';
  console.log(`  ${s.padEnd(24)} ${(per.get(s) ?? 0).toFixed(0).padStart(5)} s of assertions${detail}`);
}
console.log(
  `  serial sum of assertions ${serial.toFixed(0)} s; wall ${wallS.toFixed(0)} s (${(wallS / 60).toFixed(1)} min); wall / serial ${(wallS / serial).toFixed(2)}`,
);
const all = [...overheads.values()];
const windowsMs = all.reduce((a, o) => a + o.windowsMs, 0);
const waitsMs = all.reduce((a, o) => a + o.clusterMs, 0);
const c = clusterTimes(output);
const parts = [`Σ windows ${sec(windowsMs)}`, `Σ cluster waits ${sec(waitsMs)}`];
const unknown: string[] = [];
if (c.creates > 0) parts.push(`cluster creation ${sec(c.createMs)} (${c.creates}×)`);
else unknown.push('cluster creation');
if (c.teardowns > 0) parts.push(`cluster teardown ${sec(c.teardownMs)} (${c.teardowns}×)`);
else unknown.push('cluster teardown');
const total = overheadOf(wallS * 1000, windowsMs, waitsMs + c.createMs + c.teardownMs);
console.log(
  `  overhead: wall ${wallS.toFixed(0)} s ÷ (${parts.join(' + ')}) = ${fmtRatio(total.ratio)}` +
    (unknown.length > 0 ? `; not included (not in the run's output): ${unknown.join(', ')}` : '') +
    (c.imageLoads > 0 ? `; image loading ${sec(c.imagesMs)} (${c.imageLoads}×) counts as harness` : ''),
);
console.log(`  ${counts('passed')} passed, ${counts('failed')} failed, ${counts('skipped')} skipped; exit ${r.status}`);
process.exit(r.status ?? 1);
