/**
 * Fixture manifests: parse multi-document YAML and apply the documented overlays (catalogue §0.4, §0.6).
 * Every change an overlay makes is returned as a Deviation so the run can record it.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import { HarnessError } from './errors.ts';

export interface Deviation {
  readonly object: string;
  readonly change: string;
}

export interface Overlays {
  /** The scenario's namespace: `.default.svc.cluster.local` in env values is rewritten to it. */
  readonly namespace: string;
  /** Seed image → replacement image (mirrors, locally built tags). */
  readonly imageMap: Readonly<Record<string, string>>;
  /** `imagePullPolicy: Always` → `IfNotPresent`, so preloaded images are used. */
  readonly pullPolicyOverlay: boolean;
}

/** Every YAML document of a file; the first syntax error is one line, `FILE:LINE: malformed YAML: …`. */
export function parseYamlDocuments(text: string, file: string): Document[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { prettyErrors: false, lineCounter: lines });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const line = lines.linePos(err.pos[0]).line;
      throw new HarnessError(`${file}${line ? `:${line}` : ''}: malformed YAML: ${err.message.split('\n')[0]}`);
    }
  }
  return list;
}

export function parseManifests(text: string, file: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const doc of parseYamlDocuments(text, file)) {
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new HarnessError(`${file}: a document is not a Kubernetes object`);
    const obj = value as KubernetesObject;
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
      throw new HarnessError(`${file}: a document lacks apiVersion, kind or metadata.name`);
    }
    objects.push(obj);
  }
  if (objects.length === 0) throw new HarnessError(`${file}: no Kubernetes objects in file`);
  return objects;
}

export function readManifests(fixturesDir: string, relPath: string): KubernetesObject[] {
  const file = path.join(fixturesDir, relPath);
  if (!existsSync(file)) throw new HarnessError(`fixture missing: ${file}`);
  return parseManifests(readFileSync(file, 'utf8'), file);
}

interface Container {
  name?: string;
  image?: string;
  imagePullPolicy?: string;
  env?: { name?: string; value?: string }[];
}
interface PodSpecLike {
  containers?: Container[];
  initContainers?: Container[];
}

/** The pod spec inside Pods, workload templates and CronJobs. */
function podSpecOf(obj: KubernetesObject): PodSpecLike | undefined {
  const o = obj as {
    kind?: string;
    spec?: { template?: { spec?: PodSpecLike }; jobTemplate?: { spec?: { template?: { spec?: PodSpecLike } } } } & PodSpecLike;
  };
  if (o.kind === 'Pod') return o.spec;
  return o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
}

export function applyOverlays(objects: readonly KubernetesObject[], overlays: Overlays): { objects: KubernetesObject[]; deviations: Deviation[] } {
  const deviations: Deviation[] = [];
  const out = objects.map((o) => structuredClone(o));
  for (const obj of out) {
    const id = `${obj.kind}/${obj.metadata?.name ?? '?'}`;
    const spec = podSpecOf(obj);
    for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
      const where = `${id} container ${c.name ?? '?'}`;
      const mapped = c.image ? overlays.imageMap[c.image] : undefined;
      if (c.image && mapped && mapped !== c.image) {
        deviations.push({ object: where, change: `image ${c.image} -> ${mapped} (image map)` });
        c.image = mapped;
      }
      if (overlays.pullPolicyOverlay && c.imagePullPolicy === 'Always') {
        deviations.push({ object: where, change: 'imagePullPolicy Always -> IfNotPresent (preloaded images)' });
        c.imagePullPolicy = 'IfNotPresent';
      }
      for (const e of c.env ?? []) {
        if (e.value?.includes('.default.svc.cluster.local')) {
          const v = e.value.replaceAll('.default.svc.cluster.local', `.${overlays.namespace}.svc.cluster.local`);
          deviations.push({ object: where, change: `env ${e.name ?? '?'} ${e.value} -> ${v} (namespace)` });
          e.value = v;
        }
      }
    }
  }
  return { objects: out, deviations };
}

/** Images the objects' pod specs use, for pre-flight and loading into nodes. */
export function imagesOf(objects: readonly KubernetesObject[]): string[] {
  const images = new Set<string>();
  for (const obj of objects) {
    const spec = podSpecOf(obj);
    for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) if (c.image) images.add(c.image);
  }
  return [...images];
}
