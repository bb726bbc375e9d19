/**
 * `--app PATH`: what the path is (a directory or file of manifests, a kustomization, or a Helm chart as a directory
 * or a packaged `.tgz`), its objects, and the check of the profile against them. Rendering a kustomization or a
 * chart is the caller's (renderCommand gives the command; objectsFromRendered reads its output). Every bad input
 * is one HarnessError line, exit code 2.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { KubernetesObject, V1StatefulSet } from '@kubernetes/client-node';
import { parse as parseYaml, type Document } from 'yaml';
import { HarnessError, errorMessage } from '../errors.ts';
import { parseManifests, parseYamlDocuments } from '../manifests.ts';
import { factsOf, nameOf, statefulSetsOf } from './objects.ts';
import { PROFILE_FILE, quorumFor, type AppProfile } from './profile.ts';

/** Chart.yaml's identifying fields. */
export interface ChartMeta {
  readonly apiVersion: 'v1' | 'v2';
  readonly name: string;
  readonly version: string;
  readonly appVersion?: string;
}

/** Plain manifests: `kubectl apply -f` of these files. */
export interface ManifestsApp {
  readonly kind: 'manifests';
  /** The path as given. */
  readonly path: string;
  /** The manifest files, sorted (a directory's own *.yaml, *.yml and *.json, without stateful-e2e.yaml). */
  readonly files: readonly string[];
  readonly objects: readonly KubernetesObject[];
}
/** A directory with a kustomization file: `kubectl kustomize DIR`. */
export interface KustomizationApp {
  readonly kind: 'kustomization';
  /** The directory. */
  readonly path: string;
  /** Its kustomization file. */
  readonly file: string;
}
/** A Helm chart: `helm template` of a chart directory or a packaged chart. */
export interface ChartApp {
  readonly kind: 'chart';
  /** The chart directory or the .tgz. */
  readonly path: string;
  readonly packaged: boolean;
  readonly chart: ChartMeta;
}
export type AppInput = ManifestsApp | KustomizationApp | ChartApp;

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MANIFEST_RE = /\.(?:ya?ml|json)$/i;
const ARCHIVE_RE = /\.(?:tgz|tar\.gz)$/i;
/** Packaged charts are small; refuse anything that unpacks larger than this. */
const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

const bad = (appPath: string, why: string): HarnessError => new HarnessError(`--app ${appPath}: ${why}`);
const neither = (appPath: string, why: string): HarnessError => bad(appPath, `neither manifests nor a chart: ${why}`);

/** Chart.yaml text → its fields, or a one-line error naming what is wrong. */
export function parseChartYaml(text: string, where: string, appPath: string): ChartMeta {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: false });
  } catch (err) {
    throw bad(appPath, `${where}: malformed YAML: ${errorMessage(err)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad(appPath, `${where}: must be a YAML mapping`);
  const o = doc as Record<string, unknown>;
  if (o.apiVersion !== 'v1' && o.apiVersion !== 'v2')
    throw bad(appPath, `${where}: apiVersion must be v2 (or v1), got ${JSON.stringify(o.apiVersion ?? null)}`);
  if (typeof o.name !== 'string' || !o.name) throw bad(appPath, `${where}: name is required`);
  if ((typeof o.version !== 'string' && typeof o.version !== 'number') || o.version === '') throw bad(appPath, `${where}: version is required`);
  if (o.type === 'library') throw bad(appPath, `${where}: chart ${o.name} is a library chart, which cannot be installed`);
  return {
    apiVersion: o.apiVersion,
    name: o.name,
    version: String(o.version),
    ...((typeof o.appVersion === 'string' || typeof o.appVersion === 'number') && { appVersion: String(o.appVersion) }),
  };
}

// ---- packaged charts: a gzipped tar with <name>/Chart.yaml ----

export interface TarEntry {
  readonly name: string;
  /** The tar type flag: '0' a file, '5' a directory, … */
  readonly type: string;
  readonly data: Buffer;
}

const cstr = (b: Buffer, start: number, len: number): string => {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? s.length : nul).toString('utf8');
};

/** The entries of a tar archive (ustar, GNU long names, pax paths); throws on anything that is not one. */
export function* tarEntries(buf: Buffer): Generator<TarEntry> {
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) return;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    const sizeText = cstr(h, 124, 12).trim();
    const checksum = Number.parseInt(cstr(h, 148, 8).trim(), 8);
    if (checksum !== sum || !/^[0-7]+$/.test(sizeText)) throw new Error('not a tar archive');
    const size = Number.parseInt(sizeText, 8);
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]!);
    const prefix = cstr(h, 257, 6).startsWith('ustar') ? cstr(h, 345, 155) : '';
    const data = buf.subarray(off + 512, off + 512 + size);
    if (data.length < size) throw new Error('truncated tar archive');
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = cstr(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1] ?? longName;
      continue;
    }
    if (type === 'g') continue;
    const raw = cstr(h, 0, 100);
    const name = longName ?? (prefix ? `${prefix}/${raw}` : raw);
    longName = undefined;
    yield { name: name.replace(/^\.\//, ''), type, data };
  }
}

/** The Chart.yaml of a packaged chart (`<name>/Chart.yaml`, as `helm package` writes it). */
export function chartOfArchive(archive: Buffer, appPath: string): ChartMeta {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: MAX_ARCHIVE_BYTES });
  } catch (err) {
    throw neither(appPath, `not a gzip archive (${errorMessage(err)})`);
  }
  try {
    for (const e of tarEntries(tar)) {
      const parts = e.name.split('/');
      if ((e.type === '0' || e.type === '7') && parts.length === 2 && parts[1] === 'Chart.yaml') {
        return parseChartYaml(e.data.toString('utf8'), e.name, appPath);
      }
    }
  } catch (err) {
    if (err instanceof HarnessError) throw err;
    throw neither(appPath, `${errorMessage(err)} inside the gzip`);
  }
  throw neither(appPath, 'the archive has no <chart>/Chart.yaml');
}

// ---- manifests ----

/** A manifest file's objects; none for a file with only comments. */
function manifestObjects(file: string, appPath: string): KubernetesObject[] {
  const text = readFileSync(file, 'utf8');
  let list: Document[];
  try {
    list = parseYamlDocuments(text, file);
  } catch (err) {
    throw bad(appPath, errorMessage(err));
  }
  if (list.every((d) => d.contents === null)) return [];
  try {
    return parseManifests(text, file);
  } catch (err) {
    throw neither(appPath, errorMessage(err));
  }
}

function manifestsApp(appPath: string, files: readonly string[]): ManifestsApp {
  const objects = files.flatMap((f) => manifestObjects(f, appPath));
  if (objects.length === 0) throw neither(appPath, `no Kubernetes objects in ${files.length === 1 ? files[0] : `its ${files.length} manifest files`}`);
  return { kind: 'manifests', path: appPath, files, objects };
}

/**
 * What `--app PATH` is. A directory with Chart.yaml is a chart, else one with a kustomization file is a
 * kustomization, else its own *.yaml, *.yml and *.json files (not stateful-e2e.yaml, not subdirectories, as
 * `kubectl apply -f DIR`) must hold Kubernetes objects. A `.tgz` must be a packaged chart; a single manifest file is
 * manifests (a Chart.yaml or kustomization file stands for its directory).
 */
export function classifyApp(appPath: string): AppInput {
  if (!existsSync(appPath)) throw bad(appPath, 'no such file or directory');
  const st = statSync(appPath);
  if (st.isDirectory()) {
    const chartYaml = path.join(appPath, 'Chart.yaml');
    if (existsSync(chartYaml))
      return { kind: 'chart', path: appPath, packaged: false, chart: parseChartYaml(readFileSync(chartYaml, 'utf8'), chartYaml, appPath) };
    const entries = readdirSync(appPath, { withFileTypes: true });
    const k = KUSTOMIZATION_FILES.find((n) => entries.some((e) => e.name === n && e.isFile()));
    if (k) return { kind: 'kustomization', path: appPath, file: path.join(appPath, k) };
    const files = entries
      .filter((e) => e.isFile() && MANIFEST_RE.test(e.name) && e.name !== PROFILE_FILE)
      .map((e) => path.join(appPath, e.name))
      .sort();
    if (files.length === 0) throw neither(appPath, 'no *.yaml, *.yml or *.json manifests, no kustomization.yaml, no Chart.yaml');
    return manifestsApp(appPath, files);
  }
  if (!st.isFile()) throw neither(appPath, 'not a regular file or directory');
  const base = path.basename(appPath);
  if (base === 'Chart.yaml' || KUSTOMIZATION_FILES.includes(base)) return classifyApp(path.dirname(appPath));
  if (ARCHIVE_RE.test(base)) return { kind: 'chart', path: appPath, packaged: true, chart: chartOfArchive(readFileSync(appPath), appPath) };
  if (MANIFEST_RE.test(base)) return manifestsApp(appPath, [appPath]);
  throw neither(appPath, 'expected a directory, a *.yaml, *.yml or *.json file, or a packaged chart (*.tgz)');
}

/** One line saying what the app is, for the run's log. */
export function describeApp(app: AppInput): string {
  switch (app.kind) {
    case 'manifests':
      return `manifests: ${app.objects.length} object(s) in ${app.files.length} file(s)`;
    case 'kustomization':
      return `kustomization: ${app.file}`;
    case 'chart':
      return `Helm chart ${app.chart.name} ${app.chart.version}${app.packaged ? ' (packaged)' : ''}`;
  }
}

// ---- rendering (run by the caller) ----

/** `--values FILE` (repeatable) and `--set k=v` (repeatable), for a chart only. */
export interface ChartArgs {
  readonly values: readonly string[];
  readonly set: readonly string[];
}

/** The flags that name an app and its values in error lines: `--app` with `--values`/`--set`, or the upgrade's. */
export interface ChartFlags {
  readonly app: string;
  readonly values: string;
  readonly set: string;
}
const APP_FLAGS: ChartFlags = { app: '--app', values: '--values', set: '--set' };
export const UPGRADE_FLAGS: ChartFlags = { app: '--upgrade-to', values: '--upgrade-values', set: '--upgrade-set' };

/** Checks --values and --set against the app: only a chart takes them; each values file is a YAML mapping. */
export function checkChartArgs(app: AppInput, args: ChartArgs, flags: ChartFlags = APP_FLAGS): ChartArgs {
  if (app.kind !== 'chart') {
    const flag = args.values.length ? flags.values : args.set.length ? flags.set : undefined;
    if (flag)
      throw new HarnessError(
        `${flag}: only a Helm chart takes values; ${flags.app} ${app.path} is ${app.kind === 'manifests' ? 'plain manifests' : 'a kustomization'}`,
      );
    return args;
  }
  for (const f of args.values) {
    if (!existsSync(f) || !statSync(f).isFile()) throw new HarnessError(`${flags.values} ${f}: no such file`);
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(f, 'utf8'), { prettyErrors: false });
    } catch (err) {
      throw new HarnessError(`${flags.values} ${f}: malformed YAML: ${errorMessage(err)}`);
    }
    if (doc !== null && (typeof doc !== 'object' || Array.isArray(doc))) throw new HarnessError(`${flags.values} ${f}: must be a YAML mapping of values`);
  }
  for (const s of args.set) if (!/^[^=,\s][^=,]*=/.test(s)) throw new HarnessError(`${flags.set} ${s}: expected key=value (or key=value,key2=value2)`);
  return args;
}

/** The command that renders the app into objects on stdout, or undefined for plain manifests. */
export function renderCommand(
  app: AppInput,
  opts: { readonly release: string; readonly namespace: string } & ChartArgs,
): { readonly command: string; readonly args: readonly string[] } | undefined {
  switch (app.kind) {
    case 'manifests':
      return undefined;
    case 'kustomization':
      return { command: 'kubectl', args: ['kustomize', app.path] };
    case 'chart':
      return {
        command: 'helm',
        args: [
          'template',
          opts.release,
          app.path,
          '--namespace',
          opts.namespace,
          // A chart's test hooks (templates/tests/) are for `helm test`, not objects of the app.
          '--skip-tests',
          ...opts.values.flatMap((v) => ['--values', v]),
          ...opts.set.flatMap((s) => ['--set', s]),
        ],
      };
  }
}

/** The objects of a rendered kustomization or chart (the render command's stdout). */
export function objectsFromRendered(app: KustomizationApp | ChartApp, stdout: string): KubernetesObject[] {
  const what = app.kind === 'chart' ? 'the chart' : 'the kustomization';
  try {
    return parseManifests(stdout, `${what}'s output`);
  } catch (err) {
    throw bad(app.path, errorMessage(err));
  }
}

// ---- the profile against the app ----

/**
 * The StatefulSets to check: those the profile names, else all of the app's. One line for an app without a
 * StatefulSet, a name declared twice, or a profile naming what the app does not have (a StatefulSet, the datum's
 * container or named port), or a quorum above a StatefulSet's replicas.
 */
export function selectStatefulSets(appPath: string, objects: readonly KubernetesObject[], profile?: AppProfile): V1StatefulSet[] {
  const all = statefulSetsOf(objects);
  if (all.length === 0) {
    const kinds = [...new Set(objects.map((o) => o.kind))].join(', ');
    throw bad(appPath, `no StatefulSet among its ${objects.length} object(s) (${kinds}); nothing to check`);
  }
  const names = all.map(nameOf);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw bad(appPath, `StatefulSet '${twice}' is declared twice`);
  if (!profile) return all;
  const has = names.join(', ');
  const chosen = (profile.statefulSets ?? names).map((n, i) => {
    const s = all.find((x) => nameOf(x) === n);
    if (!s) throw new HarnessError(`${profile.file}: statefulSets[${i}]: no StatefulSet '${n}' in the app (it has: ${has})`);
    return s;
  });
  for (const s of chosen) {
    const f = factsOf(s);
    const d = profile.datum;
    if (d?.kind === 'exec' && !f.containers.some((c) => c.name === d.container))
      throw new HarnessError(
        `${profile.file}: datum.exec.container: no container '${d.container}' in StatefulSet ${f.name} (it has: ${f.containers.map((c) => c.name).join(', ') || 'none'})`,
      );
    if (d?.kind === 'adapter' && typeof d.port === 'string') {
      const ports = f.containers.flatMap((c) => c.ports ?? []).flatMap((p) => (p.name ? [p.name] : []));
      if (!ports.includes(d.port))
        throw new HarnessError(
          `${profile.file}: datum.port: no container port named '${d.port}' in StatefulSet ${f.name} (it has: ${ports.join(', ') || 'none'})`,
        );
    }
    const q = quorumFor(profile, f.replicas);
    if (q !== undefined && q > f.replicas)
      throw new HarnessError(`${profile.file}: quorum: ${q} is more than the ${f.replicas} replica(s) of StatefulSet ${f.name}`);
  }
  return chosen;
}
