/**
 * API clients for one cluster, built from a kubeconfig file owned by the run (never ~/.kube/config).
 */
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  PolicyV1Api,
  StorageV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';

export interface Kube {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly policy: PolicyV1Api;
  readonly storage: StorageV1Api;
  readonly objects: KubernetesObjectApi;
}

export function connect(kubeconfigPath: string): Kube {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    policy: kc.makeApiClient(PolicyV1Api),
    storage: kc.makeApiClient(StorageV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

/** Request options that send a patch with the given Content-Type (client-node defaults to JSON patch). */
export const patchAs = (strategy: PatchStrategy) => setHeaderOptions('Content-Type', strategy);
export const MERGE = patchAs(PatchStrategy.MergePatch);
export const STRATEGIC = patchAs(PatchStrategy.StrategicMergePatch);
export const JSON_PATCH = patchAs(PatchStrategy.JsonPatch);

export function statusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** The API's own message (e.g. "Cannot evict pod as it would violate the pod's disruption budget."). */
export function apiMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = err.body;
    if (typeof body === 'string') {
      try {
        const parsed = JSON.parse(body) as { message?: string };
        if (parsed.message) return parsed.message;
      } catch {
        return body.slice(0, 300);
      }
    } else if (body && typeof body === 'object' && 'message' in body) {
      return String((body as { message: unknown }).message);
    }
    return `HTTP ${err.code}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Runs `fn`, treating 404 as done (idempotent deletes). */
export async function ignoreNotFound<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (statusCode(err) === 404) return undefined;
    throw err;
  }
}
