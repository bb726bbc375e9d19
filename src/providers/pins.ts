/** Pinned versions and the build cache, mirroring ci/versions.sh (environment overrides both). */
export const PINS = {
  k8s: process.env.K8S_VERSION ?? 'v1.34.4',
  kwok: process.env.KWOK_VERSION ?? 'v0.8.0',
  etcd: process.env.ETCD_VERSION ?? 'v3.6.5',
  kind: process.env.KIND_VERSION ?? 'v0.30.0',
} as const;

export const cacheDir = (): string => process.env.E2E_CACHE ?? '/var/cache/stateful-e2e';
