/** The scenario registry: which vitest file implements a tutorial, on which cluster profile. */
import type { ClusterProfile } from './providers/provider.ts';

export interface ScenarioEntry {
  readonly name: string;
  /** Relative to the repository root. */
  readonly file: string;
  readonly profile: ClusterProfile['name'];
  /** Fixture files (under fixtures/<fixtureDir>/) the scenario reads; checked before any cluster is created. */
  readonly fixtures: readonly string[];
  /** Sub-directory of the fixtures root; the scenario name unless several scenarios share one tutorial. */
  readonly fixtureDir?: string;
  /** Cordons or drains nodes: refused on --provider existing without --allow-disruptive. */
  readonly disruptive?: boolean;
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
  {
    name: 'zookeeper',
    file: 'scenarios/zookeeper.e2e.ts',
    profile: 'K3',
    disruptive: true, // [4.19] cordons a worker
    fixtures: ['zookeeper.yaml', 'dns-test.yaml'],
    summary: 'S4a: ZooKeeper ensemble — identity, quorum, /hello across members, persistence, updates, probes, anti-affinity',
  },
  {
    name: 'zookeeper-maintenance',
    file: 'scenarios/zookeeper-maintenance.e2e.ts',
    profile: 'K4S',
    disruptive: true,
    fixtureDir: 'zookeeper',
    fixtures: ['zookeeper.yaml'],
    summary: 'S4b: ZooKeeper with a PodDisruptionBudget — cordon and drain; the third drain is blocked',
  },
  {
    name: 'cassandra',
    file: 'scenarios/cassandra.e2e.ts',
    profile: 'K3',
    fixtures: ['cassandra.yaml'],
    summary: 'S3: Cassandra ring — ordered bootstrap, every node UN, CQL through a port-forward, scale to 4, PVCs kept',
  },
  {
    name: 'wordpress-mysql',
    file: 'scenarios/wordpress-mysql.e2e.ts',
    profile: 'K2',
    fixtures: ['kustomization.yaml', 'mysql-deployment.yaml', 'wordpress-deployment.yaml'],
    summary: 'S2: WordPress + MySQL with kustomize — generated Secret, PVCs, setup page, data surviving pods, Recreate',
  },
];
