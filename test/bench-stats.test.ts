import { describe, expect, it } from 'vitest';
import { orderedCreate, type PodEvent } from '../src/ordering.ts';
import { milestones, orderedCreateLinear, quantile, summarize, syntheticOrderedStream } from '../bench/stats.ts';

const names = (n: number) => Array.from({ length: n }, (_, i) => `web-${i}`);

describe('bench stats', () => {
  it('nearest-rank quantiles', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(s, 0.5)).toBe(50);
    expect(quantile(s, 0.99)).toBe(99);
    expect(quantile(s, 1)).toBe(100);
    expect(quantile([7], 0.99)).toBe(7);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
    const sum = summarize([3, 1, 2]);
    expect([sum.min, sum.p50, sum.max, sum.mean, sum.sum]).toEqual([1, 2, 3, 2, 6]);
  });

  it('src/ordering.ts (indexed) agrees with the linear baseline on a passing stream', () => {
    const ev = syntheticOrderedStream('web', 50);
    const a = orderedCreate(ev, names(50));
    const b = orderedCreateLinear(ev, names(50));
    expect(a.ok).toBe(true);
    expect(b).toEqual(a);
    // scale-up from an existing predecessor, and a fromSeq cut
    expect(orderedCreateLinear(ev, names(50).slice(10), 30, 'web-9')).toEqual(orderedCreate(ev, names(50).slice(10), 30, 'web-9'));
  });

  it('src/ordering.ts (indexed) agrees with the linear baseline on failing streams', () => {
    const ev = syntheticOrderedStream('web', 5);
    // web-3 ADDED before web-2 was Ready: move web-2's Ready event after web-3's ADDED
    const broken: PodEvent[] = ev.map((e) => ({ ...e }));
    const ready2 = broken.findIndex((e) => e.name === 'web-2' && e.ready);
    const [r] = broken.splice(ready2, 1);
    const added3 = broken.findIndex((e) => e.name === 'web-3' && e.type === 'ADDED');
    broken.splice(added3 + 1, 0, r!);
    const renum = broken.map((e, i) => ({ ...e, seq: i }));
    const a = orderedCreate(renum, names(5));
    expect(a.ok).toBe(false);
    expect(orderedCreateLinear(renum, names(5))).toEqual(a);
    // a pod that never appears
    const missing = renum.filter((e) => e.name !== 'web-4');
    expect(orderedCreateLinear(missing, names(5))).toEqual(orderedCreate(missing, names(5)));
  });

  it('milestones per pod', () => {
    const m = milestones(syntheticOrderedStream('web', 3), names(3));
    expect(m.map((x) => [x.added, x.bound, x.ready])).toEqual([
      [0, 10, 20],
      [30, 40, 50],
      [60, 70, 80],
    ]);
  });
});
