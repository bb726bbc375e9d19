import { describe, expect, it } from 'vitest';
import { fingerprintChange } from '../src/reuse.ts';

describe('--reuse fingerprints', () => {
  const fp = { provider: 'kind', 'node image': 'stateful-e2e/kind-node:v1.34.4@sha256:aaa', profile: 'K2' };
  it('an unchanged fingerprint reuses', () => expect(fingerprintChange({ ...fp }, fp)).toBeUndefined());
  it('no kept cluster, or any changed, added or dropped key, recreates and says which', () => {
    expect(fingerprintChange(undefined, fp)).toBe('no kept cluster');
    expect(fingerprintChange(fp, { ...fp, 'node image': 'stateful-e2e/kind-node:v1.34.4@sha256:bbb' })).toBe(
      'node image changed: stateful-e2e/kind-node:v1.34.4@sha256:aaa → stateful-e2e/kind-node:v1.34.4@sha256:bbb',
    );
    expect(fingerprintChange(fp, { ...fp, delays: 'x' })).toBe('delays changed: (none) → x');
    const { profile: _, ...without } = fp;
    expect(fingerprintChange(fp, without)).toBe('profile changed: K2 → (none)');
  });
});
