/** The scenario registry: which vitest file implements a tutorial, on which cluster profile. */
import type { ClusterProfile } from './providers/provider.ts';

export interface ScenarioEntry {
  readonly name: string;
  /** Relative to the repository root. */
  readonly file: string;
  readonly profile: ClusterProfile['name'];
  /** Fixture files (under fixtures/<name>/) the scenario reads; checked before any cluster is created. */
  readonly fixtures: readonly string[];
  readonly summary: string;
}

export const SCENARIOS: readonly ScenarioEntry[] = [
  {
    name: 'statefulset-basics',
    file: 'scenarios/statefulset-basics.e2e.ts',
    profile: 'K2',
    fixtures: ['web.yaml', 'web-parallel.yaml', 'dns-test.yaml'],
    summary: 'S1: nginx web StatefulSet — ordering, identity, DNS, storage, scaling, updates, deletion, Parallel',
  },
];
