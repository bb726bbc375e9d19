/** JUnit XML: one testsuite per scenario, one testcase per catalogue assertion; skips carry their reason. */
/** The fields of an assertion result (artifacts.ts) that JUnit shows. */
interface AssertionResult {
  readonly scenario: string;
  readonly name: string;
  readonly outcome: 'passed' | 'failed' | 'skipped';
  readonly durationMs: number;
  readonly message?: string;
  readonly details?: string;
  readonly provider: string;
  readonly id?: string;
  readonly flaky?: boolean;
}

const esc = (s: string): string =>
  s
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters; ANSI colour codes from assertion diffs are among them.
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function junitXml(results: readonly AssertionResult[], runName: string): string {
  const byScenario = new Map<string, AssertionResult[]>();
  for (const r of results) byScenario.set(r.scenario, [...(byScenario.get(r.scenario) ?? []), r]);
  const count = (rs: readonly AssertionResult[], o: AssertionResult['outcome']): number => rs.filter((r) => r.outcome === o).length;
  const secs = (rs: readonly AssertionResult[]): string => (rs.reduce((a, r) => a + r.durationMs, 0) / 1000).toFixed(3);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${esc(runName)}" tests="${results.length}" failures="${count(results, 'failed')}" skipped="${count(results, 'skipped')}" time="${secs(results)}">`,
  ];
  for (const [scenario, rs] of byScenario) {
    out.push(
      `  <testsuite name="${esc(scenario)}" tests="${rs.length}" failures="${count(rs, 'failed')}" skipped="${count(rs, 'skipped')}" time="${secs(rs)}">`,
    );
    for (const r of rs) {
      const open = `    <testcase classname="${esc(`${scenario}.${r.provider}`)}" name="${esc(r.name)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
      if (r.outcome === 'passed') out.push(`${open}/>`);
      else if (r.outcome === 'skipped') out.push(`${open}>`, `      <skipped message="${esc(r.message ?? '')}"/>`, '    </testcase>');
      else out.push(`${open}>`, `      <failure message="${esc(r.message ?? '')}">${esc(r.details ?? '')}</failure>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
