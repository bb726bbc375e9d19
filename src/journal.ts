/**
 * The cleanup journal: every cluster, container, work directory, and (on a cluster the run does not own) the
 * namespaces and cordons a run creates are written down before they exist, in
 * $E2E_STATE_DIR (default ~/.cache/stateful-e2e/runs), and crossed out once torn down. If a run dies (SIGKILL,
 * a crash, a closed terminal), the next run — or `npm run e2e -- --cleanup` — tears down what its journal
 * still lists. Teardown steps are idempotent, so finishing a half-done teardown is safe.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killKwokFromPidsFile } from './providers/kwok.ts';
import { deleteKindCluster, findKind } from './providers/kind.ts';

export type JournalEntry =
  | { readonly type: 'workdir'; readonly path: string }
  | { readonly type: 'kind-cluster'; readonly name: string }
  | { readonly type: 'kwok-cluster'; readonly pidsFile: string }
  /** A container the run started itself (the kind image registry, src/providers/kind-registry.ts). */
  | { readonly type: 'docker-container'; readonly name: string }
  /** Namespaces and cordons of the run in a cluster that is not deleted with it (--provider existing). */
  | { readonly type: 'cluster-objects'; readonly kubeconfig: string; readonly runId: string };

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

  add(entry: JournalEntry): void {
    this.data.entries.push(entry);
    this.flush();
  }

  done(entry: JournalEntry): void {
    this.data.entries = this.data.entries.filter((e) => !same(e, entry));
    this.flush();
  }

  /** What --keep leaves standing moves to a journal of its own, which only `--cleanup` tears down. */
  keep(entries: readonly JournalEntry[]): void {
    if (entries.length === 0) return;
    const kept: JournalFile = { runId: `${this.data.runId}-kept`, pid: process.pid, startedAt: this.data.startedAt, kept: true, entries: [...entries] };
    writeFileSync(path.join(stateDir(), `${kept.runId}-${Date.now().toString(36)}.json`), JSON.stringify(kept, null, 1));
    for (const e of entries) this.done(e);
  }

  private flush(): void {
    if (this.data.entries.length === 0) rmSync(this.file, { force: true });
    else writeFileSync(this.file, JSON.stringify(this.data, null, 1));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Undoes one entry; idempotent. */
export async function undo(entry: JournalEntry): Promise<void> {
  switch (entry.type) {
    case 'workdir':
      rmSync(entry.path, { recursive: true, force: true });
      return;
    case 'kwok-cluster':
      if (existsSync(entry.pidsFile)) await killKwokFromPidsFile(entry.pidsFile);
      return;
    case 'kind-cluster': {
      const kind = await findKind();
      if (kind) await deleteKindCluster(kind, entry.name);
      return;
    }
    case 'docker-container':
      // `docker rm -f` of a container that is already gone fails harmlessly
      await new Promise<void>((resolve) => execFile('docker', ['rm', '-f', '-v', entry.name], () => resolve()));
      return;
    case 'cluster-objects': {
      const { removeRunObjects } = await import('./kube/run-objects.ts');
      const failed = (await removeRunObjects(entry.kubeconfig, entry.runId)).filter((l) => / failed: /.test(l));
      if (failed.length > 0) throw new Error(failed.join('; '));
      return;
    }
  }
}

/**
 * Tears down what dead runs left behind; returns how many runs were cleaned. Live runs are left alone, and so is
 * what --keep kept unless `kept` (the `--cleanup` command) asks for it.
 */
export async function cleanupLeftovers(log: (line: string) => void, opts: { kept?: boolean } = {}): Promise<number> {
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
    // Clusters before their work directories: the kwok pid file lives in the work directory.
    const ordered = [...data.entries].sort((a, b) => Number(a.type === 'workdir') - Number(b.type === 'workdir'));
    for (const e of ordered) {
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
