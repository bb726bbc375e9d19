import { describe, expect, it } from 'vitest';
import { conformanceMarkdown } from '../src/reporting/conformance.ts';

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
    const md = conformanceMarkdown({ fixturesDir: 'f', provider: 'kind', versions: {}, results: [{ ...base, name: '[1.1] svc', id: '1.1', outcome: 'passed' }] });
    expect(md).toMatch(/^# Conformance: CONFORMS/);
  });
});
