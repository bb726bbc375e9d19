/**
 * Pinned versions and the build cache: the defaults of ci/versions.sh (test/kwok-stages.test.ts checks they agree),
 * which the environment overrides, as it does for the scripts. One place: providers read these.
 */
export const DEFAULT_PINS = {
  K8S_VERSION: 'v1.34.4',
  KWOK_VERSION: 'v0.8.0',
  ETCD_VERSION: 'v3.6.5',
  KIND_VERSION: 'v0.30.0',
  /** helm renders `--app CHART` (ci/build-helm.sh). */
  HELM_VERSION: 'v4.3.2',
  E2E_CACHE: '/var/cache/stateful-e2e',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** A pin: the environment's value if set and not empty, else the default. */
export const pin = (key: keyof typeof DEFAULT_PINS, env: Env = process.env): string => {
  const v = env[key];
  return v !== undefined && v !== '' ? v : DEFAULT_PINS[key];
};

export const PINS = {
  k8s: pin('K8S_VERSION'),
  kwok: pin('KWOK_VERSION'),
  etcd: pin('ETCD_VERSION'),
  kind: pin('KIND_VERSION'),
  helm: pin('HELM_VERSION'),
} as const;

export const cacheDir = (env: Env = process.env): string => pin('E2E_CACHE', env);
