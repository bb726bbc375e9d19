/**
 * The providers' front door: which provider a run uses, and who undoes which journal entry. Each entry type is
 * undone by the module that creates what it stands for; this file only collects them, so that the journal
 * (src/journal.ts), which knows none of them, can be handed one `undo` for every type.
 */
import { rmSync } from 'node:fs';
import type { JournalEntry, Undoer } from '../journal.ts';
import type { ClusterProvider, ProviderModule, ProviderOptions } from './provider.ts';
import { kind } from './kind/index.ts';
import { kwok } from './kwok/index.ts';
import { existing } from './existing/index.ts';

/** Every provider there is: a new one is a folder beside these and one entry here. */
export const PROVIDERS: readonly ProviderModule[] = [kind, kwok, existing];

export function providerModule(name: string): ProviderModule {
  const m = PROVIDERS.find((p) => p.name === name);
  if (!m) throw new Error(`no provider '${name}' (known: ${PROVIDERS.map((p) => p.name).join(', ')})`);
  return m;
}

export const providerFor = (opts: ProviderOptions & { readonly provider: string }, root: string): ClusterProvider =>
  providerModule(opts.provider).make(opts, root);

/** Journal entry of a run's work directory (CreateClusterOptions.workDir): the runner creates it for every provider. */
export type WorkdirEntry = { readonly type: 'workdir'; readonly path: string };

const workdirUndoer: Undoer<WorkdirEntry> = {
  type: 'workdir',
  async undo(entry) {
    rmSync(entry.path, { recursive: true, force: true });
  },
};

/** Every journal entry type there is, and its Undoer. The `type` strings are on disk: they never change. */
export const UNDOERS: ReadonlyMap<string, Undoer> = new Map([workdirUndoer, ...PROVIDERS.flatMap((p) => p.undoers)].map((u): [string, Undoer] => [u.type, u]));

/** Undoes one journal entry (idempotent) through the Undoer of its type. */
export async function undo(entry: JournalEntry): Promise<void> {
  const undoer = UNDOERS.get(entry.type);
  if (!undoer) throw new Error(`no undo for journal entry type '${entry.type}' (written by another version of the harness?)`);
  await undoer.undo(entry);
}

/** The provider's failure logs beyond the API (kind: `kind export logs`), if it has any; a message when that failed. */
export async function exportLogs(provider: string, clusterName: string, dir: string, timeoutMs: number): Promise<string | undefined> {
  return PROVIDERS.find((p) => p.name === provider)?.exportLogs?.(clusterName, dir, timeoutMs);
}

/** Whether the provider keeps logs of its own that diagnostics should export. */
export const hasLogs = (provider: string): boolean => PROVIDERS.find((p) => p.name === provider)?.exportLogs !== undefined;
