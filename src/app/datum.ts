/**
 * The profile's datum (docs/app-guarantees.md §0.2) as a write and a read on one pod: an exec command pair run in
 * its container, or an adapter reached through a port-forward to that pod (adapters.ts). The data checks
 * (A3.3, …) use only this, so a datum of either kind checks the same guarantees. `datumLedgerAdapter` puts the
 * same datum under the write ledger (src/ledger/) for the checks during drains (A5.4).
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { World } from '../scenario.ts';
import type { Adapter } from '../ledger/writer.ts';
import { runningReady, setPods } from '../kube/statefulset.ts';
import { exec, type ExecResult } from '../kube/exec.ts';
import { eventually } from '../eventually.ts';
import type { AdapterDatum, Datum, ExecDatum, PortRef } from './profile.ts';
import { fillTemplate, readVerdict } from './verdicts.ts';
import { adapterIo } from './adapters.ts';

export interface PodDatum {
  /** Writes `value` under `key` through `pod`; throws with the reason when the app refused. */
  write(pod: string, key: string, value: string): Promise<void>;
  /** Reads until `key` has `value` through `pod`, or timeoutS ends (a pod that just turned Ready, a replica catching up). */
  expect(pod: string, key: string, value: string, timeoutS: number): Promise<void>;
}

/** The container port `ref` names on the pod, or `ref` itself when it is a number. */
export function podPort(pod: V1Pod | undefined, ref: PortRef): number {
  if (typeof ref === 'number') return ref;
  for (const c of pod?.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === ref) return p.containerPort;
  throw new Error(`${pod?.metadata?.name ?? 'the pod'} has no container port named ${ref}`);
}

export function podDatum(w: World, d: Datum): PodDatum {
  return d.kind === 'exec' ? execDatum(w, d) : adapterDatum(w, d);
}

function execDatum(w: World, d: ExecDatum): PodDatum {
  const run = async (pod: string, argv: readonly string[]): Promise<ExecResult> => {
    w.step(`exec ${pod} -c ${d.container} -- ${argv.join(' ')}`);
    const r = await exec(w.kube, w.ns, pod, argv, { container: d.container, timeoutMs: w.timeoutMs(60) });
    w.timeline.add('note', 'exec', `${pod}: exit ${r.exitCode}: ${r.stdout.trim().slice(0, 200)}`);
    return r;
  };
  return {
    async write(pod, key, value) {
      const r = await run(
        pod,
        d.write.map((a) => fillTemplate(a, key, value)),
      );
      if (r.exitCode !== 0) throw new Error(`writing the datum on ${pod} failed: exit ${r.exitCode}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    },
    async expect(pod, key, value, timeoutS) {
      await eventually(`reading the datum ${key} on ${pod}`, w.timeoutMs(timeoutS), async () => {
        const v = readVerdict(
          await run(
            pod,
            d.read.map((a) => fillTemplate(a, key)),
          ),
          value,
          d.match,
        );
        if (!v.ok) throw new Error(v.reason);
      });
    },
  };
}

function adapterDatum(w: World, d: AdapterDatum): PodDatum {
  const io = adapterIo(w, d);
  const port = (pod: string): number => podPort(w.pod(pod), d.port);
  return {
    async write(pod, key, value) {
      w.step(`${d.adapter} write ${key} through ${pod}`);
      // A quorum app may take a few seconds after its pods are Ready to accept a session (ZooKeeper after a scale-up):
      // idempotent writes (a znode set, a SET, an upsert, an INSERT, an HTTP PUT) are retried for up to 60 s; an
      // HTTP POST is tried once.
      const idempotent = d.adapter !== 'http' || d.options.writeMethod === 'PUT';
      if (!idempotent) return io.write(pod, port(pod), key, value);
      await eventually(`writing the datum ${key} through ${pod} (${d.adapter})`, w.timeoutMs(60), () => io.write(pod, port(pod), key, value));
    },
    async expect(pod, key, value, timeoutS) {
      await eventually(`reading the datum ${key} through ${pod} (${d.adapter})`, w.timeoutMs(timeoutS), async () => {
        const got = await io.read(pod, port(pod), key);
        w.timeline.add('note', d.adapter, `${pod}: ${key} = ${got === undefined ? '(none)' : got.slice(0, 120)}`);
        if (got !== value) throw new Error(`read ${got === undefined ? 'nothing' : `'${got.slice(0, 120)}'`}, expected '${value}'`);
      });
    },
  };
}

/**
 * The datum as a write ledger's Adapter (A5.4), quietly (the ledger records each operation; no step per exec):
 * through `pod` alone (scope pod), or through the Ready pods of `set` in turn (scope replicated), writes then only
 * through the lowest Ready pod unless `writeAnyPod` (an app with a quorum takes a write on any member). No Ready pod:
 * the operation fails, which the ledger counts as unavailability.
 */
export function datumLedgerAdapter(w: World, d: Datum, target: { readonly pod: string } | { readonly set: string; readonly writeAnyPod: boolean }): Adapter {
  const io = datumIo(w, d);
  let turn = 0;
  const ready = (set: string): string[] =>
    setPods(w, set)
      .filter(runningReady)
      .map((p) => p.metadata?.name ?? '');
  const pick = (kind: 'write' | 'read'): string => {
    if ('pod' in target) return target.pod;
    const pods = ready(target.set);
    if (pods.length === 0) throw new Error(`no pod of ${target.set} is Running and Ready`);
    return kind === 'write' && !target.writeAnyPod ? pods[0]! : pods[turn++ % pods.length]!;
  };
  return { write: (key, value) => io.write(pick('write'), key, value), read: (key) => io.read(pick('read'), key) };
}

/** One write and one read through a named pod, recorded by the caller alone (the ledgers, A4.2's timed reads). */
export function datumIo(
  w: World,
  d: Datum,
): { write(pod: string, key: string, value: string): Promise<void>; read(pod: string, key: string): Promise<string | undefined> } {
  if (d.kind === 'adapter') {
    const io = adapterIo(w, d);
    return {
      write: (pod, key, value) => io.write(pod, podPort(w.pod(pod), d.port), key, value),
      read: (pod, key) => io.read(pod, podPort(w.pod(pod), d.port), key),
    };
  }
  const run = async (pod: string, argv: readonly string[]): Promise<ExecResult> => {
    const r = await exec(w.kube, w.ns, pod, argv, { container: d.container, timeoutMs: w.timeoutMs(30) });
    if (r.exitCode !== 0) throw new Error(`${pod}: exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`);
    return r;
  };
  return {
    async write(pod, key, value) {
      await run(
        pod,
        d.write.map((a) => fillTemplate(a, key, value)),
      );
    },
    async read(pod, key) {
      const r = await run(
        pod,
        d.read.map((a) => fillTemplate(a, key)),
      );
      return execValue(r.stdout, key, d.match);
    },
  };
}

/**
 * The value an exec read printed: all of stdout (match exact), or (match line) the line holding a ledger value of
 * this key (`<key>#v<n>`, src/ledger/writer.ts), else the first non-empty line.
 */
export function execValue(stdout: string, key: string, match: 'line' | 'exact'): string {
  if (match === 'exact') return stdout.trim();
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => l.startsWith(`${key}#v`)) ?? lines[0] ?? '';
}
