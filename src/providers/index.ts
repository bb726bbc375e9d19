/**
 * The providers' front door: which provider a run uses, and who undoes which journal entry. Each entry type is
 * undone by the module that creates what it stands for; this file only collects them, so that the journal
 * (src/journal.ts), which knows none of them, can be handed one `undo` for every type.
 */
import { rmSync } from 'node:fs';
import type { JournalEntry, Undoer } from '../journal.ts';
import type { Options } from '../options.ts';
import type { ClusterProvider } from './provider.ts';
import { kindClusterUndoer, kindProvider } from './kind/index.ts';
import { dockerContainerUndoer } from './kind/registry.ts';
import { kwokClusterUndoer, kwokProvider } from './kwok/index.ts';
import { clusterObjectsUndoer, existingProvider } from './existing/index.ts';

export function providerFor(opts: Options, root: string): ClusterProvider {
  switch (opts.provider) {
    case 'kind':
      return kindProvider(root, opts.k8sVersion, opts.imageLoad);
    case 'kwok':
      return kwokProvider(root);
    case 'existing':
      return existingProvider(opts.kubeconfig!, opts.context);
  }
}

/** Journal entry of a run's work directory (CreateClusterOptions.workDir): the runner creates it for every provider. */
export type WorkdirEntry = { readonly type: 'workdir'; readonly path: string };

const workdirUndoer: Undoer<WorkdirEntry> = {
  type: 'workdir',
  async undo(entry) {
    rmSync(entry.path, { recursive: true, force: true });
  },
};

/** Every journal entry type there is, and its Undoer. The `type` strings are on disk: they never change. */
export const UNDOERS: ReadonlyMap<string, Undoer> = new Map(
  [workdirUndoer, kindClusterUndoer, dockerContainerUndoer, kwokClusterUndoer, clusterObjectsUndoer].map((u): [string, Undoer] => [u.type, u]),
);

/** Undoes one journal entry (idempotent) through the Undoer of its type. */
export async function undo(entry: JournalEntry): Promise<void> {
  const undoer = UNDOERS.get(entry.type);
  if (!undoer) throw new Error(`no undo for journal entry type '${entry.type}' (written by another version of the harness?)`);
  await undoer.undo(entry);
}
