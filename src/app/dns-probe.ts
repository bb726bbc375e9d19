/**
 * The helper pod A1.3 resolves per-pod DNS names from (docs/app-guarantees.md §0.3, D): the same image the tutorial
 * catalogue names for its SRV check (1.6), with dig. It is part of the app run's fixtures, so its image is loaded
 * into kind's nodes and the server-side dry run checks it with the app's objects; it is created only when A1.3 runs.
 */
import type { V1Pod } from '@kubernetes/client-node';

export const DNS_PROBE_NAME = 'stateful-e2e-dns';
export const DNS_PROBE_LABELS: Readonly<Record<string, string>> = { 'stateful-e2e/helper': 'dns-probe' };
/** The harness's own file name for it in reports (dry-run errors, images). */
export const DNS_PROBE_FILE = 'stateful-e2e/dns-probe.yaml';

export const dnsProbePod = (): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: DNS_PROBE_NAME, labels: { ...DNS_PROBE_LABELS } },
  spec: {
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'dig', image: 'registry.k8s.io/e2e-test-images/jessie-dnsutils:1.7', command: ['sleep', '3600'] }],
  },
});

/** `dig +short A <fqdn>`: the A records only, no search list, one try of 2 s (the caller polls for DNS caches). */
export const digA = (fqdn: string): string[] => ['dig', '+short', '+tries=1', '+time=2', 'A', fqdn];
