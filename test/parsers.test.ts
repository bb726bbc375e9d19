import { describe, expect, it } from 'vitest';
import { nslookupAddress } from '../src/parsers/nslookup.ts';

describe('nslookupAddress (busybox 1.28)', () => {
  const out = [
    'Server:    10.0.0.10',
    'Address 1: 10.0.0.10 kube-dns.kube-system.svc.cluster.local',
    '',
    'Name:      web-0.nginx',
    'Address 1: 10.244.1.6 web-0.nginx.default.svc.cluster.local',
  ].join('\n');
  it('takes the address after the Name line, not the server address', () => {
    expect(nslookupAddress(out, 'web-0.nginx')).toBe('10.244.1.6');
  });
  it('returns undefined when the name did not resolve', () => {
    expect(nslookupAddress("Server: 10.0.0.10\nAddress 1: 10.0.0.10\n\nnslookup: can't resolve 'web-0.nginx'", 'web-0.nginx')).toBeUndefined();
  });
});
