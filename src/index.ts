/**
 * The public API of `stateful-e2e`: what a scenario file imports. Everything not exported here is internal and
 * may change. A scenario is a `*.e2e.ts` file that declares its metadata once and its steps in tutorial order:
 *
 *   export const scenario = defineScenario({ name: 'my-app', profile: 'K2', source: '…', summary: '…', fixtures: ['app.yaml'] });
 *   feature(scenario, (f) => { f.setup(…); f.assess('1', '…', { timeout: 60 }, async (w) => { … }); });
 */
// The DSL: feature, its steps and the world a step gets.
export { defineScenario, feature, World, type AssessOptions, type Feature, type ScenarioMeta } from './scenario.ts';
// What a World is made of (w.session, w.recorder), for helpers that need only one part.
export type { NamespaceSession } from './namespace-session.ts';
export type { Recorder, Shortfall } from './recorder.ts';
// Kubernetes operations (each takes a client and an object or name, or a narrow context, not the whole test).
export type { AppContext, NamespaceContext, PodsContext, SetContext } from './kube/context.ts';
export { connect, apiMessage, statusCode, ignoreNotFound, MERGE, STRATEGIC, JSON_PATCH, type Kube } from './kube/client.ts';
export { apply, remove, withNamespace, ApplyError, type DeleteOptions } from './kube/apply.ts';
export { ResourceWatch, ChangeBus, WaitTimeout, isPodReady, summarizePod, podEvents, type WatchSpec, type ObservedEvent } from './kube/watch.ts';
export { exec, type ExecResult } from './kube/exec.ts';
export { portForward, type Forward } from './kube/port-forward.ts';
export { cordon, uncordon, drain, planDrain, TUTORIAL_DRAIN, type DrainFlags, type DrainPlan, type DrainResult } from './kube/drain.ts';
export { labelNode, unlabelNode, unlabelAll } from './kube/node-labels.ts';
export {
  matches,
  selectorText,
  labelledPods,
  livePods,
  describeLabelled,
  waitLabelledReady,
  waitNoLabelledPods,
  type MatchLabels,
} from './kube/labelled-pods.ts';
export { scaleRc } from './kube/replication-controller.ts';
export {
  podName,
  podNames,
  setPods,
  runningReady,
  describePods,
  whyNotRunning,
  waitRunningAndReady,
  waitSetReady,
  waitNoPods,
  scale,
  mergePatch,
  setImage,
  rolloutDone,
  waitRollout,
  imageOf,
} from './kube/statefulset.ts';
export { eventually } from './eventually.ts';
// Ordering predicates over recorded pod events (pure; each returns a Verdict with the reason when it fails).
export {
  orderedCreate,
  orderedTerminate,
  orderedReplace,
  concurrent,
  minReady,
  eventsMatching,
  firstAdded,
  firstDeletion,
  firstDeleted,
  isRunningReady,
  addedWhileReady,
  runningBeforeReady,
  restartedInPlace,
  holds,
  podReplaced,
  podsReplaced,
  type PodEvent,
  type Verdict,
  type WatchEventType,
} from './ordering.ts';
// Your own app (`--app`): its profile, what it is, and which guarantee of docs/app-guarantees.md applies to it and why.
export { loadProfile, parseProfile, type AppProfile, type Datum } from './app/profile.ts';
// Any app's datum (an exec command pair, or an adapter: zookeeper, cql, redis, mysql, http) as a ledger Adapter.
export { datumLedgerAdapter } from './app/datum.ts';
export { GUARANTEES, planGuarantees, formatCheck, type GuaranteeCheck } from './app/guarantees.ts';
export { prepareApp, type PreparedApp, type AppArgs } from './app/prepare.ts';
// Faults under load (docs/faults.md): the write ledger, its verdicts, and what it records (World.ledger and
// World.nodeFault start them on a scenario's timeline).
export { startLedger, runLedger, ledgerKey, ledgerValue, type Adapter, type LedgerOptions, type LedgerRun } from './ledger/writer.ts';
export {
  ledgerVerdicts,
  checkLostWrites,
  checkStaleReads,
  checkUnavailability,
  checkRecovery,
  checkFailedInFaults,
  lostWrites,
  staleReads,
  unavailability,
  recovery,
  type LedgerVerdict,
  type LedgerVerdicts,
  type LedgerBudgets,
} from './ledger/verdict.ts';
export { LEDGER_SCHEMA, type Ledger, type LedgerOp, type WriteOp, type ReadOp, type FaultWindow } from './ledger/record.ts';
export { failedStretches, ledgerSummary, type FaultData, type FailedStretchData } from './ledger/on-timeline.ts';
// The ledger as scenario steps: a fault under the ledger (<id>.1) and its verdicts as assertions (<id>.2–.5).
export {
  underLedger,
  ledgerAssertions,
  ledgerVerdict,
  membersStayReady,
  gapsAroundFault,
  RecordedLedgers,
  type Quiet,
  type UnderLedgerOptions,
  type LedgerAssertions,
} from './ledger/steps.ts';
// App clients.
export { zkCreate, zkGet, srvr, zkCliGet, zkCliCreate, watchPdbs, zkLedgerAdapter, LEDGER_ZNODE } from './apps/zookeeper.ts';
export { withCql, nodetoolStatus, nodetoolInfo, cqlLedgerAdapter, waitForRing, waitForRingOf, V12_RING, type RingShape } from './apps/cassandra.ts';
// The provider interface (a provider is one folder under src/providers/ plus one line in its list).
export {
  PROFILES,
  ALL_CAPABILITIES,
  type Capability,
  type NodeFault,
  type NodeFaults,
  type Cluster,
  type ClusterProfile,
  type ClusterProvider,
  type CreateClusterOptions,
  type ProviderName,
} from './providers/provider.ts';
export { HarnessError } from './errors.ts';
