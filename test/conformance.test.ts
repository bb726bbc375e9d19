import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareVersions, conformanceHtml, conformanceMarkdown, conformanceMatrix, mergeRuns, type VersionedResult } from '../src/reporting/conformance.ts';
import type { AssertionResult } from '../src/reporting/results.ts';

describe('conformanceMarkdown', () => {
  const base = { scenario: 'statefulset-basics', durationMs: 1, provider: 'kwok' } as const;
  it('fails the manifests when any assertion failed, and says why', () => {
    const md = conformanceMarkdown({
      fixturesDir: '/tmp/mine',
      provider: 'kwok',
      versions: { 'statefulset-basics': 'v1.34.4' },
      results: [
        { ...base, name: '[1.1] svc', id: '1.1', outcome: 'passed' },
        { ...base, name: '[1.2] order', id: '1.2', outcome: 'failed', message: 'web-1 was created | while web-0 was not Ready' },
        { ...base, name: '[1.4] hostname', id: '1.4', outcome: 'skipped', message: 'needs exec' },
      ],
    });
    expect(md).toMatch(/^# Conformance: DOES NOT CONFORM/);
    expect(md).toContain('## statefulset-basics (Kubernetes v1.34.4)');
    expect(md).toContain('| [1.2] order | **FAIL** | web-1 was created \\| while web-0 was not Ready |');
    expect(md).toContain('| [1.4] hostname | not shown | needs exec |');
  });
  it('conforms when nothing failed', () => {
    const md = conformanceMarkdown({
      fixturesDir: 'f',
      provider: 'kind',
      versions: {},
      results: [{ ...base, name: '[1.1] svc', id: '1.1', outcome: 'passed' }],
    });
    expect(md).toMatch(/^# Conformance: CONFORMS/);
  });
  it('shows what an assertion measured (its numbers) in its detail', () => {
    const md = conformanceMarkdown({
      fixturesDir: 'f',
      provider: 'kind',
      versions: {},
      results: [
        { ...base, scenario: 'zookeeper-faults', name: '[F1.2] no write lost', id: 'F1.2', outcome: 'passed', numbers: { acknowledged: 1180, lost: 0 } },
        {
          ...base,
          scenario: 'zookeeper-faults',
          name: '[F1.4] downtime',
          id: 'F1.4',
          outcome: 'failed',
          message: 'no successful write for 41000 ms',
          numbers: { writeGapMs: 41000 },
        },
      ],
    });
    expect(md).toContain('| [F1.2] no write lost | pass | acknowledged 1180, lost 0 |');
    expect(md).toContain('| [F1.4] downtime | **FAIL** | no successful write for 41000 ms; writeGapMs 41000 |');
  });
});

describe('conformance across Kubernetes versions', () => {
  const r = (id: string, outcome: AssertionResult['outcome'], k8sVersion: string, message?: string, provider = 'kwok'): VersionedResult => ({
    scenario: 'statefulset-basics',
    name: `[${id}] a${id}`,
    id,
    outcome,
    durationMs: 1,
    provider,
    k8sVersion,
    ...(message ? { message } : {}),
  });
  const results = [
    r('1.10', 'passed', 'v1.34.4'),
    r('1.2', 'passed', 'v1.34.4'),
    r('1.4', 'skipped', 'v1.34.4', 'needs exec'),
    r('1.2', 'failed', 'v1.33.4', 'web-1 before web-0'),
    r('1.4', 'skipped', 'v1.33.4', 'needs exec'),
  ];

  it('has one column per version in version order, rows in catalogue order, — where an assertion did not run', () => {
    const m = conformanceMatrix({ fixturesDir: 'f', provider: 'kwok', versions: {}, results });
    expect(m.columns).toEqual(['v1.33.4', 'v1.34.4']);
    expect(m.scenarios[0]!.rows.map((x) => x.id)).toEqual(['1.2', '1.4', '1.10']);
    expect(m.perColumn['v1.33.4']).toEqual({ passed: 0, failed: 1, skipped: 1 });
    const md = conformanceMarkdown({ fixturesDir: 'f', provider: 'kwok', versions: {}, results, reports: { 'v1.34.4': 'v1.34.4/report.html' } });
    expect(md).toMatch(/^# Conformance: DOES NOT CONFORM/);
    expect(md).toContain('| v1.33.4 | DOES NOT CONFORM | 0 | 1 | 1 |  |');
    expect(md).toContain('| v1.34.4 | CONFORMS | 2 | 0 | 1 | [report](v1.34.4/report.html) |');
    expect(md).toContain('| assertion | v1.33.4 | v1.34.4 | detail |');
    // the reason says which version it is about unless every version says the same
    expect(md).toContain('| [1.2] a1.2 | **FAIL** | pass | v1.33.4: web-1 before web-0 |');
    expect(md).toContain('| [1.4] a1.4 | not shown | not shown | needs exec |');
    expect(md).toContain('| [1.10] a1.10 | — | pass |  |');
  });

  it('takes the worse outcome when one version ran an assertion twice, and names columns by provider when merged across providers', () => {
    const m = conformanceMatrix({
      fixturesDir: 'f',
      provider: 'kwok',
      versions: {},
      results: [r('1.2', 'passed', 'v1.34.4'), r('1.2', 'failed', 'v1.34.4', 'x'), r('1.2', 'passed', 'v1.34.4', undefined, 'kind')],
    });
    expect(m.columns).toEqual(['kind v1.34.4', 'kwok v1.34.4']);
    expect(m.scenarios[0]!.rows[0]!.cells['kwok v1.34.4']).toMatchObject({ outcome: 'failed', runs: 2 });
  });

  it('orders versions numerically', () => {
    expect(['v1.34.10', 'v1.9.0', 'unknown', 'v1.34.4'].sort(compareVersions)).toEqual(['v1.9.0', 'v1.34.4', 'v1.34.10', 'unknown']);
  });

  it('renders the same verdict as a self-contained HTML page', () => {
    const html = conformanceHtml({ fixturesDir: '/tmp/<mine>', provider: 'kwok', versions: {}, results, reports: { 'v1.34.4': 'v1.34.4/report.html' } });
    expect(html).toContain('data-verdict="fail"');
    expect(html).toContain('<code>/tmp/&lt;mine&gt;</code>');
    expect(html).toContain('<th><a href="v1.34.4/report.html">v1.34.4</a></th>');
    expect(html).toMatch(
      /<tr data-id="1\.2"><td>\[1\.2\] a1\.2<\/td><td class="v failed" data-outcome="failed" title="web-1 before web-0">FAIL<\/td><td class="v passed" data-outcome="passed">pass<\/td>/,
    );
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('merges results.json files of several runs, old ones (versions per scenario) included', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'conformance-merge-'));
    try {
      const a = path.join(tmp, 'a');
      const b = path.join(tmp, 'b');
      mkdirSync(a);
      mkdirSync(b);
      writeFileSync(
        path.join(a, 'results.json'),
        JSON.stringify({
          runId: 'a',
          provider: 'kwok',
          fixturesDir: '/f',
          versions: { 'statefulset-basics': 'v1.34.4' },
          results: [r('1.2', 'passed', 'v1.34.4')],
        }),
      );
      writeFileSync(path.join(a, 'report.html'), '<html></html>');
      const old = r('1.2', 'failed', 'ignored', 'boom');
      const { k8sVersion: _drop, ...legacy } = old;
      writeFileSync(
        path.join(b, 'results.json'),
        JSON.stringify({ runId: 'b', provider: 'kwok', versions: { 'statefulset-basics': 'v1.33.4' }, results: [legacy] }),
      );
      const input = mergeRuns([a, b], path.join(tmp, 'out'));
      expect(input.fixturesDir).toBe('/f');
      expect(input.reports).toEqual({ 'v1.34.4': '../a/report.html' });
      const m = conformanceMatrix(input);
      expect(m.columns).toEqual(['v1.33.4', 'v1.34.4']);
      expect(m.total).toEqual({ passed: 1, failed: 1, skipped: 0 });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
