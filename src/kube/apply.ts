/**
 * Apply and delete manifests the way `kubectl apply --server-side` does, with strict field validation so an
 * invalid manifest (e.g. `storage: 1Gib`) is an error, not a silent drop.
 */
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { apiMessage, ignoreNotFound, patchAs, type Kube } from './client.ts';

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'CSIDriver',
  'VolumeAttachment',
  'IngressClass',
]);

export const FIELD_MANAGER = 'stateful-e2e';

export function withNamespace(obj: KubernetesObject, namespace: string): KubernetesObject {
  if (CLUSTER_SCOPED.has(obj.kind ?? '')) return obj;
  return { ...obj, metadata: { ...obj.metadata, namespace } };
}

export class ApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApplyError';
  }
}

export async function apply(kube: Kube, objects: readonly KubernetesObject[], namespace: string): Promise<KubernetesObject[]> {
  const applied: KubernetesObject[] = [];
  for (const raw of objects) {
    const obj = withNamespace(raw, namespace);
    try {
      applied.push(await kube.objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
    } catch (err) {
      throw new ApplyError(`apply ${obj.kind}/${obj.metadata?.name}: ${apiMessage(err)}`);
    }
  }
  return applied;
}

export interface DeleteOptions {
  /** 'Foreground' | 'Background' | 'Orphan' (kubectl --cascade=orphan). */
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  readonly gracePeriodSeconds?: number;
}

export async function remove(kube: Kube, obj: KubernetesObject, namespace: string, opts: DeleteOptions = {}): Promise<void> {
  const target = withNamespace(obj, namespace);
  await ignoreNotFound(() => kube.objects.delete(target, undefined, undefined, opts.gracePeriodSeconds, undefined, opts.propagationPolicy));
}

export { patchAs };
