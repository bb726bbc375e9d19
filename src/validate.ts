/**
 * Fixture pre-flight: every manifest parses (before any cluster exists), then the API server validates every
 * object with a server-side dry run (right after the cluster is up), so a manifest such as `storage: 1Gib`
 * fails in one line naming the file instead of deep inside a scenario.
 */
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { HarnessError } from './errors.ts';
import { apiMessage, connect, statusCode } from './kube/client.ts';
import { withNamespace } from './kube/apply.ts';
import { applyOverlays, imagesOf, readManifests } from './manifests.ts';
import { fixturePath, type DiscoveredScenario } from './discovery.ts';

export interface FixtureFile {
  readonly file: string;
  readonly objects: readonly KubernetesObject[];
}

export function loadFixtures(
  entries: readonly Pick<DiscoveredScenario, 'name' | 'fixtures' | 'fixtureDir' | 'fixturesRoot'>[],
  imageMap: Readonly<Record<string, string>>,
): FixtureFile[] {
  const out: FixtureFile[] = [];
  for (const s of entries) {
    for (const f of s.fixtures) {
      if (path.basename(f) === 'kustomization.yaml') continue; // kustomize input, not objects
      const rel = path.join(s.fixtureDir ?? s.name, f);
      const { objects } = applyOverlays(readManifests(s.fixturesRoot, rel), { namespace: 'default', imageMap, pullPolicyOverlay: true });
      out.push({ file: fixturePath(s, f), objects });
    }
  }
  return out;
}

export const fixtureImages = (files: readonly FixtureFile[]): string[] => [...new Set(files.flatMap((f) => imagesOf(f.objects)))];

export async function dryRunFixtures(kubeconfig: string, files: readonly FixtureFile[]): Promise<void> {
  const kube = connect(kubeconfig);
  for (const f of files) {
    for (const o of f.objects) {
      try {
        await kube.objects.create(withNamespace(o, 'default'), undefined, 'All');
      } catch (err) {
        if (statusCode(err) === 409) continue; // exists already (e.g. a cluster-scoped class): valid as far as we can tell
        throw new HarnessError(`${f.file}: ${o.kind}/${o.metadata?.name}: the API server rejects it: ${apiMessage(err)}`);
      }
    }
  }
}
