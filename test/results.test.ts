import { describe, expect, it } from 'vitest';
import type { TestCase, TestModule } from 'vitest/node';
import { ResultCollector } from '../src/reporting/results.ts';

/** A module whose beforeAll failed: vitest marks its tests skipped without a note. */
function failedSetup(names: string[]): TestModule {
  const tests = names.map(
    (name) =>
      ({
        name,
        fullName: `statefulset-basics > ${name}`,
        result: () => ({ state: 'skipped', note: undefined }),
      }) as unknown as TestCase,
  );
  const suite = { errors: () => [{ message: 'kubectl apply: connection refused\nat …', stack: 'stack' }] };
  return {
    relativeModuleId: 'scenarios/statefulset-basics.e2e.ts',
    errors: () => [],
    children: { allSuites: () => [suite][Symbol.iterator](), allTests: () => tests[Symbol.iterator]() },
  } as unknown as TestModule;
}

describe('ResultCollector', () => {
  it('a failed setup fails every selected assertion of the scenario by ID, not only one setup row', () => {
    const lines: string[] = [];
    const c = new ResultCollector((l) => lines.push(l));
    c.onTestRunEnd([failedSetup(['[1.1] svc/nginx is headless', '[1.2] ordered creation'])], []);
    expect(c.results.map((r) => [r.id, r.outcome])).toEqual([
      ['setup', 'failed'],
      ['1.1', 'failed'],
      ['1.2', 'failed'],
    ]);
    expect(c.results[1]!.message).toBe('not run: setup failed: kubectl apply: connection refused');
    expect(c.counts()).toEqual({ passed: 0, failed: 3, skipped: 0 });
  });

  it('assertions --grep filtered out stay out of the results', () => {
    const c = new ResultCollector(() => undefined, '\\[1\\.2\\]');
    c.onTestRunEnd([failedSetup(['[1.1] svc/nginx is headless', '[1.2] ordered creation'])], []);
    expect(c.results.map((r) => r.id)).toEqual(['setup', '1.2']);
  });
});

describe('ResultCollector durations', () => {
  it('a test skipped after it ran (partial) keeps the time it took, though vitest reports no duration for it', async () => {
    const c = new ResultCollector(() => undefined);
    const tc = {
      id: 't1',
      name: '[4.10] re-apply',
      module: { relativeModuleId: 'scenarios/zookeeper.e2e.ts' },
      diagnostic: () => undefined,
      meta: () => ({}),
      result: () => ({ state: 'skipped', note: 'partial: the API part passed; not shown: /hello' }),
    } as unknown as TestCase;
    c.onTestCaseReady(tc);
    await new Promise((r) => setTimeout(r, 30));
    c.onTestCaseResult(tc);
    expect(c.results[0]!.outcome).toBe('skipped');
    expect(c.results[0]!.durationMs).toBeGreaterThanOrEqual(25);
  });
});

describe('ResultCollector numbers', () => {
  it('what an assertion measured (World.report, carried in the test meta) lands in its result', () => {
    const c = new ResultCollector(() => undefined);
    const tc = {
      id: 't2',
      name: '[F1.2] no acknowledged write is lost',
      module: { relativeModuleId: 'scenarios/zookeeper-faults.e2e.ts' },
      diagnostic: () => ({ duration: 5 }),
      meta: () => ({ numbers: { acknowledged: 1200, lost: 0 } }),
      result: () => ({ state: 'passed' }),
    } as unknown as TestCase;
    c.onTestCaseResult(tc);
    expect(c.results[0]).toMatchObject({ id: 'F1.2', outcome: 'passed', numbers: { acknowledged: 1200, lost: 0 } });
  });
});
