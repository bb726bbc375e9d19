/** Pinned versions and the build cache, mirroring ci/versions.sh (environment overrides both). */
export const PINS = {
  k8s: process.env.K8S_VERSION ?? 'v1.34.4',
  kwok: process.env.KWOK_VERSION ?? 'v0.8.0',
  etcd: process.env.ETCD_VERSION ?? 'v3.6.5',
  kind: process.env.KIND_VERSION ?? 'v0.30.0',
  /** helm renders `--app CHART` (ci/build-helm.sh). */
  helm: process.env.HELM_VERSION ?? 'v4.3.2',
} as const;

export const cacheDir = (env: Readonly<Record<string, string | undefined>> = process.env): string => env.E2E_CACHE ?? '/var/cache/stateful-e2e';
