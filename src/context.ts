/**
 * What the CLI hands to the scenario files it runs through vitest: one JSON document in E2E_CONTEXT.
 * Scenario files run in a vitest worker, so process.env is the channel.
 */
import type { Capability, ProviderName } from './providers/provider.ts';
import { HarnessError } from './errors.ts';

export type KeepPolicy = 'never' | 'on-failure' | 'always';

export interface RunContext {
  readonly runId: string;
  readonly provider: ProviderName;
  readonly clusterName: string;
  readonly kubeconfig: string;
  readonly capabilities: readonly Capability[];
  readonly workerNodes: readonly string[];
  /** --fixtures, or the harness's own fixtures/ (reports name it). */
  readonly fixturesDir: string;
  /** Each scenario's fixtures root (discovery.ts): its own fixtures/ unless --fixtures overrides it. */
  readonly fixtureRoots: Readonly<Record<string, string>>;
  readonly reportDir: string;
  readonly imageMap: Readonly<Record<string, string>>;
  readonly keep: KeepPolicy;
  /** Multiplies every catalogue timeout (TIMEOUT_SCALE). */
  readonly timeoutScale: number;
  /**
   * `--app`: the app (absolute path), its profile file if any, a chart's --values and --set, and --upgrade-to with its
   * --upgrade-values and --upgrade-set; the app's scenario renders and plans it again itself, from exactly these.
   */
  readonly app?: {
    readonly path: string;
    readonly profile?: string;
    readonly values?: readonly string[];
    readonly set?: readonly string[];
    readonly upgradeTo?: string;
    readonly upgradeValues?: readonly string[];
    readonly upgradeSet?: readonly string[];
  };
}

export const CONTEXT_ENV = 'E2E_CONTEXT';

export function encodeContext(ctx: RunContext): string {
  return JSON.stringify(ctx);
}

export function runContext(): RunContext {
  const raw = process.env[CONTEXT_ENV];
  if (!raw) throw new HarnessError(`scenario files run through the harness: use \`npm run e2e\` (${CONTEXT_ENV} is not set)`);
  return JSON.parse(raw) as RunContext;
}
