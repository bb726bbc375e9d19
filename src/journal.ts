/**
 * The cleanup journal: every cluster, container, work directory, and (on a cluster the run does not own) the
 * namespaces and cordons a run creates are written down before they exist, in
 * $E2E_STATE_DIR (default ~/.cache/stateful-e2e/runs), and crossed out once torn down. If a run dies (SIGKILL,
 * a crash, a closed terminal), the next run — or `npm run e2e -- --cleanup` — tears down what its journal
 * still lists. Teardown steps are idempotent, so finishing a half-done teardown is safe.
 *
 * The journal only stores entries; it does not know what they stand for. Whoever writes an entry type also says
 * how to undo it (an Undoer: the providers in src/providers/, collected by type in src/providers/index.ts), and
 * cleanupLeftovers() is handed that lookup.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One thing a run creates, as stored on disk (JSON): `type` names the kind of thing, and so who undoes it; the
 * other fields say which one. The entry types are defined by their writers, e.g. `{ type: 'kind-cluster', name }`.
 */
export type JournalEntry = { readonly type: string; readonly [field: string]: string | number | boolean };

/** How to undo the journal entries of one type, defined next to the code that creates what they stand for. */
export interface Undoer<E extends JournalEntry = JournalEntry> {
  /** The entry type it undoes: the `type` written to disk, so it never changes. */
  readonly type: E['type'];
  /** Idempotent: undoing what is already gone, or finishing a half-done teardown, is safe. */
  undo(entry: E): Promise<void>;
}

/** Undoes any entry: looks up the Undoer of its type. */
export type Undo = (entry: JournalEntry) => Promise<void>;

interface JournalFile {
  readonly runId: string;
  readonly pid: number;
  readonly startedAt: string;
  /** Kept on purpose (--keep): only `--cleanup` removes it, never the start of another run. */
  readonly kept?: boolean;
  entries: JournalEntry[];
}

export const stateDir = (): string => process.env.E2E_STATE_DIR ?? path.join(os.homedir(), '.cache', 'stateful-e2e', 'runs');

const same = (a: JournalEntry, b: JournalEntry): boolean => JSON.stringify(a) === JSON.stringify(b);

export class Journal {
  private readonly file: string;
  private readonly data: JournalFile;

  constructor(runId: string) {
    mkdirSync(stateDir(), { recursive: true });
    this.file = path.join(stateDir(), `${runId}.json`);
    this.data = { runId, pid: process.pid, startedAt: new Date().toISOString(), entries: [] };
  }

  /** Before the thing exists. Add entries in the order things are created: a cleanup undoes them in reverse. */
  add(entry: JournalEntry): void {
    this.data.entries.push(entry);
    this.flush();
  }

  done(entry: JournalEntry): void {
    this.data.entries = this.data.entries.filter((e) => !same(e, entry));
    this.flush();
  }

  /** What --keep leaves standing moves to a journal of its own, which only `--cleanup` tears down. */
  /** key: a stable name for what is kept again and again (--reuse), so that its journal is replaced, not added to. */
  keep(entries: readonly JournalEntry[], key?: string): void {
    if (entries.length === 0) return;
    const kept: JournalFile = { runId: `${this.data.runId}-kept`, pid: process.pid, startedAt: this.data.startedAt, kept: true, entries: [...entries] };
    writeAtomically(path.join(stateDir(), `${key ?? `${kept.runId}-${Date.now().toString(36)}`}.json`), JSON.stringify(kept, null, 1));
    for (const e of entries) this.done(e);
  }

  private flush(): void {
    if (this.data.entries.length === 0) rmSync(this.file, { force: true });
    else writeAtomically(this.file, JSON.stringify(this.data, null, 1));
  }
}

/**
 * Another run's cleanup may read this directory at any moment and removes a journal it cannot parse: write to a
 * temporary name (not *.json, so never read) and rename, which replaces the file in one step.
 */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Tears down what dead runs left behind, each entry through `undo`; returns how many runs were cleaned. Live runs
 * are left alone, and so is what --keep kept unless `kept` (the `--cleanup` command) asks for it.
 */
export async function cleanupLeftovers(log: (line: string) => void, undo: Undo, opts: { kept?: boolean } = {}): Promise<number> {
  const dir = stateDir();
  if (!existsSync(dir)) return 0;
  let cleaned = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const file = path.join(dir, name);
    let data: JournalFile;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as JournalFile;
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    if (data.kept ? !opts.kept : data.pid !== process.pid && alive(data.pid)) continue;
    const what = data.kept ? 'kept (--keep)' : 'left';
    log(`cleanup: run ${data.runId} (pid ${data.pid}, started ${data.startedAt}) ${what} ${data.entries.map((e) => e.type).join(', ')}; removing`);
    // Last written, first undone: entries are written in the order things are created, so a cluster goes before
    // the work directory it lives in (the kwok pid file is there).
    for (const e of [...data.entries].reverse()) {
      try {
        await undo(e);
      } catch (err) {
        log(`cleanup: ${e.type} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    rmSync(file, { force: true });
    cleaned++;
  }
  return cleaned;
}

/**
 * Undoes and removes every journal whose file name starts with `prefix`, whether or not its writer still lives: a run
 * tearing down sweeps what its own scenario workers applied (their node faults) before its clusters go or are kept.
 */
export async function undoJournals(prefix: string, log: (line: string) => void, undo: Undo): Promise<void> {
  const dir = stateDir();
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.json'))) {
    const file = path.join(dir, name);
    let data: JournalFile | undefined;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as JournalFile;
    } catch {
      data = undefined;
    }
    for (const e of [...(data?.entries ?? [])].reverse()) {
      try {
        await undo(e);
      } catch (err) {
        log(`cleanup: ${e.type} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    rmSync(file, { force: true });
  }
}

/** The journal file prefix of the node faults that run `runId`'s scenario workers apply in `cluster` (World.nodeFault). */
export const faultJournalPrefix = (runId: string, cluster: string): string => `${runId}-faults-${cluster}-`;
