import { describe, expect, it } from 'vitest';
import { parseNodetoolInfo, parseNodetoolStatus } from '../src/parsers/cassandra.ts';

// Shape of the tutorial's output (seeds/002 L1428-1435), plus the states a broken ring shows.
const TWO_DCS = `Datacenter: DC1-K8Demo
======================
Status=Up/Down
|/ State=Normal/Leaving/Joining/Moving
--  Address     Load        Tokens       Owns (effective)  Host ID                               Rack
UN  172.17.0.5  83.57 KiB   32           74.0%             e2dd09e6-d9d3-477e-96c5-45094c08db0f  Rack1-K8Demo
UN  172.17.0.4  101.04 KiB  32           58.8%             f89d6835-3a42-4419-92b3-0e62cae1479c  Rack1-K8Demo
DN  172.17.0.6  ?           32           67.2%             a6a1e8c2-3dc5-4417-b1a0-26507af2aaad  Rack1-K8Demo
UJ  172.17.0.7  21.1 KiB    32           ?                 1b6a2c1e-8f6a-4a6e-9d8e-2c1f0e9b7a11  Rack1-K8Demo

Datacenter: DC2
===============
Status=Up/Down
|/ State=Normal/Leaving/Joining/Moving
--  Address     Load        Tokens       Owns (effective)  Host ID                               Rack
UL  10.0.0.9    1.2 MiB     16           12.5%             0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b  r2
`;

describe('parseNodetoolStatus', () => {
  const ring = parseNodetoolStatus(TWO_DCS);
  it('reads every node line with its datacenter', () => {
    expect(ring.map((n) => `${n.state} ${n.address} ${n.datacenter}`)).toEqual([
      'UN 172.17.0.5 DC1-K8Demo',
      'UN 172.17.0.4 DC1-K8Demo',
      'DN 172.17.0.6 DC1-K8Demo',
      'UJ 172.17.0.7 DC1-K8Demo',
      'UL 10.0.0.9 DC2',
    ]);
  });
  it('keeps two-field loads, tokens, owns, host id and rack', () => {
    expect(ring[1]).toMatchObject({ load: '101.04 KiB', tokens: 32, owns: '58.8%', hostId: 'f89d6835-3a42-4419-92b3-0e62cae1479c', rack: 'Rack1-K8Demo' });
    expect(ring[2]).toMatchObject({ load: '?', tokens: 32 });
    expect(ring[3]).toMatchObject({ owns: '?' });
  });
  it('counts UN nodes as the tutorial does', () => {
    expect(ring.filter((n) => n.state === 'UN')).toHaveLength(2);
  });
  it('ignores headers and noise', () => {
    expect(parseNodetoolStatus('nodetool: Failed to connect to 127.0.0.1:7199\n')).toEqual([]);
  });
});

describe('parseNodetoolInfo', () => {
  it('reads host id and heap', () => {
    const info = parseNodetoolInfo(`ID                     : e2dd09e6-d9d3-477e-96c5-45094c08db0f
Gossip active          : true
Load                   : 83.57 KiB
Heap Memory (MB)       : 101.45 / 494.94
Data Center            : DC1-K8Demo
Rack                   : Rack1-K8Demo
`);
    expect(info).toEqual({ id: 'e2dd09e6-d9d3-477e-96c5-45094c08db0f', heapUsedMb: 101.45, heapMaxMb: 494.94, datacenter: 'DC1-K8Demo', rack: 'Rack1-K8Demo' });
  });
});
