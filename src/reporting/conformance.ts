/**
 * Conformance verdict (`npm run conformance -- --fixtures DIR`): for a user's manifests, one row per catalogue
 * assertion and one column per Kubernetes version (per provider and version when several providers are
 * merged): pass, FAIL with the reason, or not shown with the reason. As Markdown (conformance.md) and as a
 * self-contained HTML page (conformance.html). A run with several --k8s-version values, or `--merge` of several
 * report directories (one per CI job), feeds the columns.
 */
import { compareVersions } from '../k8s-version.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readResults, type Outcome, type VersionedResult } from './artifacts.ts';
import { esc } from './html.ts';

export type { VersionedResult } from './artifacts.ts';

export interface ConformanceInput {
  readonly fixturesDir: string;
  readonly provider: string;
  /** Server version per scenario, for results without k8sVersion (results.json of older runs). */
  readonly versions: Readonly<Record<string, string>>;
  readonly results: readonly VersionedResult[];
  /** Per column, a link (relative to the verdict file) to the report of the run behind it. */
  readonly reports?: Readonly<Record<string, string>>;
}

export interface Cell {
  readonly outcome: Outcome;
  readonly flaky: boolean;
  readonly message?: string;
  /** How many results fell into this cell (the same assertion merged from two runs of one version). */
  readonly runs: number;
}

export interface MatrixRow {
  readonly id: string;
  readonly name: string;
  readonly cells: Readonly<Record<string, Cell>>;
}

export interface ColumnCounts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface Matrix {
  readonly columns: readonly string[];
  readonly scenarios: readonly { readonly name: string; readonly rows: readonly MatrixRow[] }[];
  readonly perColumn: Readonly<Record<string, ColumnCounts>>;
  readonly total: ColumnCounts;
  readonly providers: readonly string[];
}

const versionOf = (r: VersionedResult, versions: Readonly<Record<string, string>>): string => r.k8sVersion ?? versions[r.scenario] ?? 'unknown';

/** v1.33.4 before v1.34.0 before v1.34.10; anything unparsable after, by name. */
export { compareVersions } from '../k8s-version.ts';

/** Catalogue order: 1.2 before 1.10; setup/teardown and unhandled-error rows last. */
function compareIds(a: string, b: string): number {
  const na = /^\d+(\.\d+)*$/.test(a) ? a.split('.').map(Number) : undefined;
  const nb = /^\d+(\.\d+)*$/.test(b) ? b.split('.').map(Number) : undefined;
  if (na && nb) {
    for (let i = 0; i < Math.max(na.length, nb.length); i++) if ((na[i] ?? -1) !== (nb[i] ?? -1)) return (na[i] ?? -1) - (nb[i] ?? -1);
    return 0;
  }
  return na ? -1 : nb ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

const RANK: Record<Outcome, number> = { failed: 2, passed: 1, skipped: 0 };

/** Column name of a result: its Kubernetes version, prefixed with the provider when several providers are merged. */
export function columnOf(r: VersionedResult, versions: Readonly<Record<string, string>>, multiProvider: boolean): string {
  return multiProvider ? `${r.provider} ${versionOf(r, versions)}` : versionOf(r, versions);
}

/** An assertion's numbers (results.json) as one line: `lost 0, writeGapMs 3100`. */
export const numbersText = (n: Readonly<Record<string, number>>): string =>
  Object.entries(n)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

export function conformanceMatrix(input: ConformanceInput): Matrix {
  const providers = [...new Set(input.results.map((r) => r.provider))].sort();
  const multi = providers.length > 1;
  const col = (r: VersionedResult): string => columnOf(r, input.versions, multi);
  const columns = [...new Set(input.results.map(col))].sort((a, b) => {
    if (!multi) return compareVersions(a, b);
    const [provA = '', verA = ''] = a.split(' ');
    const [provB = '', verB = ''] = b.split(' ');
    return provA !== provB ? (provA < provB ? -1 : 1) : compareVersions(verA, verB);
  });
  const scenarioNames = [...new Set(input.results.map((r) => r.scenario))];
  const scenarios = scenarioNames.map((name) => {
    const rows = new Map<string, { id: string; name: string; cells: Record<string, Cell> }>();
    for (const r of input.results.filter((x) => x.scenario === name)) {
      const row = rows.get(r.id) ?? { id: r.id, name: r.name, cells: {} };
      rows.set(r.id, row);
      const c = col(r);
      const prev = row.cells[c];
      // What the assertion measured (a ledger's lost writes, its longest downtime) is part of its detail.
      const said = [r.message, r.numbers ? numbersText(r.numbers) : undefined].filter((x): x is string => Boolean(x)).join('; ');
      const mine: Cell = { outcome: r.outcome, flaky: r.flaky === true, ...(said ? { message: said } : {}), runs: 1 };
      if (!prev) row.cells[c] = mine;
      else {
        // The same assertion twice in one column (two runs merged): the worse outcome is the verdict.
        const worse = RANK[mine.outcome] > RANK[prev.outcome] ? mine : prev;
        row.cells[c] = { ...worse, flaky: prev.flaky || mine.flaky, runs: prev.runs + 1 };
      }
    }
    return { name, rows: [...rows.values()].sort((a, b) => compareIds(a.id, b.id)) };
  });
  const perColumn: Record<string, ColumnCounts> = {};
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const c of columns) {
    const n = { passed: 0, failed: 0, skipped: 0 };
    for (const s of scenarios) for (const r of s.rows) if (r.cells[c]) n[r.cells[c].outcome]++;
    perColumn[c] = n;
    total.passed += n.passed;
    total.failed += n.failed;
    total.skipped += n.skipped;
  }
  return { columns, scenarios, perColumn, total, providers };
}

export function verdictOf(c: ColumnCounts): string {
  return c.failed > 0 ? 'DOES NOT CONFORM' : c.passed > 0 ? 'CONFORMS (for every assertion shown)' : 'NOTHING SHOWN';
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const verdictText = (c: Cell | undefined): string =>
  !c ? '—' : c.outcome === 'passed' ? (c.flaky ? 'pass (flaky)' : 'pass') : c.outcome === 'failed' ? '**FAIL**' : 'not shown';

/** The message alone when every column that ran the assertion says the same, else "column: message" per column. */
function detail(row: MatrixRow, columns: readonly string[]): string {
  const ran = columns.filter((c) => row.cells[c]);
  const said = ran.filter((c) => row.cells[c]!.message).map((c) => [c, row.cells[c]!.message!] as const);
  if (said.length === ran.length && new Set(said.map(([, m]) => m)).size === 1) return said[0]![1];
  return said.map(([c, m]) => `${c}: ${m}`).join('; ');
}

export function conformanceMarkdown(input: ConformanceInput): string {
  const m = conformanceMatrix(input);
  const single = m.columns.length <= 1;
  const out = [
    `# Conformance: ${verdictOf(m.total)}`,
    '',
    `Manifests: \`${input.fixturesDir}\` · provider: ${m.providers.join(', ') || input.provider} · ` +
      `${single ? '' : `Kubernetes ${m.columns.join(', ')} · `}${m.total.passed} passed, ${m.total.failed} failed, ${m.total.skipped} not shown`,
    '',
  ];
  if (!single) {
    const link = (c: string): string => (input.reports?.[c] ? `[report](${input.reports[c]})` : '');
    out.push('| Kubernetes | verdict | passed | failed | not shown | report |', '|---|---|---:|---:|---:|---|');
    for (const c of m.columns) {
      const n = m.perColumn[c]!;
      out.push(`| ${cell(c)} | ${verdictOf(n).replace(' (for every assertion shown)', '')} | ${n.passed} | ${n.failed} | ${n.skipped} | ${link(c)} |`);
    }
    out.push('', '`—`: not run in that column (another shard, a --grep, or the run stopped).', '');
  }
  for (const s of m.scenarios) {
    if (single) {
      out.push(`## ${s.name} (Kubernetes ${m.columns[0] ?? 'unknown'})`, '', '| assertion | verdict | detail |', '|---|---|---|');
    } else {
      out.push(`## ${s.name}`, '', `| assertion | ${m.columns.map(cell).join(' | ')} | detail |`, `|---|${m.columns.map(() => '---|').join('')}---|`);
    }
    for (const r of s.rows) out.push(`| ${cell(r.name)} | ${m.columns.map((c) => verdictText(r.cells[c])).join(' | ')} | ${cell(detail(r, m.columns))} |`);
    out.push('');
  }
  return out.join('\n');
}

const CSS = `
body { font: 14px/1.45 system-ui, "DejaVu Sans", sans-serif; color: #212529; margin: 0; background: #f8f9fa; }
main { max-width: 1360px; margin: 0 auto; padding: 16px 20px 40px; }
header { padding: 14px 18px; border-radius: 8px; background: #fff; border: 1px solid #dee2e6; border-left: 8px solid #2b8a3e; }
header.failed { border-left-color: #d62828; }
h1 { font-size: 20px; margin: 0 0 4px; }
.meta { color: #6c757d; }
section { background: #fff; border: 1px solid #dee2e6; border-radius: 8px; padding: 10px 18px 16px; margin-top: 16px; }
h2 { font-size: 17px; margin: 4px 0 8px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #dee2e6; vertical-align: top; }
th { background: #f1f3f5; }
td.v { white-space: nowrap; text-align: center; font-weight: 600; }
td.passed { background: #d3f9d8; color: #1b5e20; }
td.failed { background: #d62828; color: #fff; }
td.skipped { background: #f1f3f5; color: #495057; font-weight: 400; }
td.none { color: #adb5bd; font-weight: 400; }
td.msg { max-width: 620px; overflow-wrap: anywhere; color: #495057; }
`;

/** The same verdict as a self-contained page: cells coloured, each cell's reason in its tooltip. */
export function conformanceHtml(input: ConformanceInput): string {
  const m = conformanceMatrix(input);
  const failed = m.total.failed > 0;
  const head = (c: string): string => (input.reports?.[c] ? `<a href="${esc(input.reports[c])}">${esc(c)}</a>` : esc(c));
  const td = (c: Cell | undefined): string => {
    if (!c) return '<td class="v none" title="not run in this column">—</td>';
    const label = c.outcome === 'passed' ? (c.flaky ? 'pass (flaky)' : 'pass') : c.outcome === 'failed' ? 'FAIL' : 'not shown';
    return `<td class="v ${c.outcome}" data-outcome="${c.outcome}"${c.message ? ` title="${esc(c.message)}"` : ''}>${label}</td>`;
  };
  const summary = m.columns
    .map((c) => {
      const n = m.perColumn[c]!;
      const o: Outcome = n.failed ? 'failed' : n.passed ? 'passed' : 'skipped';
      return `<tr data-column="${esc(c)}"><th>${head(c)}</th><td class="v ${o}">${esc(verdictOf(n))}</td><td>${n.passed}</td><td>${n.failed}</td><td>${n.skipped}</td></tr>`;
    })
    .join('');
  const sections = m.scenarios.map(
    (s) =>
      `<section data-scenario="${esc(s.name)}"><h2>${esc(s.name)}</h2><table><thead><tr><th>assertion</th>${m.columns.map((c) => `<th>${head(c)}</th>`).join('')}<th>detail</th></tr></thead><tbody>` +
      s.rows
        .map(
          (r) =>
            `<tr data-id="${esc(r.id)}"><td>${esc(r.name)}</td>${m.columns.map((c) => td(r.cells[c])).join('')}<td class="msg">${esc(detail(r, m.columns))}</td></tr>`,
        )
        .join('') +
      '</tbody></table></section>',
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Conformance: ${esc(verdictOf(m.total))}</title><style>${CSS}</style></head><body><main>`,
    `<header class="${failed ? 'failed' : ''}" data-verdict="${failed ? 'fail' : 'pass'}"><h1>Conformance: ${esc(verdictOf(m.total))}</h1>`,
    `<div class="meta">manifests <code>${esc(input.fixturesDir)}</code> · provider ${esc(m.providers.join(', ') || input.provider)} · ${m.total.passed} passed, ${m.total.failed} failed, ${m.total.skipped} not shown</div></header>`,
    `<section><h2>Per Kubernetes version</h2><table><thead><tr><th>Kubernetes</th><th>verdict</th><th>passed</th><th>failed</th><th>not shown</th></tr></thead><tbody>${summary}</tbody></table></section>`,
    ...sections,
    '</main></body></html>',
    '',
  ].join('\n');
}

/**
 * Several report directories → one verdict written into outDir: every result keeps (or gets, from its file's
 * versions map) its server version; a column links to the report.html of the directory it came from.
 */
export function mergeRuns(dirs: readonly string[], outDir: string): ConformanceInput {
  const files = dirs.map((d) => ({ dir: d, data: readResults(d) }));
  const results = files.flatMap(({ data }) => (data.results ?? []).map((r) => ({ ...r, k8sVersion: versionOf(r, data.versions ?? {}) })));
  const multi = new Set(results.map((r) => r.provider)).size > 1;
  const reports: Record<string, string> = {};
  for (const { dir, data } of files) {
    const page = ['report.html', 'conformance.html']
      .map((f) => path.join(dir, f))
      .find((f) => existsSync(f) && path.resolve(f) !== path.resolve(outDir, 'conformance.html'));
    if (!page) continue;
    for (const r of data.results ?? []) reports[columnOf(r, data.versions ?? {}, multi)] ??= path.relative(outDir, page);
  }
  const fixtures = [...new Set(files.map(({ data }) => data.fixturesDir).filter((f): f is string => !!f))];
  return {
    fixturesDir: fixtures.join(', ') || 'unknown',
    provider: [...new Set(files.map(({ data }) => data.provider ?? '?'))].join(', '),
    versions: {},
    results,
    reports,
  };
}
