import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { describeLabelled, labelledPods, livePods, matches, selectorText } from '../src/kube/labelled-pods.ts';
import type { PodsContext } from '../src/kube/context.ts';

const pod = (name: string, labels: Record<string, string>, extra: Partial<V1Pod> = {}): V1Pod => ({ ...extra, metadata: { ...extra.metadata, name, labels } });
const ctx = (pods: V1Pod[]): PodsContext => ({ pods: { current: new Map(pods.map((p) => [p.metadata!.name!, p])) } }) as unknown as PodsContext;

describe('labelled pods', () => {
  it('selects by every label, like matchLabels', () => {
    expect(matches(pod('a', { app: 'cassandra', tier: 'db' }), { app: 'cassandra' })).toBe(true);
    expect(matches(pod('a', { app: 'cassandra' }), { app: 'cassandra', tier: 'db' })).toBe(false);
    expect(matches(pod('a', { app: 'Cassandra' }), { app: 'cassandra' })).toBe(false);
    expect(selectorText({ app: 'cassandra', tier: 'db' })).toBe('app=cassandra,tier=db');
  });

  it('keeps terminating pods apart from live ones and sorts by name', () => {
    const w = ctx([pod('c-2', { app: 'c' }), pod('c-1', { app: 'c' }, { metadata: { deletionTimestamp: new Date() } }), pod('other', { app: 'x' })]);
    expect(labelledPods(w, { app: 'c' }).map((p) => p.metadata?.name)).toEqual(['c-1', 'c-2']);
    expect(livePods(w, { app: 'c' }).map((p) => p.metadata?.name)).toEqual(['c-2']);
  });

  it('describes each pod with its node and phase, or says none is there', () => {
    const w = ctx([pod('c-1', { app: 'c' }, { spec: { containers: [], nodeName: 'w1' }, status: { phase: 'Running' } }), pod('c-2', { app: 'c' })]);
    expect(describeLabelled(w, { app: 'c' })).toBe('c-1@w1=Running, c-2@-=Pending');
    expect(describeLabelled(w, { app: 'none' })).toBe('no pod with app=none');
  });
});
