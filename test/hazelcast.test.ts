import { describe, expect, it } from 'vitest';
import { lastMembership } from '../src/parsers/hazelcast.ts';

const view = (ver: number, ips: string[]) =>
  [
    `Dec 07, 2026 6:01:02 AM com.hazelcast.internal.cluster.ClusterService`,
    `INFO: [${ips[0]}]:5701 [dev] [5.5.0] `,
    '',
    `Members {size:${ips.length}, ver:${ver}} [`,
    ...ips.map((ip, i) => `\tMember [${ip}]:5701 - 0000000${i}-aaaa-bbbb-cccc-dddddddddddd${i === 0 ? ' this' : ''}`),
    ']',
    '',
  ].join('\n');

describe('lastMembership', () => {
  it('reads the last view of a 5.x log: its size and its members', () => {
    const log = `${view(1, ['10.244.1.5']) + view(2, ['10.244.1.5', '10.244.2.3'])}INFO: [10.244.1.5]:5701 [dev] [5.5.0] something else\n`;
    expect(lastMembership(log)).toEqual({ size: 2, members: ['10.244.1.5:5701', '10.244.2.3:5701'] });
  });

  it('sees a shrunk cluster after a larger one', () => {
    const log = view(4, ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) + view(5, ['10.0.0.1', '10.0.0.3']);
    expect(lastMembership(log)).toEqual({ size: 2, members: ['10.0.0.1:5701', '10.0.0.3:5701'] });
  });

  it("reads the seed image's 3.x format", () => {
    const log = 'Members [2] {\n\tMember [10.244.0.9]:5701 this\n\tMember [10.244.1.7]:5701\n}\n';
    expect(lastMembership(log)).toEqual({ size: 2, members: ['10.244.0.9:5701', '10.244.1.7:5701'] });
  });

  it('is undefined for a member that logged no view, and keeps working across calls', () => {
    expect(lastMembership('INFO: starting\n')).toBeUndefined();
    expect(lastMembership(view(1, ['10.0.0.1']))?.size).toBe(1);
    expect(lastMembership(view(1, ['10.0.0.1']))?.size).toBe(1);
  });
});
