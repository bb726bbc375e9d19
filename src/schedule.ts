/**
 * What runs at the same time. Scenarios that do not interfere share a cluster concurrently, a namespace each;
 * clusters of different profiles run side by side. Two kinds of scenario limit that (declared in their metadata):
 * - `disruptive` ones cordon or drain nodes, which every other scenario in the cluster would feel: they run alone
 *   in their cluster, after its other scenarios;
 * - `heavy` ones saturate the machine's cores at times (JVM start-up, catalogue §0.5: S3 runs alone): each gets a
 *   cluster of its own, created while the last others finish, whose scenarios run once nothing else does.
 * Pure: the runner executes the plan; unit tests check it.
 */

export interface Schedulable {
  readonly name: string;
  readonly profile: string;
  readonly disruptive?: boolean;
  readonly heavy?: boolean;
}

/**
 * One cluster of a run: its scenarios in batches, one batch after the other. The scenarios of a batch run
 * concurrently, at most --parallel at once (a pool: the next starts when one ends).
 */
export interface ClusterPlan<T extends Schedulable> {
  readonly profile: string;
  /** 1 for the first cluster of its profile in the run, 2 for the next (a heavy scenario's own), …: names stay unique. */
  readonly part: number;
  readonly batches: readonly (readonly T[])[];
  /** Runs with no other cluster at the same time. */
  readonly alone: boolean;
}

/**
 * Scenarios grouped by profile: the ones that can share a cluster first, then its disruptive ones alone; every
 * heavy scenario in a cluster of its own, after all the others. Clusters start largest first (`size`, e.g. its
 * worker count): the larger profiles hold the longer ensembles, and starting the longest first makes the shortest
 * run (measured on kind: K2's five scenarios take ~330 s at once, K3's ZooKeeper ~650 s).
 */
export function planClusters<T extends Schedulable>(scenarios: readonly T[], size: (profile: string) => number = () => 0): ClusterPlan<T>[] {
  const groups = new Map<string, T[]>();
  for (const s of scenarios) if (!s.heavy) groups.set(s.profile, [...(groups.get(s.profile) ?? []), s]);
  const parts = new Map<string, number>();
  const part = (profile: string): number => {
    const n = (parts.get(profile) ?? 0) + 1;
    parts.set(profile, n);
    return n;
  };
  const plans: ClusterPlan<T>[] = [];
  for (const [profile, list] of groups) {
    const shared = list.filter((s) => !s.disruptive);
    const apart = list.filter((s) => s.disruptive);
    plans.push({ profile, part: part(profile), batches: [...(shared.length > 0 ? [shared] : []), ...apart.map((s) => [s])], alone: false });
  }
  plans.sort((a, b) => size(b.profile) - size(a.profile));
  for (const s of scenarios) if (s.heavy) plans.push({ profile: s.profile, part: part(s.profile), batches: [[s]], alone: true });
  return plans;
}

/**
 * Runs every plan through `run`, at most `clusters` at once. An `alone` plan takes a free slot like any other, so
 * that its cluster is created and loaded while the others finish, but its `turn` resolves only once every plan
 * started before it has settled, and nothing starts beside it; other plans get a `turn` that is already resolved.
 * `turn` is false when the run is stopping or failed meanwhile: the plan then runs no scenario. Stops starting new
 * plans once `stop()` is true (an interrupt), and rejects with the first error after every started plan has
 * settled (each owns a cluster that must be torn down).
 */
export async function runPlans<P extends { readonly alone: boolean }>(
  plans: readonly P[],
  clusters: number,
  run: (plan: P, turn: Promise<boolean>) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  const queue = [...plans];
  const running = new Set<Promise<void>>();
  let aloneRunning = false;
  let failure: { err: unknown } | undefined;
  const limit = Math.max(1, clusters);
  while (queue.length > 0 && !failure && !stop()) {
    if (aloneRunning || running.size >= limit) {
      await Promise.race(running);
      continue;
    }
    const next = queue.shift()!;
    aloneRunning = next.alone;
    const before = next.alone ? [...running] : [];
    const turn = Promise.all(before).then(() => !failure && !stop());
    const p: Promise<void> = run(next, turn)
      .catch((err: unknown) => {
        failure ??= { err };
      })
      .finally(() => {
        running.delete(p);
        if (next.alone) aloneRunning = false;
      });
    running.add(p);
  }
  await Promise.all(running);
  if (failure) throw failure.err;
}
