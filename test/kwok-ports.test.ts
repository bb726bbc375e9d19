import { describe, expect, it } from 'vitest';
import { listenPortRange } from '../src/providers/kwok/index.ts';

describe('listenPortRange: the control plane listens below the ephemeral range', () => {
  it('takes the ports below the low end of ip_local_port_range', () => {
    expect(listenPortRange('32768\t60999\n')).toEqual({ min: 10_000, max: 32_767 });
  });
  it('gives no range when there is no room below it, or nothing to read', () => {
    expect(listenPortRange('10500 60999')).toBeUndefined();
    expect(listenPortRange(undefined)).toBeUndefined();
    expect(listenPortRange('garbage')).toBeUndefined();
  });
});
