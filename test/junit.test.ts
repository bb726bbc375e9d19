import { describe, expect, it } from 'vitest';
import { junitXml } from '../src/reporting/junit.ts';

describe('junitXml', () => {
  const xml = junitXml(
    [
      { scenario: 's1', name: '[1.1] ok', id: '1.1', outcome: 'passed', durationMs: 1200, provider: 'kwok' },
      {
        scenario: 's1',
        name: '[1.2] <order>',
        id: '1.2',
        outcome: 'failed',
        durationMs: 10,
        message: 'web-1 & web-0 \u001b[31mred\u001b[39m',
        details: 'stack',
        provider: 'kwok',
      },
      { scenario: 's1', name: '[1.4] dns', id: '1.4', outcome: 'skipped', durationMs: 0, message: 'needs exec', provider: 'kwok' },
    ],
    'run',
  );
  it('counts and escapes', () => {
    expect(xml).toContain('tests="3" failures="1" skipped="1"');
    expect(xml).toContain('name="[1.2] &lt;order&gt;"');
    expect(xml).toContain('message="web-1 &amp; web-0 red"');
    expect(xml).toContain('<skipped message="needs exec"/>');
  });
});
