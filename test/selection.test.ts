/** Which scenarios and assertions a run selects: --grep and --rerun-failed with declared preconditions, --shard. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiscoveredScenario } from '../src/discovery.ts';
import { parseOptions, selectScenarios } from '../src/options.ts';

const root = path.resolve(import.meta.dirname, '..');
const sc = (name: string, ids: [string, string[]?][], builtIn = true): DiscoveredScenario => ({
  name,
  profile: 'K2',
  source: 's',
  summary: 's',
  fixtures: [],
  file: `/x/${name}.e2e.ts`,
  fixturesRoot: '/x/fixtures',
  builtIn,
  assertions: ids.map(([id, after]) => ({ id, name: `[${id}] t${id}`, after: after ?? [] })),
});
const FOUND = [sc('a', [['1.1'], ['1.2'], ['1.9', ['1.2']], ['1.10', ['1.9']]]), sc('b', [['2.1'], ['2.2']])];
const select = (argv: string[]) => selectScenarios(parseOptions(argv, root, {}), FOUND);
const results = (rows: { scenario: string; id: string; outcome: string }[]): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'se2e-sel-'));
  writeFileSync(path.join(d, 'results.json'), JSON.stringify({ results: rows }));
  return d;
};

describe('--grep selects matching assertions and what they are declared after', () => {
  it('takes the after-closure, drops scenarios with no match', () => {
    const o = select(['--grep', '\\[1\\.10\\]']);
    expect(o.scenarios.map((s) => s.name)).toEqual(['a']);
    expect(o.grep).toBe('\\[(?:1\\.10|1\\.9|1\\.2)\\]');
    expect(new RegExp(o.grep!).test('[1.2] x')).toBe(true);
    expect(new RegExp(o.grep!).test('[1.1] x')).toBe(false);
  });
  it('a pattern that matches nothing is one line, before any cluster', () => {
    expect(() => select(['--grep', 'nope'])).toThrow(/--grep nope: no assertion of a, b matches/);
  });
});

describe('--rerun-failed DIR', () => {
  it('reruns the failed assertions with their preconditions, in the scenarios they failed in', () => {
    const d = results([
      { scenario: 'a', id: '1.9', outcome: 'failed' },
      { scenario: 'a', id: '1.1', outcome: 'passed' },
      { scenario: 'b', id: '2.2', outcome: 'skipped' },
      { scenario: 'run', id: 'unhandled', outcome: 'failed' },
    ]);
    const o = select(['--rerun-failed', d]);
    expect(o.scenarios.map((s) => s.name)).toEqual(['a']);
    expect(o.grep).toBe('\\[(?:1\\.9|1\\.2)\\]');
  });
  it('a failed setup step reruns the whole scenario', () => {
    const o = select(['--rerun-failed', results([{ scenario: 'b', id: 'setup', outcome: 'failed' }])]);
    expect(o.scenarios.map((s) => s.name)).toEqual(['b']);
    expect(o.grep).toBe('\\[(?:2\\.1|2\\.2)\\]');
  });
  it('nothing failed: nothing selected', () => {
    expect(select(['--rerun-failed', results([{ scenario: 'a', id: '1.1', outcome: 'passed' }])]).scenarios).toEqual([]);
  });
  it('bad input is one line', () => {
    expect(() => select(['--rerun-failed', '/nonexistent'])).toThrow(/^--rerun-failed: no results.json in \/nonexistent/);
    expect(() => select(['--rerun-failed', results([{ scenario: 'zz', id: '9.9', outcome: 'failed' }])])).toThrow(/zz failed in .*no such scenario/);
    expect(() => select(['--rerun-failed', results([]), '--grep', 'x'])).toThrow(/leave out --grep and --scenario/);
  });
});
