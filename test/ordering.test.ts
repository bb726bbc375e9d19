import { describe, expect, it } from 'vitest';
import { concurrent, minReady, orderedCreate, orderedReplace, orderedTerminate, type PodEvent } from '../src/ordering.ts';

/** Builds a recorded stream from compact steps: "ADDED web-0", "READY web-0", "TERM web-1", "DELETED web-1". */
function stream(...steps: string[]): PodEvent[] {
  const uids = new Map<string, number>();
  const out: PodEvent[] = [];
  steps.forEach((step, seq) => {
    const [op, name] = step.split(' ') as [string, string];
    if (op === 'ADDED') uids.set(name, (uids.get(name) ?? 0) + 1);
    const uid = `${name}-uid${uids.get(name) ?? 0}`;
    const base = { seq, t: seq * 100, name, uid };
    switch (op) {
      case 'ADDED':
        out.push({ ...base, type: 'ADDED', phase: 'Pending', ready: false, deleting: false });
        break;
      case 'RUNNING':
        out.push({ ...base, type: 'MODIFIED', phase: 'Running', ready: false, deleting: false });
        break;
      case 'READY':
        out.push({ ...base, type: 'MODIFIED', phase: 'Running', ready: true, deleting: false });
        break;
      case 'TERM':
        out.push({ ...base, type: 'MODIFIED', phase: 'Running', ready: true, deleting: true });
        break;
      case 'DELETED':
        out.push({ ...base, type: 'DELETED', phase: 'Running', ready: false, deleting: true });
        break;
      default:
        throw new Error(`bad step ${step}`);
    }
  });
  return out;
}

describe('orderedCreate', () => {
  it('passes when each pod is added after its predecessor is Running+Ready', () => {
    const ev = stream('ADDED web-0', 'RUNNING web-0', 'READY web-0', 'ADDED web-1', 'READY web-1');
    expect(orderedCreate(ev, ['web-0', 'web-1']).ok).toBe(true);
  });
  it('fails for Parallel creation (web-1 added before web-0 Ready)', () => {
    const ev = stream('ADDED web-0', 'ADDED web-1', 'READY web-0', 'READY web-1');
    const v = orderedCreate(ev, ['web-0', 'web-1']);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/web-1 was created .* while web-0 was not Running\+Ready/);
  });
  it('fails when a pod is added while its predecessor is Running but not Ready', () => {
    const ev = stream('ADDED web-0', 'RUNNING web-0', 'ADDED web-1');
    expect(orderedCreate(ev, ['web-0', 'web-1']).ok).toBe(false);
  });
  it('fails when a pod is never created', () => {
    const ev = stream('ADDED web-0', 'READY web-0');
    expect(orderedCreate(ev, ['web-0', 'web-1']).reason).toMatch(/web-1 was never created/);
  });
  it('scale-up from an existing Ready predecessor (fromSeq) passes', () => {
    const ev = stream('ADDED web-1', 'READY web-1', 'ADDED web-2', 'READY web-2', 'ADDED web-3', 'READY web-3');
    expect(orderedCreate(ev, ['web-1', 'web-2', 'web-3'], 2).ok).toBe(false); // web-1 not re-added after #2
    expect(orderedCreate(ev, ['web-2', 'web-3'], 2).ok).toBe(true);
    expect(orderedCreate(ev, ['web-2', 'web-3'], 2, 'web-1').ok).toBe(true);
  });
  it('scale-up checks the existing predecessor too', () => {
    const ev = stream('ADDED web-1', 'ADDED web-2', 'READY web-1', 'READY web-2');
    expect(orderedCreate(ev, ['web-2'], 1, 'web-1').ok).toBe(false);
    expect(orderedCreate(ev, ['web-2'], 1).ok).toBe(true);
  });
  it('flags a creationTimestamp well before the predecessor became Ready', () => {
    const ev = stream('ADDED web-0', 'READY web-0', 'ADDED web-1').map((e) =>
      e.name === 'web-0' && e.ready
        ? { ...e, readyTransition: '2026-01-01T00:00:10Z' }
        : e.name === 'web-1'
          ? { ...e, creationTimestamp: '2026-01-01T00:00:05Z' }
          : e,
    );
    expect(orderedCreate(ev, ['web-0', 'web-1']).ok).toBe(false);
  });
});

describe('orderedTerminate', () => {
  it('passes when web-3 starts terminating after web-4 is DELETED', () => {
    const ev = stream('TERM web-4', 'DELETED web-4', 'TERM web-3', 'DELETED web-3');
    expect(orderedTerminate(ev, ['web-4', 'web-3']).ok).toBe(true);
  });
  it('fails when both terminate together', () => {
    const ev = stream('TERM web-4', 'TERM web-3', 'DELETED web-4', 'DELETED web-3');
    expect(orderedTerminate(ev, ['web-4', 'web-3']).ok).toBe(false);
  });
  it('fails when the wrong ordinal goes first', () => {
    const ev = stream('TERM web-3', 'DELETED web-3', 'TERM web-4', 'DELETED web-4');
    expect(orderedTerminate(ev, ['web-4', 'web-3']).ok).toBe(false);
  });
});

describe('concurrent', () => {
  it('passes for Parallel creation', () => {
    const ev = stream('ADDED web-2', 'ADDED web-3', 'READY web-3', 'READY web-2');
    expect(concurrent(ev, ['web-2', 'web-3'], 'create').ok).toBe(true);
  });
  it('fails for ordered creation', () => {
    const ev = stream('ADDED web-2', 'READY web-2', 'ADDED web-3', 'READY web-3');
    expect(concurrent(ev, ['web-2', 'web-3'], 'create').ok).toBe(false);
  });
  it('passes for Parallel scale-down and fails for ordered scale-down', () => {
    const par = stream('TERM web-3', 'TERM web-2', 'TERM web-1', 'DELETED web-2', 'DELETED web-3', 'DELETED web-1');
    expect(concurrent(par, ['web-3', 'web-2', 'web-1'], 'delete').ok).toBe(true);
    const seq = stream('TERM web-3', 'DELETED web-3', 'TERM web-2', 'DELETED web-2');
    expect(concurrent(seq, ['web-3', 'web-2'], 'delete').ok).toBe(false);
  });
  it('fails when the starts are spread beyond the window', () => {
    const ev = stream('ADDED a', 'ADDED b').map((e) => (e.name === 'b' ? { ...e, t: 5000 } : e));
    expect(concurrent(ev, ['a', 'b'], 'create', 0, 2000).ok).toBe(false);
  });
});

describe('orderedReplace', () => {
  it('passes for a rolling update web-2, web-1, web-0', () => {
    const ev = stream(
      'TERM web-2',
      'DELETED web-2',
      'ADDED web-2',
      'READY web-2',
      'TERM web-1',
      'DELETED web-1',
      'ADDED web-1',
      'READY web-1',
      'TERM web-0',
      'DELETED web-0',
      'ADDED web-0',
      'READY web-0',
    );
    expect(orderedReplace(ev, ['web-2', 'web-1', 'web-0']).ok).toBe(true);
  });
  it('fails when web-1 is deleted before the new web-2 is Ready', () => {
    const ev = stream('TERM web-2', 'DELETED web-2', 'ADDED web-2', 'TERM web-1', 'READY web-2');
    expect(orderedReplace(ev, ['web-2', 'web-1']).ok).toBe(false);
  });
  it('fails when the order is wrong', () => {
    const ev = stream('TERM web-0', 'DELETED web-0', 'ADDED web-0', 'READY web-0', 'TERM web-1');
    expect(orderedReplace(ev, ['web-1', 'web-0']).ok).toBe(false);
  });
});

describe('minReady', () => {
  it('finds the low point of Ready pods during a rolling update', () => {
    const ev = stream(
      'ADDED zk-0',
      'READY zk-0',
      'ADDED zk-1',
      'READY zk-1',
      'ADDED zk-2',
      'READY zk-2',
      'TERM zk-2',
      'DELETED zk-2',
      'ADDED zk-2',
      'READY zk-2',
    );
    expect(minReady(ev, ['zk-0', 'zk-1', 'zk-2'], 6).min).toBe(2);
  });
  it('reports 1 when two members are down at once', () => {
    const ev = stream('ADDED zk-0', 'READY zk-0', 'ADDED zk-1', 'READY zk-1', 'ADDED zk-2', 'READY zk-2', 'TERM zk-2', 'TERM zk-1', 'DELETED zk-2');
    const r = minReady(ev, ['zk-0', 'zk-1', 'zk-2'], 6);
    expect(r.min).toBe(1);
    expect(r.at?.name).toBe('zk-1');
  });
});
