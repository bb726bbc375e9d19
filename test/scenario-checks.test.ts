import { describe, expect, it } from 'vitest';
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { srvPerReadyPod } from '../src/kube/statefulset.ts';
import { requireHostId } from '../src/apps/cassandra.ts';
import { pdbSettled } from '../src/apps/zookeeper.ts';
import { parseNodetoolInfo } from '../src/parsers/cassandra.ts';

describe('srvPerReadyPod (S1 [1.6])', () => {
  const domain = 'nginx.ns1.svc.cluster.local';
  const expected = ['web-0', 'web-1'];
  const dig = `0 50 80 web-0.${domain}.\n0 50 80 web-1.${domain}.\n`;

  it('fails on an empty answer while no pod is Ready, which the old comparison (empty = empty) accepted', () => {
    const ready: string[] = [];
    expect([].sort()).toEqual(ready.sort()); // the old [1.6] check: SRV targets == Ready pods
    const v = srvPerReadyPod('', { domain, port: 80, ready, expected });
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/the Ready pods are \[\], expected exactly \[web-0, web-1\]/);
  });
  it('fails when only some of the catalogue pods are Ready, even if the answer matches them', () => {
    expect(srvPerReadyPod(`0 50 80 web-0.${domain}.\n`, { domain, port: 80, ready: ['web-0'], expected }).ok).toBe(false);
  });
  it('fails without an expected set', () => {
    expect(srvPerReadyPod('', { domain, port: 80, ready: [], expected: [] }).reason).toMatch(/empty SRV answer would match an empty Ready set/);
  });
  it('passes with one record per Ready pod, in any order', () => {
    expect(srvPerReadyPod(dig, { domain, port: 80, ready: ['web-1', 'web-0'], expected }).ok).toBe(true);
  });
  it('fails on a missing, duplicate or foreign record and on an unexpected line or port', () => {
    expect(srvPerReadyPod(`0 50 80 web-0.${domain}.\n`, { domain, port: 80, ready: expected, expected }).ok).toBe(false);
    expect(srvPerReadyPod(`${dig}0 50 80 web-0.${domain}.\n`, { domain, port: 80, ready: expected, expected }).ok).toBe(false);
    expect(srvPerReadyPod(`${dig}0 50 80 web-2.${domain}.\n`, { domain, port: 80, ready: expected, expected }).ok).toBe(false);
    expect(srvPerReadyPod(`;; connection timed out\n`, { domain, port: 80, ready: expected, expected }).reason).toMatch(/unexpected SRV line/);
    expect(srvPerReadyPod(dig.replaceAll(' 80 ', ' 81 '), { domain, port: 80, ready: expected, expected }).ok).toBe(false);
  });
});

describe('requireHostId (S3 [3.9])', () => {
  it('throws when nodetool info shows no ID, where the old check compared undefined with undefined', () => {
    const before = parseNodetoolInfo('nodetool: Failed to connect to 127.0.0.1:7199\n');
    const after = parseNodetoolInfo('Gossip active : true\n');
    expect(after.id).toBe(before.id); // the old [3.9] check: expect(after.id).toBe(before.id) passed
    expect(() => requireHostId(before, 'cassandra-1')).toThrow(/nodetool info on cassandra-1 shows no Host ID \(ID: missing\)/);
  });
  it('throws on an ID that is not a Host ID (UUID)', () => {
    expect(() => requireHostId({ id: '?' }, 'cassandra-1')).toThrow(/no Host ID \(ID: \?\)/);
  });
  it('returns the Host ID', () => {
    const info = parseNodetoolInfo('ID                     : e2dd09e6-d9d3-477e-96c5-45094c08db0f\nGossip active          : true\n');
    expect(requireHostId(info, 'cassandra-1')).toBe('e2dd09e6-d9d3-477e-96c5-45094c08db0f');
  });
});

describe('pdbSettled (S4 [4.21] [4.22] pdbSettles)', () => {
  const pdb = (allowed: number): V1PodDisruptionBudget => ({
    metadata: { name: 'zk-pdb' },
    status: { disruptionsAllowed: allowed, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 },
  });
  it('fails saying the PDB is missing, where pdbSettles used to return as if settled', () => {
    const v = pdbSettled(undefined, 'zk-pdb', 1);
    expect(v.ok).toBe(false);
    expect(v.reason).toBe('PodDisruptionBudget zk-pdb does not exist, so disruptionsAllowed cannot be 1');
  });
  it('is settled only at the expected value', () => {
    expect(pdbSettled(pdb(1), 'zk-pdb', 1).ok).toBe(true);
    expect(pdbSettled(pdb(1), 'zk-pdb', 0)).toEqual({ ok: false, reason: 'zk-pdb disruptionsAllowed=1 (healthy 3/3), expected 0' });
  });
});
