/** What a Service's EndpointSlices route to: picks the pod a check should reach through the Service. */
import type { V1EndpointSlice } from '@kubernetes/client-node';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type EndpointPick = { readonly ok: true; readonly pod: string; readonly port: number } | { readonly ok: false; readonly reason: string };

/**
 * The one pod that the EndpointSlices of `service` list as ready, and the port they route to. Not ok unless there is
 * exactly one such pod (a pod listed in two slices, one per address family, counts once) behind exactly one port.
 * A missing `ready` condition counts as ready, as the API defines it for consumers.
 */
export function singleReadyEndpoint(slices: readonly V1EndpointSlice[], service: string): EndpointPick {
  const ours = slices.filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === service);
  const ready = new Set<string>();
  const notReady = new Set<string>();
  /** Ready addresses that name no pod: traffic through the Service may go there. */
  const strays: string[] = [];
  const ports = new Set<number>();
  for (const s of ours) {
    let carriesReady = false;
    for (const e of s.endpoints ?? []) {
      const pod = e.targetRef?.kind === 'Pod' ? e.targetRef.name : undefined;
      if (e.conditions?.ready === false) notReady.add(pod ?? e.addresses.join(','));
      else if (pod) ready.add(pod);
      else strays.push(e.addresses.join(','));
      carriesReady ||= e.conditions?.ready !== false;
    }
    if (carriesReady) for (const p of s.ports ?? []) if (p.port !== undefined) ports.add(p.port);
  }
  const listed = `ready [${[...ready].join(', ')}], not ready [${[...notReady].join(', ')}] in ${ours.length} EndpointSlice(s)`;
  if (strays.length > 0) return { ok: false, reason: `svc/${service} has ready endpoints that are not pods: ${strays.join('; ')}; ${listed}` };
  if (ready.size !== 1) return { ok: false, reason: `svc/${service} has ${ready.size} ready pods, expected exactly one: ${listed}` };
  const [pod] = [...ready] as [string];
  if (ports.size !== 1) return { ok: false, reason: `svc/${service} routes to ${ports.size} ports [${[...ports].join(', ')}] of ${pod}, expected exactly one` };
  const [port] = [...ports] as [number];
  return { ok: true, pod, port };
}

export interface PodAddress {
  readonly name: string;
  readonly ip: string;
}

/**
 * Whether the EndpointSlices of `service` route to exactly `pods`: one ready address per pod, its IP and a
 * targetRef of kind Pod naming it, no other ready address, and exactly the port `port`/`protocol`. The reason lists
 * what they hold (not-ready addresses are listed, not counted), so a failure shows the difference.
 */
export function endpointsArePods(
  slices: readonly V1EndpointSlice[],
  service: string,
  pods: readonly PodAddress[],
  port: number,
  protocol = 'TCP',
): { ok: boolean; reason: string } {
  const ours = slices.filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === service);
  const ready = new Map<string, string>(); // address -> "Kind/name"
  const notReady: string[] = [];
  const ports = new Set<string>();
  for (const s of ours) {
    for (const e of s.endpoints ?? []) {
      const target = e.targetRef ? `${e.targetRef.kind}/${e.targetRef.name}` : 'no targetRef';
      for (const a of e.addresses) e.conditions?.ready === false ? notReady.push(`${a} (${target})`) : ready.set(a, target);
    }
    for (const p of s.ports ?? []) ports.add(`${p.port}/${p.protocol ?? 'TCP'}`);
  }
  const held = `svc/${service}: ready [${[...ready].map(([a, t]) => `${a} (${t})`).join(', ')}], not ready [${notReady.join(', ')}], ports [${[...ports].join(', ')}] in ${ours.length} EndpointSlice(s)`;
  const wanted = `expected ${pods.map((p) => `${p.ip} (Pod/${p.name})`).join(', ') || 'none'} on ${port}/${protocol}`;
  const same = ready.size === pods.length && pods.every((p) => ready.get(p.ip) === `Pod/${p.name}`);
  const portOk = ports.size === 1 && ports.has(`${port}/${protocol}`);
  return { ok: same && portOk, reason: `${held}; ${wanted}` };
}
