/**
 * Conformance verdict (`npm run conformance -- --fixtures DIR`): for a user's manifests, one line per catalogue
 * assertion and Kubernetes version — pass, FAIL with the reason, or not shown with the reason — as Markdown.
 */
import type { AssertionResult } from './results.ts';

export interface ConformanceInput {
  readonly fixturesDir: string;
  readonly provider: string;
  /** Server version per scenario (the cluster it ran on), e.g. v1.34.4. */
  readonly versions: Readonly<Record<string, string>>;
  readonly results: readonly AssertionResult[];
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function conformanceMarkdown(input: ConformanceInput): string {
  const failed = input.results.filter((r) => r.outcome === 'failed').length;
  const passed = input.results.filter((r) => r.outcome === 'passed').length;
  const skipped = input.results.filter((r) => r.outcome === 'skipped').length;
  const verdict = failed > 0 ? 'DOES NOT CONFORM' : passed > 0 ? 'CONFORMS (for every assertion shown)' : 'NOTHING SHOWN';
  const out = [
    `# Conformance: ${verdict}`,
    '',
    `Manifests: \`${input.fixturesDir}\` · provider: ${input.provider} · ${passed} passed, ${failed} failed, ${skipped} not shown`,
    '',
  ];
  const scenarios = [...new Set(input.results.map((r) => r.scenario))];
  for (const s of scenarios) {
    out.push(`## ${s} (Kubernetes ${input.versions[s] ?? 'unknown'})`, '', '| assertion | verdict | detail |', '|---|---|---|');
    for (const r of input.results.filter((x) => x.scenario === s)) {
      const v = r.outcome === 'passed' ? (r.flaky ? 'pass (flaky)' : 'pass') : r.outcome === 'failed' ? '**FAIL**' : 'not shown';
      out.push(`| ${cell(r.name)} | ${v} | ${cell(r.message ?? '')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
