import { describe, expect, it } from 'vitest';
import { planClusters, runPlans } from '../src/schedule.ts';

const s = (name: string, profile: string, extra: { disruptive?: boolean; heavy?: boolean } = {}) => ({ name, profile, ...extra });

describe('planClusters', () => {
  it('groups by profile; scenarios that can share run as one batch, disruptive ones alone after them', () => {
    const plans = planClusters([
      s('basics', 'K2'),
      s('zk', 'K3', { disruptive: true }),
      s('wordpress', 'K2'),
      s('cassandra', 'K3', { heavy: true }),
      s('maintenance', 'K4S', { disruptive: true }),
      s('redis', 'K2'),
    ]);
    expect(plans.map((p) => ({ profile: p.profile, part: p.part, alone: p.alone, batches: p.batches.map((b) => b.map((x) => x.name)) }))).toEqual([
      { profile: 'K2', part: 1, alone: false, batches: [['basics', 'wordpress', 'redis']] },
      { profile: 'K3', part: 1, alone: false, batches: [['zk']] },
      { profile: 'K4S', part: 1, alone: false, batches: [['maintenance']] },
      // a heavy scenario gets a cluster of its own, last and alone
      { profile: 'K3', part: 2, alone: true, batches: [['cassandra']] },
    ]);
  });

  it('starts the largest clusters first (stable among equals); heavy ones stay last', () => {
    const size = (p: string): number => ({ K2: 2, K3: 3, K4S: 4 })[p] ?? 0;
    const plans = planClusters([s('basics', 'K2'), s('cassandra', 'K3', { heavy: true }), s('zk', 'K3'), s('maintenance', 'K4S'), s('redis', 'K2')], size);
    expect(plans.map((p) => `${p.profile}#${p.part}`)).toEqual(['K4S#1', 'K3#1', 'K2#1', 'K3#2']);
  });

  it('one scenario is one batch of one', () => {
    expect(planClusters([s('a', 'K2')])).toEqual([{ profile: 'K2', part: 1, alone: false, batches: [[s('a', 'K2')]] }]);
  });
});

/** Runs plans whose run() resolves when the test says so, recording what ran at the same time. */
function harness(plans: { id: string; alone: boolean }[], clusters: number, stop: () => boolean = () => false) {
  const started: string[] = [];
  const release = new Map<string, () => void>();
  let running = 0;
  let peak = 0;
  const overlaps: string[][] = [];
  const turns = new Map<string, boolean>();
  const live = new Set<string>();
  const done = runPlans(
    plans,
    clusters,
    (p, turn) =>
      new Promise<void>((resolve, reject) => {
        started.push(p.id);
        void turn.then((go) => turns.set(p.id, go));
        live.add(p.id);
        overlaps.push([...live]);
        running++;
        peak = Math.max(peak, running);
        release.set(p.id, () => {
          running--;
          live.delete(p.id);
          if (p.id.startsWith('fail')) reject(new Error(`${p.id} failed`));
          else resolve();
        });
      }),
    stop,
  );
  const tick = () => new Promise((r) => setImmediate(r));
  return { started, release, done, tick, overlaps, turns, peak: () => peak };
}

describe('runPlans', () => {
  it('runs at most N clusters at once, the next starting when one ends', async () => {
    const h = harness(
      [
        { id: 'a', alone: false },
        { id: 'b', alone: false },
        { id: 'c', alone: false },
      ],
      2,
    );
    await h.tick();
    expect(h.started).toEqual(['a', 'b']);
    h.release.get('b')!();
    await h.tick();
    expect(h.started).toEqual(['a', 'b', 'c']);
    h.release.get('a')!();
    h.release.get('c')!();
    await h.done;
    expect(h.peak()).toBe(2);
  });

  it('an alone plan starts (its cluster) in a free slot, gets its turn when the others end, and nothing starts beside it', async () => {
    const h = harness(
      [
        { id: 'a', alone: false },
        { id: 'c', alone: false },
        { id: 'heavy', alone: true },
        { id: 'b', alone: false },
      ],
      2,
    );
    await h.tick();
    expect(h.started).toEqual(['a', 'c']);
    expect(h.turns.get('a')).toBe(true);
    h.release.get('a')!();
    await h.tick();
    // created beside c, but its scenarios wait
    expect(h.started).toEqual(['a', 'c', 'heavy']);
    await h.tick();
    expect(h.turns.has('heavy')).toBe(false);
    h.release.get('c')!();
    await h.tick();
    await h.tick();
    expect(h.turns.get('heavy')).toBe(true);
    expect(h.started).toEqual(['a', 'c', 'heavy']);
    h.release.get('heavy')!();
    await h.tick();
    expect(h.started).toEqual(['a', 'c', 'heavy', 'b']);
    h.release.get('b')!();
    await h.done;
    // nothing started while heavy ran
    expect(h.overlaps.filter((o) => o.includes('heavy')).every((o) => o.every((x) => x === 'heavy' || x === 'c'))).toBe(true);
  });

  it("an alone plan's turn is false when another plan failed meanwhile: it runs no scenario", async () => {
    const h = harness(
      [
        { id: 'fail-1', alone: false },
        { id: 'heavy', alone: true },
      ],
      2,
    );
    await h.tick();
    expect(h.started).toEqual(['fail-1', 'heavy']);
    h.release.get('fail-1')!();
    await h.tick();
    await h.tick();
    expect(h.turns.get('heavy')).toBe(false);
    h.release.get('heavy')!();
    await expect(h.done).rejects.toThrow('fail-1 failed');
  });

  it('after a failure starts nothing new, waits for what runs (it owns a cluster), then rejects with the first error', async () => {
    const h = harness(
      [
        { id: 'fail-1', alone: false },
        { id: 'b', alone: false },
        { id: 'c', alone: false },
      ],
      2,
    );
    await h.tick();
    h.release.get('fail-1')!();
    await h.tick();
    expect(h.started).toEqual(['fail-1', 'b']);
    let settled = false;
    void h.done.catch(() => (settled = true));
    await h.tick();
    expect(settled).toBe(false);
    h.release.get('b')!();
    await expect(h.done).rejects.toThrow('fail-1 failed');
    expect(h.started).not.toContain('c');
  });

  it('starts nothing once stop() is true (an interrupt)', async () => {
    let stopping = false;
    const h = harness(
      [
        { id: 'a', alone: false },
        { id: 'b', alone: false },
      ],
      1,
      () => stopping,
    );
    await h.tick();
    stopping = true;
    h.release.get('a')!();
    await h.done;
    expect(h.started).toEqual(['a']);
  });
});
