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
