/**
 * Scenario discovery: every `*.e2e.ts` (or compiled `*.e2e.js`) file under the built-in scenarios directory and
 * under each `--scenarios DIR` is a scenario. Its metadata is declared once, in the file, as
 * `export const scenario = defineScenario({ ... })`, and read here by importing the module while `feature()` is
 * told not to register vitest tests (the CLI process is not a vitest worker).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HarnessError, errorMessage } from './errors.ts';
import { PROFILES, type ClusterProfile } from './providers/provider.ts';

export interface ScenarioMeta {
  /** Equal to the file's base name (`<name>.e2e.ts`): reports and the progress line name scenarios by file. */
  readonly name: string;
  /** The cluster shape it needs (provider.ts PROFILES). */
  readonly profile: ClusterProfile['name'];
  /** Where the tutorial lives, for the report. */
  readonly source: string;
  /** One line for `--list` and the README tables. */
  readonly summary: string;
  /** Files under `<fixtures root>/<fixtureDir>/` it reads; checked before any cluster is created. */
  readonly fixtures: readonly string[];
  /** Sub-directory of the fixtures root (default: the name), when several scenarios share one tutorial. */
  readonly fixtureDir?: string;
  /**
   * Cordons or drains nodes: refused on --provider existing without --allow-disruptive, and run alone in its
   * cluster (src/schedule.ts).
   */
  readonly disruptive?: boolean;
  /**
   * Saturates the machine's cores at times (JVM start-up; catalogue §0.5): runs with no other scenario at the same
   * time, in any cluster.
   */
  readonly heavy?: boolean;
}

/** An assess step as declared, read without running anything. */
export interface DeclaredAssertion {
  readonly id: string;
  /** `[id] title`, the reported test name. */
  readonly name: string;
  /** Earlier assertions of the same scenario whose effects it builds on: selecting it selects them too. */
  readonly after: readonly string[];
}

/** A scenario as the CLI found it. */
export interface DiscoveredScenario extends ScenarioMeta {
  /** Its assess steps in declaration order. */
  readonly assertions: readonly DeclaredAssertion[];
  /** Absolute path of the scenario file. */
  readonly file: string;
  /** Absolute fixtures root: `--fixtures`, else the `fixtures/` directory next to the file or its parent's. */
  readonly fixturesRoot: string;
  /** Found under the harness's own scenarios directory (the tutorials). */
  readonly builtIn: boolean;
}

/** Typed metadata, declared once at the top of a scenario file and handed to `feature()`. */
export const defineScenario = <const T extends ScenarioMeta>(meta: T): T => meta;

const FILE_RE = /\.e2e\.(?:ts|js)$/;
/** Scenario files that run under another name than their own (the generic `--app` check): base name → scenario name. */
const aliases = new Map<string, string>();
/** Reports name the scenario of `file` `name` (set by the CLI for the one scenario file that checks any app). */
export function aliasScenarioFile(file: string, name: string): void {
  aliases.set(path.basename(file), name);
}
/** The scenario name of a file path or vitest module id: its base name without `.e2e.ts` (or its alias). */
export const scenarioNameOf = (file: string): string => aliases.get(path.basename(file)) ?? path.basename(file).replace(FILE_RE, '');

const DISCOVERING = Symbol.for('stateful-e2e.discovering');
/** True while the CLI imports scenario files to read their metadata: `feature()` then registers nothing. */
export const isDiscovering = (): boolean => (globalThis as Record<symbol, unknown>)[DISCOVERING] instanceof Map;
/** Called by `feature()` while discovering: the assess steps a scenario declares. (A global, not a module variable:
 * a user's scenario may load another copy of this module, the installed package's.) */
export function declareAssertions(scenario: string, assertions: readonly DeclaredAssertion[]): void {
  const m = (globalThis as Record<symbol, unknown>)[DISCOVERING];
  if (m instanceof Map) m.set(scenario, assertions);
}

function scenarioFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => FILE_RE.test(f) && !f.split(path.sep).includes('node_modules'))
    .map((f) => path.join(dir, f))
    .sort();
}

function nearestFixtures(file: string): string | undefined {
  for (const d of [path.dirname(file), path.dirname(path.dirname(file))]) {
    const f = path.join(d, 'fixtures');
    if (existsSync(f) && statSync(f).isDirectory()) return f;
  }
  return undefined;
}

function checkMeta(file: string, m: unknown): ScenarioMeta {
  const where = `scenario ${file}`;
  if (!m || typeof m !== 'object')
    throw new HarnessError(`${where}: no \`export const scenario = defineScenario({ name, profile, source, summary, fixtures })\``);
  const o = m as Record<string, unknown>;
  const str = (k: string): void => {
    if (typeof o[k] !== 'string' || !o[k]) throw new HarnessError(`${where}: scenario.${k} must be a non-empty string`);
  };
  for (const k of ['name', 'profile', 'source', 'summary']) str(k);
  if (o.name !== scenarioNameOf(file))
    throw new HarnessError(`${where}: scenario.name is '${String(o.name)}' but the file is named ${path.basename(file)}; they must match`);
  if (!Object.hasOwn(PROFILES, o.profile as string))
    throw new HarnessError(`${where}: unknown profile '${String(o.profile)}' (known: ${Object.keys(PROFILES).join(', ')})`);
  if (!Array.isArray(o.fixtures) || o.fixtures.some((f) => typeof f !== 'string' || !f))
    throw new HarnessError(`${where}: scenario.fixtures must be a list of file names`);
  if (o.fixtureDir !== undefined) str('fixtureDir');
  for (const k of ['disruptive', 'heavy'])
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new HarnessError(`${where}: scenario.${k} must be true or false`);
  return o as unknown as ScenarioMeta;
}

/**
 * Finds and loads every scenario under builtInDir and the user's dirs. Names must be unique across all of them.
 * fixturesOverride (--fixtures) replaces every scenario's fixtures root.
 */
export async function discoverScenarios(builtInDir: string, userDirs: readonly string[], fixturesOverride?: string): Promise<DiscoveredScenario[]> {
  const dirs: { dir: string; builtIn: boolean }[] = [];
  if (existsSync(builtInDir)) dirs.push({ dir: builtInDir, builtIn: true });
  for (const d of userDirs) {
    const abs = path.resolve(d);
    if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new HarnessError(`--scenarios: no such directory: ${abs}`);
    if (abs !== builtInDir) dirs.push({ dir: abs, builtIn: false });
  }
  const found: DiscoveredScenario[] = [];
  const g = globalThis as Record<symbol, unknown>;
  const declared = new Map<string, readonly DeclaredAssertion[]>();
  g[DISCOVERING] = declared;
  try {
    for (const { dir, builtIn } of dirs) {
      const files = scenarioFiles(dir);
      if (!builtIn && files.length === 0) throw new HarnessError(`--scenarios ${dir}: no *.e2e.ts (or compiled *.e2e.js) files in it`);
      for (const file of files) {
        let mod: { scenario?: unknown };
        try {
          mod = (await import(pathToFileURL(file).href)) as { scenario?: unknown };
        } catch (err) {
          throw new HarnessError(`scenario ${file}: cannot be loaded: ${errorMessage(err).split('\n')[0]}`);
        }
        const meta = checkMeta(file, mod.scenario);
        const twin = found.find((s) => s.name === meta.name);
        if (twin) throw new HarnessError(`scenario name '${meta.name}' is used twice: ${twin.file} and ${file}`);
        const fixturesRoot = fixturesOverride ?? nearestFixtures(file);
        if (!fixturesRoot && meta.fixtures.length > 0)
          throw new HarnessError(`scenario ${file}: no fixtures/ directory next to it or its parent (or give --fixtures DIR)`);
        const assertions = declared.get(meta.name) ?? [];
        for (const a of assertions) {
          const bad = a.after.find((x) => !assertions.some((b) => b.id === x) || assertions.findIndex((b) => b.id === x) >= assertions.indexOf(a));
          if (bad) throw new HarnessError(`scenario ${file}: [${a.id}] is declared after '${bad}', which is no earlier assertion of ${meta.name}`);
        }
        found.push({ ...meta, assertions, file, fixturesRoot: fixturesRoot ?? path.dirname(file), builtIn });
      }
    }
  } finally {
    delete g[DISCOVERING];
  }
  return found;
}

/** Where a scenario's fixture file lives. */
export const fixturePath = (s: Pick<DiscoveredScenario, 'name' | 'fixtureDir' | 'fixturesRoot'>, file: string): string =>
  path.join(s.fixturesRoot, s.fixtureDir ?? s.name, file);

/** The IDs plus every assertion they are declared `after`, transitively. */
export function withPreconditions(s: Pick<DiscoveredScenario, 'assertions'>, ids: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const visit = (id: string): void => {
    if (out.has(id)) return;
    out.add(id);
    for (const x of s.assertions.find((a) => a.id === id)?.after ?? []) visit(x);
  };
  for (const id of ids) visit(id);
  return out;
}
