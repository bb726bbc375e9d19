import { describe, expect, it } from 'vitest';
import type { V1Endpoint, V1EndpointSlice } from '@kubernetes/client-node';
import { endpointsArePods, singleReadyEndpoint } from '../src/kube/endpoints.ts';

const ep = (pod: string | undefined, ready: boolean | undefined, address = '10.0.0.1'): V1Endpoint => ({
  addresses: [address],
  ...(pod ? { targetRef: { kind: 'Pod', name: pod } } : {}),
  ...(ready === undefined ? {} : { conditions: { ready } }),
});
const slice = (endpoints: V1Endpoint[], service = 'wordpress', ports = [80], name = `${service}-abcde`): V1EndpointSlice => ({
  addressType: 'IPv4',
  metadata: { name, labels: { 'kubernetes.io/service-name': service } },
  endpoints,
  ports: ports.map((port) => ({ port, protocol: 'TCP' })),
});

describe('singleReadyEndpoint (S2 [2.6])', () => {
  it('picks the one ready pod and the port the Service routes to', () => {
    expect(singleReadyEndpoint([slice([ep('wordpress-7d9-x', true)])], 'wordpress')).toEqual({ ok: true, pod: 'wordpress-7d9-x', port: 80 });
  });
  it('ignores not-ready endpoints and the slices of other Services', () => {
    const slices = [slice([ep('wordpress-old', false), ep('wordpress-new', true)]), slice([ep('wordpress-mysql-1', true)], 'wordpress-mysql', [3306])];
    expect(singleReadyEndpoint(slices, 'wordpress')).toEqual({ ok: true, pod: 'wordpress-new', port: 80 });
  });
  it('counts a pod listed in two slices (one per address family) once', () => {
    const slices = [slice([ep('wp', true)]), { ...slice([ep('wp', true, 'fd00::1')], 'wordpress', [80], 'wordpress-v6'), addressType: 'IPv6' }];
    expect(singleReadyEndpoint(slices, 'wordpress')).toEqual({ ok: true, pod: 'wp', port: 80 });
  });
  it('takes a missing ready condition as ready, as the API does', () => {
    expect(singleReadyEndpoint([slice([ep('wp', undefined)])], 'wordpress')).toMatchObject({ ok: true, pod: 'wp' });
  });
  it('fails with no slice, no endpoint or only not-ready ones, saying what it saw', () => {
    expect(singleReadyEndpoint([], 'wordpress')).toEqual({
      ok: false,
      reason: 'svc/wordpress has 0 ready pods, expected exactly one: ready [], not ready [] in 0 EndpointSlice(s)',
    });
    expect(singleReadyEndpoint([slice([])], 'wordpress').ok).toBe(false);
    expect(singleReadyEndpoint([slice([ep('wp', false)])], 'wordpress')).toMatchObject({ ok: false, reason: expect.stringContaining('not ready [wp]') });
  });
  it('fails with two ready pods: the Service would not reach one known pod', () => {
    expect(singleReadyEndpoint([slice([ep('wp-a', true), ep('wp-b', true, '10.0.0.2')])], 'wordpress')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('has 2 ready pods'),
    });
  });
  it('fails on a ready address that is not a pod', () => {
    expect(singleReadyEndpoint([slice([ep('wp', true), ep(undefined, true, '192.0.2.9')])], 'wordpress')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not pods: 192.0.2.9'),
    });
  });
  it('fails unless exactly one port is routed', () => {
    expect(singleReadyEndpoint([slice([ep('wp', true)], 'wordpress', [])], 'wordpress')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('0 ports'),
    });
    expect(singleReadyEndpoint([slice([ep('wp', true)], 'wordpress', [80, 443])], 'wordpress')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('2 ports [80, 443]'),
    });
  });
});

describe('endpointsArePods', () => {
  const ep = (ip: string, pod: string, ready = true): V1Endpoint => ({ addresses: [ip], conditions: { ready }, targetRef: { kind: 'Pod', name: pod } });
  const hz = (endpoints: V1Endpoint[], ports = [5701]) => slice(endpoints, 'hazelcast', ports);
  const pods = [
    { name: 'hazelcast-a', ip: '10.0.0.1' },
    { name: 'hazelcast-b', ip: '10.0.0.2' },
  ];

  it('holds when the ready addresses are exactly the pods, on the one port', () => {
    expect(endpointsArePods([hz([ep('10.0.0.1', 'hazelcast-a'), ep('10.0.0.2', 'hazelcast-b')])], 'hazelcast', pods, 5701).ok).toBe(true);
    // a not-ready address is listed, not counted
    expect(
      endpointsArePods([hz([ep('10.0.0.1', 'hazelcast-a'), ep('10.0.0.2', 'hazelcast-b'), ep('10.0.0.3', 'hazelcast-c', false)])], 'hazelcast', pods, 5701).ok,
    ).toBe(true);
  });

  it('fails on a missing or extra pod, a wrong target, another port, or another service', () => {
    expect(endpointsArePods([hz([ep('10.0.0.1', 'hazelcast-a')])], 'hazelcast', pods, 5701).ok).toBe(false);
    const extra = endpointsArePods([hz([ep('10.0.0.1', 'hazelcast-a'), ep('10.0.0.2', 'hazelcast-b'), ep('10.0.0.9', 'other')])], 'hazelcast', pods, 5701);
    expect(extra.ok).toBe(false);
    expect(extra.reason).toContain('10.0.0.9 (Pod/other)');
    expect(endpointsArePods([hz([ep('10.0.0.1', 'hazelcast-b'), ep('10.0.0.2', 'hazelcast-a')])], 'hazelcast', pods, 5701).ok).toBe(false);
    expect(endpointsArePods([hz([ep('10.0.0.1', 'hazelcast-a'), ep('10.0.0.2', 'hazelcast-b')], [5702])], 'hazelcast', pods, 5701).ok).toBe(false);
    expect(endpointsArePods([slice([ep('10.0.0.1', 'hazelcast-a'), ep('10.0.0.2', 'hazelcast-b')], 'other', [5701])], 'hazelcast', pods, 5701).ok).toBe(false);
  });
});
