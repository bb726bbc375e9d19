/**
 * The GitHub Actions workflow: structure checks on the parsed YAML, and actionlint (ci/lint-workflows.sh) when its
 * pinned binary is in the cache (`bash ci/lint-workflows.sh --install` builds it from the Go module proxy).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { discoverScenarios } from '../src/discovery.ts';

const root = path.resolve(import.meta.dirname, '..');
const workflowFile = path.join(root, '.github', 'workflows', 'e2e.yml');
// The shards must cover exactly the scenarios the CLI discovers.
const SCENARIOS = await discoverScenarios(path.join(root, 'scenarios'), []);

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  'runs-on'?: string;
  name?: string;
  needs?: string | string[];
  env?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: unknown;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const wf = parse(readFileSync(workflowFile, 'utf8')) as Workflow;
const jobs = Object.entries(wf.jobs);
const allSteps = jobs.flatMap(([, j]) => j.steps);
const runs = (j: Job): string => j.steps.map((s) => s.run ?? '').join('\n');
const uses = (j: Job, action: string): Step[] => j.steps.filter((s) => s.uses?.split('@')[0] === action);

describe('.github/workflows/e2e.yml', () => {
  it('has the unit, kwok and kind jobs, each with steps on a pinned Ubuntu runner', () => {
    expect(Object.keys(wf.jobs)).toEqual(expect.arrayContaining(['unit', 'kwok', 'kind']));
    for (const [id, j] of jobs) {
      expect(j['runs-on'], id).toMatch(/^ubuntu-/);
      expect(j.steps.length, id).toBeGreaterThan(0);
      expect(
        j.steps.every((s) => (s.uses === undefined) !== (s.run === undefined)),
        `${id}: each step has uses or run`,
      ).toBe(true);
    }
  });

  it('references only ci/ scripts that exist', () => {
    const refs = new Set<string>();
    for (const s of allSteps) {
      for (const m of (s.run ?? '').matchAll(/(?:^|[\s"'(=;|&])(\.?ci\/[\w./-]+)/g)) refs.add(m[1]!);
    }
    expect(refs.size).toBeGreaterThan(4);
    for (const r of refs) expect(existsSync(path.join(root, r)), `${r} exists`).toBe(true);
    for (const r of ['ci/build-kube.sh', 'ci/build-kwok.sh', 'ci/mutations.sh', 'ci/build-kind.sh', 'ci/lint-workflows.sh']) expect(refs).toContain(r);
  });

  it('uses Node 24 through actions/setup-node wherever npm runs', () => {
    for (const [id, j] of jobs) {
      const setup = uses(j, 'actions/setup-node');
      if (/\bnpm\b/.test(runs(j))) expect(setup.length, `${id} sets up Node`).toBe(1);
      for (const s of setup) expect(String(s.with?.['node-version']), id).toBe('24');
    }
  });

  it('pins every action to a release, never a branch', () => {
    for (const s of allSteps.filter((x) => x.uses)) expect(s.uses).toMatch(/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
  });

  it('unit: npm ci and npm test', () => {
    const r = runs(wf.jobs.unit!);
    expect(r).toMatch(/npm ci\b/);
    expect(r).toMatch(/npm test\b/);
  });

  it('kwok: cached builds keyed by ci/versions.sh, the suites, mutations, summary and artifacts', () => {
    const j = wf.jobs.kwok!;
    const r = runs(j);
    expect(r).toContain('bash ci/build-kube.sh');
    expect(r).toContain('bash ci/build-kwok.sh');
    expect(r).toMatch(/npm run e2e -- --provider kwok\b/);
    expect(r).toContain('bash ci/mutations.sh kwok');
    expect(r).toContain('$GITHUB_STEP_SUMMARY');
    expect(r).toContain('markdownSummary');
    const cache = uses(j, 'actions/cache');
    expect(cache.length).toBeGreaterThan(0);
    expect(String(cache[0]!.with?.key)).toContain("hashFiles('ci/versions.sh'");
    expect(String(cache[0]!.with?.path)).toContain('${{ env.E2E_CACHE }}');
    expect(wf.env?.E2E_CACHE).toBeTruthy();
    // the cache must come before the builds that fill it
    const idx = (pred: (s: Step) => boolean): number => j.steps.findIndex(pred);
    expect(idx((s) => s.uses?.startsWith('actions/cache@') ?? false)).toBeLessThan(idx((s) => s.run?.includes('ci/build-kube.sh') ?? false));
    const upload = uses(j, 'actions/upload-artifact');
    expect(upload).toHaveLength(1);
    expect(upload[0]!.if).toBe('always()');
    expect(String(upload[0]!.with?.path)).toMatch(/^reports\/?$/);
  });

  it('kind: Kubernetes versions pinned by digest x scenario shards covering every scenario once', () => {
    const j = wf.jobs.kind!;
    const m = j.strategy?.matrix as { k8s: Array<{ version: string; image: string }>; shard: number[] };
    const minors = m.k8s.map((k) => /^v(\d+\.\d+)\.\d+$/.exec(k.version)?.[1]);
    expect(minors).toEqual(expect.arrayContaining(['1.33', '1.34']));
    for (const k of m.k8s) expect(k.image).toBe(`kindest/node:${k.version}@sha256:${/@sha256:([0-9a-f]{64})$/.exec(k.image)?.[1] ?? 'missing-digest'}`);
    // --shard I/N over the discovered scenarios, N = their number: one scenario (one kind cluster) per job, each once.
    expect(m.shard).toEqual(SCENARIOS.map((_, i) => i + 1));
    expect(j.env?.SHARD).toBe(`\${{ matrix.shard }}/${SCENARIOS.length}`);
    expect(runs(j)).toMatch(/--shard "\$SHARD"/);
    const r = runs(j);
    expect(r).toMatch(/npm run e2e -- --provider kind --k8s-version\b/);
    expect(r).toContain('export logs');
    expect(r).toContain('$GITHUB_STEP_SUMMARY');
    expect(j.env?.E2E_KIND_NODE_IMAGE).toBe('${{ matrix.k8s.image }}');
    const upload = uses(j, 'actions/upload-artifact');
    expect(upload).toHaveLength(1);
    expect(upload[0]!.if).toBe('always()');
    expect(String(upload[0]!.with?.name)).toContain('${{ matrix.k8s.version }}');
  });

  it('verdict: after every kind job, merges their reports into one conformance verdict per version', () => {
    const j = wf.jobs.verdict!;
    expect(j.needs).toBe('kind');
    expect((j as Job & { if?: string }).if).toBe('always()');
    const dl = uses(j, 'actions/download-artifact');
    expect(dl).toHaveLength(1);
    expect(String(dl[0]!.with?.pattern)).toBe('reports-kind-*');
    expect(runs(j)).toMatch(/npm run conformance -- --merge\b/);
    expect(runs(j)).toContain('$GITHUB_STEP_SUMMARY');
  });

  it('passes actionlint (pinned build in $E2E_CACHE)', (ctx) => {
    const where = spawnSync('bash', [path.join(root, 'ci', 'lint-workflows.sh'), '--where'], { encoding: 'utf8' });
    expect(where.status, where.stderr).toBe(0);
    const bin = where.stdout.trim();
    if (!existsSync(bin)) {
      const why = `actionlint not built (${bin} missing): run \`bash ci/lint-workflows.sh --install\``;
      console.warn(`skipped: ${why}`);
      ctx.skip(why);
    }
    const r = spawnSync('bash', [path.join(root, 'ci', 'lint-workflows.sh')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
});

describe('lists that name scenarios cover exactly what discovery finds', () => {
  const names = SCENARIOS.map((s) => s.name).sort();
  it('.ci/run runs every discovered scenario on kind (the --scenario lists of its kind stages, and the scenarios in rotation)', () => {
    const run = readFileSync(path.join(root, '.ci', 'run'), 'utf8');
    const onKind = run
      .split('\n')
      .filter((l) => /npm run -s e2e -- --provider kind\b/.test(l))
      .flatMap((l) => [...l.matchAll(/--scenario (\S+)/g)].map((m) => m[1]!))
      .filter((n) => !n.startsWith('"'));
    const rotation = [...(run.match(/^rotation=\((.*)\)$/m)?.[1] ?? '').matchAll(/\bscenario:([a-z0-9-]+):\d+/g)].map((m) => m[1]!);
    expect([...new Set([...onKind, ...rotation])].sort()).toEqual(names);
  });
  it('the README scenarios table has a row per discovered scenario', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Scenarios'));
    const rows = [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!);
    expect(rows.sort()).toEqual(names);
  });
});
