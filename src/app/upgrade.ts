/**
 * `--upgrade-to PATH` as far as it is decided before a cluster (docs/app-guarantees.md §A8): what the new version B
 * must keep for A8.2-A8.5 to follow each pod, which checked StatefulSets B's own rollout updates and which get a
 * rollout restart instead, which objects of the first version A the upgrade removes, and whether `helm install` and
 * `helm upgrade` apply exactly what the run would apply itself. The immutable-field check (A8.1) is checkUpgrade in
 * guarantees.ts.
 */
import type { KubernetesObject, V1StatefulSet } from '@kubernetes/client-node';
import { HarnessError } from '../errors.ts';
import type { Deviation } from '../manifests.ts';
import { IMMUTABLE_FIELDS, templateChange } from './guarantees.ts';
import { factsOf, nameOf, statefulSetsOf } from './objects.ts';

/**
 * B must have every checked StatefulSet, with the same replicas and first ordinal: A8.2-A8.5 follow each pod of A
 * through the update. One HarnessError line naming --upgrade-to otherwise.
 */
export function checkUpgradeSets(upgradePath: string, checked: readonly V1StatefulSet[], next: readonly KubernetesObject[]): void {
  const nexts = statefulSetsOf(next);
  for (const a of checked) {
    const b = nexts.find((x) => nameOf(x) === nameOf(a));
    if (!b)
      throw new HarnessError(
        `--upgrade-to ${upgradePath}: no StatefulSet ${nameOf(a)}, which the run checks: the upgrade would delete it, and A8.2-A8.5 follow its pods through the update (leave it out with statefulSets in the profile)`,
      );
    const fa = factsOf(a);
    const fb = factsOf(b);
    const changed =
      fa.replicas !== fb.replicas ? `replicas ${fa.replicas} → ${fb.replicas}` : fa.start !== fb.start ? `ordinals.start ${fa.start} → ${fb.start}` : undefined;
    if (changed)
      throw new HarnessError(
        `--upgrade-to ${upgradePath}: StatefulSet ${fa.name}: ${changed}: A8.2-A8.5 follow each pod through the update, so the new version must keep its pods (scale in a step of its own)`,
      );
  }
}

/** What the upgrade does to one checked StatefulSet. */
export interface SetUpgrade {
  readonly name: string;
  /** The first path where B changes the pod template (B's rollout is the update), or undefined (a rollout restart is). */
  readonly templateChange?: string;
}

/** For each checked StatefulSet (all of them in B: checkUpgradeSets), whether B changes its pod template, and where. */
export function setUpgrades(checked: readonly V1StatefulSet[], next: readonly KubernetesObject[]): SetUpgrade[] {
  const nexts = statefulSetsOf(next);
  return checked.map((a) => {
    const b = nexts.find((x) => nameOf(x) === nameOf(a));
    const at = b ? templateChange(a, b) : undefined;
    return { name: nameOf(a), ...(at !== undefined && { templateChange: at }) };
  });
}

/** How the update of A8.2-A8.5 comes about for one StatefulSet: B's rollout, or a restart because B leaves its pods as they are. */
export const updateText = (u: SetUpgrade, upgradePath: string): string =>
  u.templateChange !== undefined
    ? `the upgrade to ${upgradePath} (it changes the pod template of ${u.name} at ${u.templateChange})`
    : `kubectl rollout restart sts/${u.name} after the upgrade to ${upgradePath}, which leaves the pod template of ${u.name} as it is (so it would replace no pod)`;

/** A8.1's verdict on one StatefulSet, once the pre-check found nothing (prepareApp stops the run otherwise). */
export const comparedText = (u: SetUpgrade, appPath: string, upgradePath: string): string =>
  `StatefulSet ${u.name} in ${appPath} and in ${upgradePath}: no field that cannot change in place changes (${IMMUTABLE_FIELDS.join(', ')} compared before anything was applied); ` +
  (u.templateChange !== undefined
    ? `its pod template changes (${u.templateChange}), so the new version's rollout is the update of A8.2-A8.5`
    : 'its pod template does not change, so A8.2-A8.5 judge a rollout restart after the upgrade');

/** An object's identity across versions: API group (not version), kind and name. */
const identity = (o: KubernetesObject): string => `${(o.apiVersion ?? '').includes('/') ? o.apiVersion!.split('/')[0] : ''}/${o.kind}/${nameOf(o)}`;

/**
 * The objects of A that B no longer has: the upgrade deletes them, as `helm upgrade` does with what a chart stops
 * rendering, so that after it the namespace holds B and nothing else of A.
 */
export const prunedObjects = (current: readonly KubernetesObject[], next: readonly KubernetesObject[]): KubernetesObject[] => {
  const keep = new Set(next.map(identity));
  return current.filter((o) => !keep.has(identity(o)));
};

/**
 * Why `helm install` and `helm upgrade` would not apply exactly the objects the run applies itself, or undefined when
 * they would. `objects` are both charts rendered for the run's namespace, `deviations` what the run's overlays change
 * in them. helm v4's `--post-renderer NAME` names a postrenderer/v1 plugin in $HELM_PLUGINS, not an executable, and
 * the harness writes no such plugin, so the overlays cannot ride along with helm: any overlay, a Namespace (which the
 * run leaves out) or an object in another namespace (helm would put it there, outside what the run deletes) means
 * server-side apply.
 */
export function helmRefusal(objects: readonly KubernetesObject[], deviations: readonly Deviation[], namespace: string): string | undefined {
  const ns = objects.find((o) => o.kind === 'Namespace' && o.apiVersion === 'v1');
  if (ns) return `the chart renders Namespace ${nameOf(ns)}, which the run leaves out (the app runs in the run's own namespace)`;
  const elsewhere = objects.find((o) => o.metadata?.namespace && o.metadata.namespace !== namespace);
  if (elsewhere)
    return `${elsewhere.kind}/${nameOf(elsewhere)} names namespace ${elsewhere.metadata?.namespace}, where helm would install it (outside the run's namespace)`;
  const d = deviations[0];
  if (d)
    return `the run changes what the chart renders (${d.object}: ${d.change}), and helm v4 takes a post-renderer only as a plugin, not an executable, so helm cannot apply that change`;
  return undefined;
}
