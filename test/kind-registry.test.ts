import { describe, expect, it } from 'vitest';
import { hostsToml, mirrorImage, mirrorPrefix, parseImageRef, registriesOf, REFUSE_SERVER } from '../src/providers/kind/registry.ts';
import { parseOptions } from '../src/options.ts';

describe('parseImageRef (docker normalisation, as containerd resolves it)', () => {
  it.each([
    ['busybox:1.28', 'docker.io', 'library/busybox', ':1.28'],
    ['busybox', 'docker.io', 'library/busybox', ':latest'],
    ['library/busybox:1.28', 'docker.io', 'library/busybox', ':1.28'],
    ['bitnami/mysql:8.0', 'docker.io', 'bitnami/mysql', ':8.0'],
    ['index.docker.io/library/mysql:5.6', 'docker.io', 'library/mysql', ':5.6'],
    ['docker.io/wordpress:6.2.1-apache', 'docker.io', 'library/wordpress', ':6.2.1-apache'],
    ['registry.k8s.io/nginx-slim:0.24', 'registry.k8s.io', 'nginx-slim', ':0.24'],
    ['registry.k8s.io/e2e-test-images/jessie-dnsutils:1.7', 'registry.k8s.io', 'e2e-test-images/jessie-dnsutils', ':1.7'],
    ['gcr.io/google-samples/cassandra:v13', 'gcr.io', 'google-samples/cassandra', ':v13'],
    ['localhost/app', 'localhost', 'app', ':latest'],
    ['localhost:5000/team/app:1', 'localhost:5000', 'team/app', ':1'],
    ['quay.io/x/y@sha256:abc', 'quay.io', 'x/y', '@sha256:abc'],
    ['quay.io/x/y:1@sha256:abc', 'quay.io', 'x/y', '@sha256:abc'],
  ])('%s', (image, registry, path, suffix) => {
    expect(parseImageRef(image)).toEqual({ registry, path, suffix });
  });

  it('rejects what is not a reference', () => {
    expect(() => parseImageRef('')).toThrow(/not an image reference/);
    expect(() => parseImageRef('a b')).toThrow(/not an image reference/);
    expect(() => parseImageRef('registry.k8s.io/')).toThrow(/not an image reference/);
  });
});

describe('mirror names', () => {
  it('keeps every upstream registry under its own prefix', () => {
    expect(mirrorImage('busybox:1.28', '127.0.0.1:32768')).toBe('127.0.0.1:32768/docker.io/library/busybox:1.28');
    expect(mirrorImage('registry.k8s.io/nginx-slim:0.21', '127.0.0.1:1')).toBe('127.0.0.1:1/registry.k8s.io/nginx-slim:0.21');
    expect(mirrorImage('localhost:5000/app@sha256:0f', 'r:5000')).toBe('r:5000/localhost_5000/app@sha256:0f');
    expect(mirrorPrefix('Quay.IO')).toBe('quay.io');
  });

  it('lists the registries of an image set once, sorted', () => {
    expect(registriesOf(['registry.k8s.io/nginx-slim:0.24', 'busybox:1.28', 'registry.k8s.io/nginx-slim:0.21', 'gcr.io/a/b:1'])).toEqual([
      'docker.io',
      'gcr.io',
      'registry.k8s.io',
    ]);
  });
});

describe('hostsToml', () => {
  const toml = hostsToml('registry.k8s.io', 'http://se2e-abc-k2-registry:5000');

  it('pulls from the run registry under the registry prefix, then falls through to the refusing server', () => {
    const lines = toml.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual([
      `server = "${REFUSE_SERVER}"`,
      '[host."http://se2e-abc-k2-registry:5000/v2/registry.k8s.io"]',
      '  capabilities = ["pull", "resolve"]',
      '  override_path = true',
    ]);
    expect(REFUSE_SERVER).toBe('http://127.0.0.1:1');
  });

  it('uses the same prefix as the pushed names (docker.io, ports)', () => {
    expect(hostsToml('docker.io', 'http://r:5000')).toContain('[host."http://r:5000/v2/docker.io"]');
    expect(hostsToml('localhost:5000', 'http://r:5000')).toContain('[host."http://r:5000/v2/localhost_5000"]');
  });

  it('refuses input that would break the file', () => {
    expect(() => hostsToml('registry.k8s.io', 'https://r:5000')).toThrow(/http:/);
    expect(() => hostsToml('registry.k8s.io', 'http://r:5000/"x')).toThrow(/http:/);
    expect(() => hostsToml('a"b', 'http://r:5000')).toThrow(/registry host/);
  });
});

describe('--image-load', () => {
  const root = new URL('..', import.meta.url).pathname;
  it('defaults to kind-load and accepts registry', () => {
    expect(parseOptions([], root, {}).imageLoad).toBe('kind-load');
    expect(parseOptions(['--image-load', 'registry'], root, {}).imageLoad).toBe('registry');
  });
  it('rejects other values in one line', () => {
    expect(() => parseOptions(['--image-load', 'ftp'], root, {})).toThrow("--image-load: unknown value 'ftp' (expected kind-load, registry)");
  });
});
