import { afterEach, describe, expect, it, vi } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from '../src/kube/client.ts';
import { ResourceWatch, relistChanges, summarizePod } from '../src/kube/watch.ts';
import { isSpanData, Timeline } from '../src/timeline.ts';

/** One watch request the fake client-node Watch received. */
interface Request {
  readonly query: Record<string, unknown>;
  readonly event: (type: string, obj: unknown) => void;
  readonly done: (err: unknown) => void;
}

const h = vi.hoisted(() => ({ requests: [] as Request[], gate: undefined as Promise<void> | undefined }));

vi.mock('@kubernetes/client-node', async (importOriginal) => {
  const orig = await importOriginal<typeof import('@kubernetes/client-node')>();
  class Watch {
    async watch(_path: string, query: Record<string, unknown>, event: Request['event'], done: Request['done']): Promise<AbortController> {
      if (h.gate) await h.gate;
      h.requests.push({ query, event, done });
      return new AbortController();
    }
  }
  return { ...orig, Watch };
});

const pod = (name: string, uid: string, rv: string): V1Pod => ({ metadata: { name, uid, resourceVersion: rv }, status: { phase: 'Running' } });

/** A fake API whose list answers `state.items` at `state.rv` (or throws when `state.fail`). */
interface ApiState {
  items: V1Pod[];
  rv: string;
  fail?: boolean;
  lists: number;
}

function fakeKube(state: ApiState): Kube {
  return {
    kc: {},
    objects: {
      list: async () => {
        state.lists++;
        if (state.fail) throw new Error('connection refused');
        return { metadata: { resourceVersion: state.rv }, items: state.items };
      },
    },
  } as unknown as Kube;
}

function podWatch(state: ApiState, timeline = new Timeline()): ResourceWatch<V1Pod> {
  return new ResourceWatch<V1Pod>(
    fakeKube(state),
    { path: '/api/v1/namespaces/ns/pods', apiVersion: 'v1', kind: 'Pod', namespace: 'ns' },
    timeline,
    summarizePod,
  );
}

/** The window and wait spans a timeline holds (SpanData notes): kind, source, text. */
const spans = (tl: Timeline) =>
  tl.entries.filter((e) => e.kind === 'note' && isSpanData(e.data)).map((e) => [(e.data as { span: string }).span, e.source, e.text]);

const shown = (w: ResourceWatch<V1Pod>, from = 0) => w.events.slice(from).map((e) => `${e.type} ${e.object.metadata?.name} ${e.object.metadata?.uid}`);
const last = (): Request => h.requests[h.requests.length - 1]!;
/** The server ends the request: 410 Gone as an ERROR event (the resourceVersion expired), then the stream closes. */
const expire = (r: Request) => {
  r.event('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
  r.done(null);
};
const settled = async (p: Promise<unknown>) => {
  let state = 'pending';
  p.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((r) => setTimeout(r, 0));
  return state;
};

afterEach(() => {
  h.requests.length = 0;
  h.gate = undefined;
  vi.useRealTimers();
});

describe('relistChanges', () => {
  const known = new Map([
    ['web-0', pod('web-0', 'u1', '1')],
    ['web-1', pod('web-1', 'w1', '2')],
    ['web-2', pod('web-2', 'x1', '3')],
    ['web-4', pod('web-4', 'z1', '4')],
  ]);
  it('records a new object as ADDED and a recreated one as DELETED + ADDED (the old relist said MODIFIED for both)', () => {
    const changes = relistChanges(known, [pod('web-0', 'u2', '9'), pod('web-1', 'w1', '7'), pod('web-3', 'y1', '8'), pod('web-4', 'z1', '4')]);
    expect(changes.map((c) => `${c.type} ${c.object.metadata?.name} ${c.object.metadata?.uid}`)).toEqual([
      'DELETED web-0 u1',
      'ADDED web-0 u2',
      'MODIFIED web-1 w1',
      'ADDED web-3 y1',
      'DELETED web-2 x1',
    ]);
  });
  it('records every object of a first list as ADDED', () => {
    expect(relistChanges(new Map(), [pod('web-0', 'u1', '1')]).map((c) => c.type)).toEqual(['ADDED']);
  });
});

describe('ResourceWatch after a gap', () => {
  it('records a pod recreated in the gap as DELETED + ADDED and a pod created in it as ADDED', async () => {
    const state: ApiState = { items: [pod('web-0', 'u1', '1')], rv: '1', lists: 0 };
    const w = podWatch(state);
    await w.start();
    expect(shown(w)).toEqual(['ADDED web-0 u1']);
    state.items = [pod('web-0', 'u2', '5'), pod('web-1', 'w1', '6')];
    state.rv = '6';
    expire(last());
    await vi.waitFor(() => expect(h.requests).toHaveLength(2));
    expect(shown(w, 1)).toEqual(['DELETED web-0 u1', 'ADDED web-0 u2', 'ADDED web-1 w1']);
    expect(last().query.resourceVersion).toBe('6');
    w.stop();
  });
});

describe('ResourceWatch.hold', () => {
  it('rejects when the watch had to relist during the window, although the relist shows no change', async () => {
    const state: ApiState = { items: [pod('web-0', 'u1', '1')], rv: '1', lists: 0 };
    const w = podWatch(state);
    await w.start();
    const held = w.hold(300, () => undefined);
    expire(last());
    await expect(held).rejects.toThrow(/lost its place during the 0s window and had to relist/);
    expect(state.lists).toBe(2);
    w.stop();
  });

  it('rejects when the watch dies during the window', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const state: ApiState = { items: [pod('web-0', 'u1', '1')], rv: '1', lists: 0 };
    const w = podWatch(state);
    await w.start();
    const held = w.hold(300_000, () => undefined);
    const outcome = held.then(
      () => 'passed',
      (e: Error) => e.message,
    );
    state.fail = true;
    expire(last());
    await vi.advanceTimersByTimeAsync(120_000); // 20 attempts with back-off, then the watch gives up
    expect(await outcome).toMatch(/lost its place|died during/);
    w.stop();
  });

  it('rejects at once on a watch that died before the window', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const state: ApiState = { items: [], rv: '1', lists: 0 };
    const w = podWatch(state);
    await w.start();
    state.fail = true;
    expire(last());
    await vi.advanceTimersByTimeAsync(120_000);
    await expect(w.hold(60_000, () => undefined)).rejects.toThrow(/died during the 60s window.*watch \/api\/v1\/namespaces\/ns\/pods failed/);
    w.stop();
  });

  it('rejects on a watch that was never started', async () => {
    const w = podWatch({ items: [], rv: '1', lists: 0 });
    await expect(w.hold(10, () => undefined)).rejects.toThrow(/was not started/);
  });

  it('passes across requests that end and resume from the resourceVersion (server timeout, inactivity abort): no relist', async () => {
    const state: ApiState = { items: [pod('web-0', 'u1', '1')], rv: '1', lists: 0 };
    const w = podWatch(state);
    await w.start();
    expect(h.requests[0]!.query).toMatchObject({ resourceVersion: '1', allowWatchBookmarks: true, timeoutSeconds: 25 });
    const held = w.hold(200, () => undefined);
    last().event('BOOKMARK', { metadata: { resourceVersion: '42' } });
    last().done(null);
    await vi.waitFor(() => expect(h.requests).toHaveLength(2));
    expect(last().query.resourceVersion).toBe('42');
    last().done(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    await vi.waitFor(() => expect(h.requests).toHaveLength(3));
    expect(last().query.resourceVersion).toBe('42');
    await expect(held).resolves.toBeUndefined();
    expect(state.lists).toBe(1);
    w.stop();
  });

  it('does not pass while the watch is between requests at the end of the window; passes once it resumed', async () => {
    const state: ApiState = { items: [pod('web-0', 'u1', '1')], rv: '1', lists: 0 };
    const w = podWatch(state);
    await w.start();
    const held = w.hold(50, () => undefined);
    let open: () => void = () => undefined;
    h.gate = new Promise((r) => {
      open = r;
    });
    last().done(null);
    await new Promise((r) => setTimeout(r, 150));
    expect(await settled(held)).toBe('pending');
    open();
    await expect(held).resolves.toBeUndefined();
    w.stop();
  });

  it('rejects with the violation when a relist shows a pod recreated in the gap (S1 [1.19] ADDED check)', async () => {
    const state: ApiState = { items: [pod('web-1', 'w1', '1')], rv: '1', lists: 0 };
    const w = podWatch(state);
    await w.start();
    const held = w.hold(300, (e) => (e.type === 'ADDED' && e.object.metadata?.name === 'web-0' ? 'web-0 was recreated' : undefined));
    state.items = [pod('web-0', 'u2', '5'), pod('web-1', 'w1', '1')];
    expire(last());
    await expect(held).rejects.toThrow('web-0 was recreated');
    w.stop();
  });
});

describe('window and wait spans on the timeline (bench/overhead.ts reads them)', () => {
  it('a hold leaves a window span from its start to its verdict, passed or broken', async () => {
    const tl = new Timeline();
    const state: ApiState = { items: [pod('web-0', 'u1', '1')], rv: '1', lists: 0 };
    const w = podWatch(state, tl);
    await w.start();
    const before = tl.now();
    await w.hold(30, () => undefined);
    const held = w.hold(60_000, (e) => (e.object.metadata?.name === 'web-1' ? 'web-1 appeared' : undefined));
    last().event('ADDED', pod('web-1', 'u2', '2'));
    await expect(held).rejects.toThrow('web-1 appeared');
    expect(spans(tl)).toEqual([
      ['window', 'window', expect.stringMatching(/^0s window on the Pod watch: nothing happened \(0\.\ds\)$/)],
      ['window', 'window', expect.stringMatching(/^60s window on the Pod watch: broken \(0\.\ds\)$/)],
    ]);
    const first = tl.entries.find((e) => e.source === 'window')!.data as { startMs: number; endMs: number };
    expect(first.startMs).toBeGreaterThanOrEqual(before);
    expect(first.endMs - first.startMs).toBeGreaterThanOrEqual(29);
    w.stop();
  });

  it('an until that holds at once leaves nothing; one that waited leaves a wait span however it ends', async () => {
    const tl = new Timeline();
    const state: ApiState = { items: [pod('web-0', 'u1', '1')], rv: '1', lists: 0 };
    const w = podWatch(state, tl);
    await w.start();
    await w.until(() => w.current.has('web-0'), 1000, 'web-0 to exist');
    expect(spans(tl)).toEqual([]);
    const waited = w.until(() => w.current.has('web-1'), 1000, 'web-1 to exist');
    last().event('ADDED', pod('web-1', 'u2', '2'));
    await waited;
    await expect(w.until(() => false, 20, 'web-9 to exist')).rejects.toThrow('timed out');
    expect(spans(tl)).toEqual([
      ['wait', 'wait', expect.stringMatching(/^web-1 to exist: done \(0\.\ds\)$/)],
      ['wait', 'wait', expect.stringMatching(/^web-9 to exist: timed out \(0\.\ds\)$/)],
    ]);
    w.stop();
  });
});
