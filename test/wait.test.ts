import { describe, expect, it } from 'vitest';
import { poll, settleWithin, until, within } from '../src/wait.ts';
import { eventually } from '../src/eventually.ts';
import { Timeline, withTimeline } from '../src/timeline.ts';

describe('the wait utility', () => {
  it('poll returns the value once done, probing until then', async () => {
    let n = 0;
    const v = await poll(
      async () => (++n < 3 ? { done: false, missing: `n=${n}` } : { done: true, value: n }),
      { timeoutMs: 1000, intervalMs: 5 },
      (m) => new Error(m),
    );
    expect(v).toBe(3);
  });
  it('until names what was still missing when time is up, and counts a throwing probe as missing', async () => {
    await expect(
      until(
        async () => 'web-1 not Ready',
        { timeoutMs: 30, intervalMs: 10 },
        (m) => new Error(`timed out: ${m}`),
      ),
    ).rejects.toThrow('timed out: web-1 not Ready');
    await expect(
      until(
        async () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 20, intervalMs: 10 },
        (m) => new Error(m),
      ),
    ).rejects.toThrow('connection refused');
  });
  it('abortIf ends the wait with its own error', async () => {
    const abortIf = (): void => {
      throw new Error('kube-apiserver exited');
    };
    await expect(
      until(
        async () => 'x',
        { timeoutMs: 1000, abortIf },
        (m) => new Error(m),
      ),
    ).rejects.toThrow('kube-apiserver exited');
  });
  it('within rejects with what did not answer; settleWithin falls back instead', async () => {
    const never = new Promise<number>(() => undefined);
    await expect(within(20, 'list nodes', never)).rejects.toThrow('list nodes: no answer within 0.02s');
    expect(await within(20, 'x', Promise.resolve(1))).toBe(1);
    expect(await settleWithin(20, never, 'late')).toBe('late');
    expect(await settleWithin(20, Promise.resolve(2), 'late')).toBe(2);
  });
});

describe('eventually on the step timeline', () => {
  it('records a wait span from the first try to the try that passed; nothing when the first try passes', async () => {
    const tl = new Timeline();
    let n = 0;
    const v = await withTimeline(tl, async () => {
      await eventually('at once', 1000, async () => 'ok', 5);
      return eventually('third try', 1000, async () => (++n < 3 ? Promise.reject(new Error('not yet')) : n), 20);
    });
    expect(v).toBe(3);
    expect(tl.entries.map((e) => [e.kind, e.source, e.text])).toEqual([
      ['note', 'eventually', expect.stringMatching(/^third try: passed at try 3 \(0\.\ds\)$/)],
    ]);
    const d = tl.entries[0]!.data as { span: string; startMs: number; endMs: number };
    expect(d.span).toBe('wait');
    expect(d.endMs - d.startMs).toBeGreaterThanOrEqual(39); // two pauses of 20 ms before the third try
    expect(d.endMs).toBeLessThanOrEqual(tl.entries[0]!.t);
  });
  it('records the whole wait when it never passed; records nothing outside a step', async () => {
    const tl = new Timeline();
    await expect(withTimeline(tl, () => eventually('never', 30, async () => Promise.reject(new Error('no')), 10))).rejects.toThrow(
      'never: still failing after 0s: no',
    );
    expect(tl.entries.map((e) => e.text)).toEqual([expect.stringMatching(/^never: still failing after \d tries \(0\.\ds\)$/)]);
    await expect(eventually('outside', 30, async () => 1, 10)).resolves.toBe(1);
  });
});
