import { describe, expect, it } from 'vitest';
import { poll, settleWithin, until, within } from '../src/wait.ts';

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
