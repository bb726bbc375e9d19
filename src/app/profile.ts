/**
 * The app profile, `stateful-e2e.yaml` beside the app (or `--profile FILE`): which StatefulSets to check, how to
 * write and read a datum, the quorum, and the budgets. Validated by hand, field by field; every error is one line
 * naming the file and the field, e.g. `stateful-e2e.yaml: statefulSets[0]: must be a StatefulSet name, got 'Web'`.
 * Without a profile every API-level guarantee still applies (docs/app-guarantees.md).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseYamlDocuments } from '../manifests.ts';
import { HarnessError } from '../errors.ts';

/** The file name looked for beside the app. */
export const PROFILE_FILE = 'stateful-e2e.yaml';

export const ADAPTERS = ['zookeeper', 'cql', 'redis', 'mysql', 'http'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

/** The port an adapter is port-forwarded to: a number, or the name of a container port. */
export type PortRef = number | string;
/** A key of a Secret in the app's namespace (a password, read at run time, never written to a report). */
export interface SecretRef {
  readonly name: string;
  readonly key: string;
}
export const CQL_CONSISTENCIES = ['ONE', 'QUORUM', 'LOCAL_QUORUM', 'ALL'] as const;

/** Each adapter's options, with their defaults filled in. */
export interface AdapterOptions {
  /** A znode `<path>/<key>` holding the value. */
  zookeeper: { readonly path: string };
  /** A table `<keyspace>.kv (k text PRIMARY KEY, v text)`, created if missing. */
  cql: {
    readonly keyspace: string;
    /** Replication factor of the keyspace when created (default: min(3, replicas)). */
    readonly replicationFactor?: number;
    readonly consistency: (typeof CQL_CONSISTENCIES)[number];
    /** The data center the driver treats as local (default: read from system.local). */
    readonly localDataCenter?: string;
    readonly user?: string;
    readonly passwordSecret?: SecretRef;
  };
  /** SET/GET of the key. */
  redis: { readonly db: number; readonly passwordSecret?: SecretRef };
  /** A table `<database>.kv (k VARCHAR(255) PRIMARY KEY, v TEXT)`, created if missing. */
  mysql: { readonly database: string; readonly user: string; readonly passwordSecret?: SecretRef };
  /** A request per write and per read; the read's body, trimmed, is the value. Paths and body take {key} and {value}. */
  http: { readonly writeMethod: 'PUT' | 'POST'; readonly writePath: string; readonly writeBody: string; readonly readPath: string };
}

/** Default port of each adapter (http has none: it must be given). */
export const ADAPTER_PORTS: Readonly<Record<AdapterName, number | undefined>> = { zookeeper: 2181, cql: 9042, redis: 6379, mysql: 3306, http: undefined };

/**
 * Where a datum lives. `replicated`: written through one member (the lowest Ready ordinal) and readable through
 * every member. `pod`: each pod keeps its own; written and read on the same pod.
 */
export type DatumScope = 'replicated' | 'pod';

export interface ExecDatum {
  readonly kind: 'exec';
  readonly scope: DatumScope;
  /** The container of each pod the commands run in. */
  readonly container: string;
  /** argv with {key} and {value}; exit 0 means written. */
  readonly write: readonly string[];
  /** argv with {key}; exit 0 and the value in its stdout means read. */
  readonly read: readonly string[];
  /** `line`: a line of stdout, trimmed, equals the value (default); `exact`: all of stdout, trimmed, does. */
  readonly match: 'line' | 'exact';
}

export type AdapterDatum = {
  [A in AdapterName]: {
    readonly kind: 'adapter';
    readonly scope: DatumScope;
    readonly adapter: A;
    readonly port: PortRef;
    readonly options: AdapterOptions[A];
  };
}[AdapterName];

export type Datum = ExecDatum | AdapterDatum;

export interface Budgets {
  /** The longest gap, in seconds, during which the datum may be neither written nor read (drain, upgrade). */
  readonly maxUnavailableSeconds: number;
  /** How long, in seconds, the app may take to have every pod Ready and the datum readable again after a disruption. */
  readonly maxRecoverySeconds: number;
}
export const DEFAULT_BUDGETS: Budgets = { maxUnavailableSeconds: 30, maxRecoverySeconds: 300 };

export interface AppProfile {
  /** Where it was read from, for messages (`stateful-e2e.yaml`, or the --profile path). */
  readonly file: string;
  /** The StatefulSets to check; undefined: every StatefulSet of the app. */
  readonly statefulSets?: readonly string[];
  readonly datum?: Datum;
  /** Members that must be up for the app to accept writes: a count, or `majority` (⌊replicas/2⌋+1). */
  readonly quorum?: number | 'majority';
  /** Replicas may lag the member that took a write: reads elsewhere are polled up to maxRecoverySeconds. */
  readonly asyncReplication: boolean;
  readonly budgets: Budgets;
}

/** The profile used when the app has none: every StatefulSet, no datum, default budgets. */
export const emptyProfile = (file = PROFILE_FILE): AppProfile => ({ file, asyncReplication: false, budgets: DEFAULT_BUDGETS });

/** The quorum of a StatefulSet with this many replicas, or undefined when the profile declares none. */
export const quorumFor = (profile: Pick<AppProfile, 'quorum'> | undefined, replicas: number): number | undefined =>
  profile?.quorum === 'majority' ? Math.floor(replicas / 2) + 1 : profile?.quorum;

// ---- the hand-written schema check ----

type Obj = Record<string, unknown>;

class Field {
  private readonly file: string;
  readonly path: string;
  constructor(file: string, path: string) {
    this.file = file;
    this.path = path;
  }
  fail(message: string): never {
    throw new HarnessError(`${this.file}: ${this.path ? `${this.path}: ` : ''}${message}`);
  }
  key(k: string): Field {
    return new Field(this.file, this.path ? `${this.path}.${k}` : k);
  }
  index(i: number): Field {
    return new Field(this.file, `${this.path}[${i}]`);
  }
}

const show = (v: unknown): string => {
  if (typeof v === 'string') return `'${v}'`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
};

function mapping(f: Field, v: unknown, known: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) f.fail(`must be a mapping, got ${show(v)}`);
  const o = v as Obj;
  const unknown = Object.keys(o).find((k) => !known.includes(k));
  if (unknown !== undefined) f.key(unknown).fail(`unknown field (known here: ${known.join(', ')})`);
  return o;
}

function str(f: Field, v: unknown, what = 'a non-empty string'): string {
  if (typeof v !== 'string' || v === '') f.fail(`must be ${what}, got ${show(v)}`);
  return v as string;
}

function int(f: Field, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    f.fail(`must be a whole number${max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` from ${min} to ${max}`}, got ${show(v)}`);
  return v as number;
}

function seconds(f: Field, v: unknown, positive: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (positive && v === 0))
    f.fail(`must be a number of seconds ${positive ? '> 0' : '≥ 0'}, got ${show(v)}`);
  return v as number;
}

function oneOf<T extends string>(f: Field, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) f.fail(`must be one of ${allowed.join(', ')}, got ${show(v)}`);
  return v as T;
}

function bool(f: Field, v: unknown): boolean {
  if (typeof v !== 'boolean') f.fail(`must be true or false, got ${show(v)}`);
  return v as boolean;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function objectName(f: Field, v: unknown, what: string, re: RegExp, max: number): string {
  const s = str(f, v, what);
  if (s.length > max || !re.test(s)) f.fail(`must be ${what} (lowercase letters, digits and '-'), got ${show(s)}`);
  return s;
}

function port(f: Field, v: unknown): PortRef {
  if (typeof v === 'number') return int(f, v, 1, 65535);
  if (typeof v === 'string' && v.length <= 15 && PORT_NAME.test(v) && !v.includes('--')) return v;
  return f.fail(`must be a port number (1-65535) or a container port name, got ${show(v)}`);
}

function secretRef(f: Field, v: unknown): SecretRef {
  const o = mapping(f, v, ['name', 'key']);
  return { name: objectName(f.key('name'), o.name, 'a Secret name', DNS1123_SUBDOMAIN, 253), key: str(f.key('key'), o.key) };
}

/** `{key}`, `{value}` and any other `{word}` not preceded by `$` (so `${HOME}` stays the shell's). */
const placeholders = (s: string): string[] => [...s.matchAll(/(?<!\$)\{([a-z][a-zA-Z0-9]*)\}/g)].map((m) => m[1]!);

function template(f: Field, v: unknown, what = 'a non-empty string'): string {
  const s = str(f, v, what);
  const bad = placeholders(s).find((p) => p !== 'key' && p !== 'value');
  if (bad !== undefined) f.fail(`unknown placeholder {${bad}} (known: {key}, {value})`);
  return s;
}

function argv(f: Field, v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0) f.fail(`must be a non-empty list of strings (the command and its arguments), got ${show(v)}`);
  return (v as unknown[]).map((a, i) => {
    if (typeof a !== 'string') f.index(i).fail(`must be a string, got ${show(a)}`);
    return template(f.index(i), a, 'a string');
  });
}

const uses = (parts: readonly string[], p: 'key' | 'value'): boolean => parts.some((s) => placeholders(s).includes(p));

function execDatum(f: Field, v: unknown, scope: DatumScope): ExecDatum {
  const o = mapping(f, v, ['container', 'write', 'read', 'match']);
  const container = objectName(f.key('container'), o.container, 'a container name', DNS1123_LABEL, 63);
  const write = argv(f.key('write'), o.write);
  const read = argv(f.key('read'), o.read);
  if (!uses(write, 'key') || !uses(write, 'value')) f.key('write').fail('must use both {key} and {value}');
  if (!uses(read, 'key')) f.key('read').fail('must use {key}');
  if (uses(read, 'value')) f.key('read').fail('must not use {value}: the read has to find the value by its key');
  const match = o.match === undefined ? 'line' : oneOf(f.key('match'), o.match, ['line', 'exact'] as const);
  return { kind: 'exec', scope, container, write, read, match };
}

function adapterOptions(f: Field, adapter: AdapterName, v: unknown): AdapterOptions[AdapterName] {
  const raw = v ?? {};
  switch (adapter) {
    case 'zookeeper': {
      const o = mapping(f, raw, ['path']);
      const p = o.path === undefined ? '/stateful-e2e' : str(f.key('path'), o.path);
      if (!/^\/[^/]+(\/[^/]+)*$/.test(p)) f.key('path').fail(`must be an absolute znode path such as /stateful-e2e, got ${show(p)}`);
      return { path: p };
    }
    case 'cql': {
      const o = mapping(f, raw, ['keyspace', 'replicationFactor', 'consistency', 'localDataCenter', 'user', 'passwordSecret']);
      const keyspace = o.keyspace === undefined ? 'stateful_e2e' : str(f.key('keyspace'), o.keyspace);
      if (!IDENTIFIER.test(keyspace)) f.key('keyspace').fail(`must be a CQL identifier (letters, digits, '_'), got ${show(keyspace)}`);
      return {
        keyspace,
        ...(o.replicationFactor !== undefined && { replicationFactor: int(f.key('replicationFactor'), o.replicationFactor, 1) }),
        consistency: o.consistency === undefined ? 'QUORUM' : oneOf(f.key('consistency'), o.consistency, CQL_CONSISTENCIES),
        ...(o.localDataCenter !== undefined && { localDataCenter: str(f.key('localDataCenter'), o.localDataCenter) }),
        ...(o.user !== undefined && { user: str(f.key('user'), o.user) }),
        ...(o.passwordSecret !== undefined && { passwordSecret: secretRef(f.key('passwordSecret'), o.passwordSecret) }),
      };
    }
    case 'redis': {
      const o = mapping(f, raw, ['db', 'passwordSecret']);
      return {
        db: o.db === undefined ? 0 : int(f.key('db'), o.db, 0),
        ...(o.passwordSecret !== undefined && { passwordSecret: secretRef(f.key('passwordSecret'), o.passwordSecret) }),
      };
    }
    case 'mysql': {
      const o = mapping(f, raw, ['database', 'user', 'passwordSecret']);
      const database = o.database === undefined ? 'stateful_e2e' : str(f.key('database'), o.database);
      if (!IDENTIFIER.test(database)) f.key('database').fail(`must be a MySQL identifier (letters, digits, '_'), got ${show(database)}`);
      return {
        database,
        user: o.user === undefined ? 'root' : str(f.key('user'), o.user),
        ...(o.passwordSecret !== undefined && { passwordSecret: secretRef(f.key('passwordSecret'), o.passwordSecret) }),
      };
    }
    case 'http': {
      if (v === undefined) f.fail('the http adapter needs writePath and readPath, e.g. { writePath: /kv/{key}, readPath: /kv/{key} }');
      const o = mapping(f, raw, ['writeMethod', 'writePath', 'writeBody', 'readPath']);
      const urlPath = (k: string): string => {
        const p = template(f.key(k), o[k], 'a URL path such as /kv/{key}');
        if (!p.startsWith('/')) f.key(k).fail(`must start with '/', got ${show(p)}`);
        return p;
      };
      const writePath = urlPath('writePath');
      const readPath = urlPath('readPath');
      const writeBody = o.writeBody === undefined ? '{value}' : template(f.key('writeBody'), o.writeBody, 'a string');
      if (!uses([writePath, writeBody], 'key')) f.key('writePath').fail('must use {key} (or writeBody must)');
      if (!uses([writePath, writeBody], 'value')) f.key('writeBody').fail('must use {value} (or writePath must)');
      if (!uses([readPath], 'key')) f.key('readPath').fail('must use {key}');
      if (uses([readPath], 'value')) f.key('readPath').fail('must not use {value}: the read has to find the value by its key');
      return {
        writeMethod: o.writeMethod === undefined ? 'PUT' : oneOf(f.key('writeMethod'), o.writeMethod, ['PUT', 'POST'] as const),
        writePath,
        writeBody,
        readPath,
      };
    }
  }
}

function datum(f: Field, v: unknown): Datum {
  const o = mapping(f, v, ['exec', 'adapter', 'port', 'options', 'scope']);
  const scope = o.scope === undefined ? 'replicated' : oneOf(f.key('scope'), o.scope, ['replicated', 'pod'] as const);
  if (o.exec !== undefined && o.adapter !== undefined) f.fail('give either exec or adapter, not both');
  if (o.exec !== undefined) {
    const extra = (['port', 'options'] as const).find((k) => o[k] !== undefined);
    if (extra) f.key(extra).fail('belongs to an adapter; an exec datum takes container, write, read and match');
    return execDatum(f.key('exec'), o.exec, scope);
  }
  if (o.adapter === undefined) f.fail(`needs exec: { container, write, read } or adapter: ${ADAPTERS.join('|')}`);
  const adapter = typeof o.adapter === 'string' && (ADAPTERS as readonly string[]).includes(o.adapter) ? (o.adapter as AdapterName) : undefined;
  if (!adapter) return f.key('adapter').fail(`unknown adapter ${show(o.adapter)} (known: ${ADAPTERS.join(', ')})`);
  const defaultPort = ADAPTER_PORTS[adapter];
  if (o.port === undefined && defaultPort === undefined) f.key('port').fail(`the ${adapter} adapter has no default port; give one`);
  const p = o.port === undefined ? defaultPort! : port(f.key('port'), o.port);
  return { kind: 'adapter', scope, adapter, port: p, options: adapterOptions(f.key('options'), adapter, o.options) } as AdapterDatum;
}

/** Validates a parsed profile document. `file` names it in every error. */
export function validateProfile(doc: unknown, file: string): AppProfile {
  const root = new Field(file, '');
  if (doc === null || doc === undefined) return emptyProfile(file);
  const o = mapping(root, doc, ['statefulSets', 'datum', 'quorum', 'asyncReplication', 'budgets']);
  let statefulSets: string[] | undefined;
  if (o.statefulSets !== undefined) {
    const f = root.key('statefulSets');
    if (!Array.isArray(o.statefulSets) || o.statefulSets.length === 0) f.fail(`must be a non-empty list of StatefulSet names, got ${show(o.statefulSets)}`);
    statefulSets = (o.statefulSets as unknown[]).map((n, i) => objectName(f.index(i), n, 'a StatefulSet name', DNS1123_SUBDOMAIN, 253));
    const twice = statefulSets.findIndex((n, i) => statefulSets!.indexOf(n) !== i);
    if (twice >= 0) f.index(twice).fail(`'${statefulSets[twice]}' is listed twice`);
  }
  const d = o.datum === undefined ? undefined : datum(root.key('datum'), o.datum);
  let quorum: number | 'majority' | undefined;
  if (o.quorum !== undefined) {
    quorum = o.quorum === 'majority' ? 'majority' : typeof o.quorum === 'number' ? int(root.key('quorum'), o.quorum, 1) : undefined;
    if (quorum === undefined) root.key('quorum').fail(`must be a whole number ≥ 1 or 'majority', got ${show(o.quorum)}`);
    if (d?.scope === 'pod') root.key('quorum').fail('a quorum means replicated data, but datum.scope is pod');
  }
  const asyncReplication = o.asyncReplication === undefined ? false : bool(root.key('asyncReplication'), o.asyncReplication);
  if (asyncReplication && d?.scope === 'pod') root.key('asyncReplication').fail('means replicated data, but datum.scope is pod');
  let budgets = DEFAULT_BUDGETS;
  if (o.budgets !== undefined) {
    const f = root.key('budgets');
    const b = mapping(f, o.budgets, ['maxUnavailableSeconds', 'maxRecoverySeconds']);
    budgets = {
      maxUnavailableSeconds:
        b.maxUnavailableSeconds === undefined ? DEFAULT_BUDGETS.maxUnavailableSeconds : seconds(f.key('maxUnavailableSeconds'), b.maxUnavailableSeconds, false),
      maxRecoverySeconds:
        b.maxRecoverySeconds === undefined ? DEFAULT_BUDGETS.maxRecoverySeconds : seconds(f.key('maxRecoverySeconds'), b.maxRecoverySeconds, true),
    };
  }
  return {
    file,
    ...(statefulSets && { statefulSets }),
    ...(d && { datum: d }),
    ...(quorum !== undefined && { quorum }),
    asyncReplication,
    budgets,
  };
}

/** Parses and validates the text of a profile. An empty file is an empty profile. */
export function parseProfile(text: string, file: string): AppProfile {
  const list = parseYamlDocuments(text, file);
  if (list.length > 1) throw new HarnessError(`${file}: holds ${list.length} YAML documents; a profile is one`);
  return validateProfile(list[0]?.toJS() ?? null, file);
}

export function loadProfile(file: string): AppProfile {
  if (!existsSync(file) || !statSync(file).isFile()) throw new HarnessError(`${file}: no such profile file`);
  return parseProfile(readFileSync(file, 'utf8'), file);
}

/**
 * The profile file of an app: `--profile FILE` if given (it must exist), else `stateful-e2e.yaml` inside the app's
 * directory, or beside the app when it is a file (a chart archive, a manifests file); undefined when there is none.
 */
export function findProfile(appPath: string, profileFlag?: string): string | undefined {
  if (profileFlag !== undefined) {
    if (!existsSync(profileFlag) || !statSync(profileFlag).isFile()) throw new HarnessError(`--profile ${profileFlag}: no such file`);
    return profileFlag;
  }
  const dir = existsSync(appPath) && statSync(appPath).isDirectory() ? appPath : path.dirname(appPath);
  const f = path.join(dir, PROFILE_FILE);
  return existsSync(f) && statSync(f).isFile() ? f : undefined;
}
