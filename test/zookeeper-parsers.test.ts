import { describe, expect, it } from 'vitest';
import { parseSrvr, quorumShape } from '../src/parsers/zookeeper.ts';

// `echo srvr | nc 127.0.0.1 2181` from a ZooKeeper 3.4 follower.
const FOLLOWER = `Zookeeper version: 3.4.10-39d3a4f269333c922ed3db283be479f9deacaa0f, built on 03/23/2017 10:13 GMT
Latency min/avg/max: 0/0/3
Received: 17
Sent: 16
Connections: 1
Outstanding: 0
Zxid: 0x100000002
Mode: follower
Node count: 5
`;

describe('parseSrvr', () => {
  it('reads mode, zxid, node count and version', () => {
    expect(parseSrvr(FOLLOWER)).toEqual({ version: expect.stringMatching(/^3\.4\.10/), mode: 'follower', zxid: '0x100000002', nodeCount: 5 });
  });
  it('returns no mode for a member that is not serving', () => {
    expect(parseSrvr('This ZooKeeper instance is not currently serving requests\n').mode).toBeUndefined();
  });
});

describe('quorumShape', () => {
  it('wants exactly one leader and the rest followers', () => {
    expect(quorumShape(['follower', 'leader', 'follower']).ok).toBe(true);
    expect(quorumShape(['leader', 'leader', 'follower']).ok).toBe(false);
    expect(quorumShape(['standalone']).ok).toBe(false);
    expect(quorumShape(['leader', undefined, 'follower']).ok).toBe(false);
  });
});
