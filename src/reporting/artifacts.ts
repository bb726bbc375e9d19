/**
 * The files a run leaves in its report directory, owned here: their types, their schema version, and the only code
 * that writes or reads them. results.json (every assertion's outcome), timelines/<scenario>.json (every watch event
 * and step with a monotonic offset), ledgers/<scenario>-<name>.json (write ledgers) and junit.xml. Readers accept files without `schema` (written before it).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Deviation } from '../manifests.ts';
import type { TimelineEntry } from '../timeline.ts';
import type { Ledger } from '../ledger/record.ts';
import { junitXml } from './junit.ts';

/** Bumped when a field changes meaning or goes away; added optional fields keep it. */
export const RESULTS_SCHEMA = 1;

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface AssertionResult {
  readonly scenario: string;
  /** Full test name, e.g. "[1.2] pods are created in ordinal order". */
  readonly name: string;
  /** Catalogue ID parsed from the name, e.g. "1.2"; `setup` for a failed setup or teardown step. */
  readonly id: string;
  readonly outcome: Outcome;
  readonly durationMs: number;
  /** Failure message or skip reason. */
  readonly message?: string;
  readonly details?: string;
  readonly provider: string;
  /** Passed on a retry. */
  readonly flaky?: boolean;
  /** What the assertion measured (World.report()), e.g. a ledger's lost writes and longest unavailability in ms. */
  readonly numbers?: Readonly<Record<string, number>>;
}

/** An assertion result with the server version of the cluster it ran on. */
export type VersionedResult = AssertionResult & { readonly k8sVersion?: string };

/** <report-dir>/results.json */
export interface ResultsFile {
  readonly schema?: number;
  readonly runId?: string;
  readonly provider?: string;
  readonly fixturesDir?: string;
  /** Server version per scenario. */
  readonly versions?: Readonly<Record<string, string>>;
  readonly results?: readonly VersionedResult[];
  /** A merged verdict: the report directories it was made from, relative to it. */
  readonly mergedFrom?: readonly string[];
}

/** <report-dir>/timelines/<scenario>.json, written by World at the end of a scenario. */
export interface TimelineFile {
  readonly scenario: string;
  readonly namespace: string;
  readonly startedAt: string;
  readonly deviations: readonly Deviation[];
  readonly entries: readonly TimelineEntry[];
}

export const resultsPath = (dir: string): string => path.join(dir, 'results.json');

export function writeResults(dir: string, data: Omit<ResultsFile, 'schema'>): string {
  mkdirSync(dir, { recursive: true });
  const file = resultsPath(dir);
  writeFileSync(file, JSON.stringify({ schema: RESULTS_SCHEMA, ...data }, null, 1));
  return file;
}

/** The results of dir; throws one line naming the file when it is missing, unreadable or of a newer schema. */
export function readResults(dir: string): ResultsFile {
  const file = resultsPath(dir);
  let data: ResultsFile;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
  } catch (err) {
    throw new Error(`${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${file}: not a results file`);
  if ((data.schema ?? RESULTS_SCHEMA) > RESULTS_SCHEMA) throw new Error(`${file}: schema ${data.schema} is newer than this harness reads (${RESULTS_SCHEMA})`);
  return data;
}

/** readResults, or an empty file when there is none (a run that did not finish). */
export const readResultsIfAny = (dir: string): ResultsFile => (existsSync(resultsPath(dir)) ? readResults(dir) : {});

export function writeTimeline(dir: string, tl: TimelineFile): string {
  const tlDir = path.join(dir, 'timelines');
  mkdirSync(tlDir, { recursive: true });
  const file = path.join(tlDir, `${tl.scenario}.json`);
  writeFileSync(file, JSON.stringify(tl, null, 1));
  return file;
}

export function readTimelines(dir: string): TimelineFile[] {
  const tlDir = path.join(dir, 'timelines');
  return existsSync(tlDir)
    ? readdirSync(tlDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => JSON.parse(readFileSync(path.join(tlDir, f), 'utf8')) as TimelineFile)
    : [];
}

/** <report-dir>/ledgers/<scenario>-<name>.json: a write ledger's whole record (src/ledger/record.ts), as it is. */
export function writeLedger(dir: string, scenario: string, name: string, ledger: Ledger): string {
  const ledgerDir = path.join(dir, 'ledgers');
  mkdirSync(ledgerDir, { recursive: true });
  const file = path.join(ledgerDir, `${scenario}-${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(ledger));
  return file;
}

export function writeJunit(dir: string, results: readonly AssertionResult[], runName: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'junit.xml');
  writeFileSync(file, junitXml(results, runName));
  return file;
}
