import { describe, expect, it } from 'vitest';
import {
  addedWhileReady,
  concurrent,
  minReady,
  orderedCreate,
  orderedReplace,
  orderedTerminate,
  podReplaced,
  podsReplaced,
  runningBeforeReady,
  restartedInPlace,
  type PodEvent,
} from '../src/ordering.ts';

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

/** One recorded event with an explicit uid (the stream() helper derives uids from ADDED, which a lossy log lacks). */
function ev(seq: number, type: PodEvent['type'], name: string, uid: string, state: 'Pending' | 'Running' | 'Ready', extra: Partial<PodEvent> = {}): PodEvent {
  return { seq, t: seq * 100, type, name, uid, phase: state === 'Pending' ? 'Pending' : 'Running', ready: state === 'Ready', deleting: false, ...extra };
}

describe('orderedCreate ties the predecessor Ready to its current incarnation (issue 12)', () => {
  it('fails when web-1 is ADDED while only the previous incarnation of web-0 had been Ready (the new one logged as MODIFIED)', () => {
    // What a relist that recorded a recreated pod as MODIFIED leaves: web-0 u2 replaced u1 at an unknown moment.
    const log = [
      ev(0, 'ADDED', 'web-0', 'u1', 'Pending'),
      ev(1, 'MODIFIED', 'web-0', 'u1', 'Ready'),
      ev(2, 'ADDED', 'web-1', 'w1', 'Pending'),
      ev(3, 'MODIFIED', 'web-0', 'u2', 'Running'),
      ev(4, 'MODIFIED', 'web-0', 'u2', 'Ready'),
      ev(5, 'MODIFIED', 'web-1', 'w1', 'Ready'),
    ];
    const v = orderedCreate(log, ['web-0', 'web-1']);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/only the previous incarnation of web-0 \(uid u1\)/);
  });
  it('fails when the new incarnation is ADDED without the old one being DELETED first', () => {
    const log = [
      ev(0, 'ADDED', 'web-0', 'u1', 'Pending'),
      ev(1, 'MODIFIED', 'web-0', 'u1', 'Ready'),
      ev(2, 'ADDED', 'web-1', 'w1', 'Pending'),
      ev(3, 'ADDED', 'web-0', 'u2', 'Running'),
    ];
    expect(orderedCreate(log, ['web-0', 'web-1']).ok).toBe(false);
  });
  it('fails when the replacement of web-0 was created before web-1 (creationTimestamp), though logged after it', () => {
    const log = [
      ev(0, 'ADDED', 'web-0', 'u1', 'Pending', { creationTimestamp: '2026-01-01T00:00:00Z' }),
      ev(1, 'MODIFIED', 'web-0', 'u1', 'Ready', { creationTimestamp: '2026-01-01T00:00:00Z' }),
      ev(2, 'ADDED', 'web-1', 'w1', 'Pending', { creationTimestamp: '2026-01-01T00:00:20Z' }),
      ev(3, 'DELETED', 'web-0', 'u1', 'Running'),
      ev(4, 'ADDED', 'web-0', 'u2', 'Running', { creationTimestamp: '2026-01-01T00:00:10Z' }),
    ];
    expect(orderedCreate(log, ['web-0', 'web-1']).reason).toMatch(/uid u2 .* was created at 2026-01-01T00:00:10Z, before web-1/);
  });
  it('passes when web-0 is replaced only after web-1 was created', () => {
    const log = [
      ev(0, 'ADDED', 'web-0', 'u1', 'Pending', { creationTimestamp: '2026-01-01T00:00:00Z' }),
      ev(1, 'MODIFIED', 'web-0', 'u1', 'Ready', { creationTimestamp: '2026-01-01T00:00:00Z' }),
      ev(2, 'ADDED', 'web-1', 'w1', 'Pending', { creationTimestamp: '2026-01-01T00:00:20Z' }),
      ev(3, 'MODIFIED', 'web-0', 'u1', 'Ready', { deleting: true }),
      ev(4, 'DELETED', 'web-0', 'u1', 'Running'),
      ev(5, 'ADDED', 'web-0', 'u2', 'Pending', { creationTimestamp: '2026-01-01T00:00:30Z' }),
    ];
    expect(orderedCreate(log, ['web-0', 'web-1']).ok).toBe(true);
  });
});

describe('addedWhileReady (S3 [3.8]: cassandra-3 after 0..2 are Ready)', () => {
  // cassandra-0 drops out of Ready (readiness probe) just before cassandra-3 is created.
  const log = stream(
    'ADDED cassandra-0',
    'READY cassandra-0',
    'ADDED cassandra-1',
    'READY cassandra-1',
    'ADDED cassandra-2',
    'READY cassandra-2',
    'RUNNING cassandra-0',
    'ADDED cassandra-3',
    'READY cassandra-0',
    'READY cassandra-3',
  );
  it('fails when cassandra-0 is not Ready at cassandra-3 ADDED, which the predecessor-only check accepted', () => {
    expect(orderedCreate(log, ['cassandra-3'], 6, 'cassandra-2').ok).toBe(true); // the old [3.8] check
    const v = addedWhileReady(log, 'cassandra-3', ['cassandra-0', 'cassandra-1', 'cassandra-2'], 6);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/cassandra-3 was created .* while cassandra-0 was not Running\+Ready/);
  });
  it('passes when all three are Ready', () => {
    const ok = stream(
      'ADDED cassandra-0',
      'READY cassandra-0',
      'ADDED cassandra-1',
      'READY cassandra-1',
      'ADDED cassandra-2',
      'READY cassandra-2',
      'ADDED cassandra-3',
    );
    expect(addedWhileReady(ok, 'cassandra-3', ['cassandra-0', 'cassandra-1', 'cassandra-2'], 6).ok).toBe(true);
    expect(addedWhileReady(ok, 'cassandra-3', [], 6).ok).toBe(false);
  });
});

describe('runningBeforeReady (S4 [4.2]: Running 0/1 before Ready)', () => {
  const oldCheck = (log: PodEvent[], m: string) => log.some((e) => e.name === m && e.phase === 'Running' && !e.ready);
  it('fails when the pod went straight to Ready and was not Ready only afterwards, which the old check accepted', () => {
    const log = stream('ADDED zk-0', 'READY zk-0', 'RUNNING zk-0', 'READY zk-0');
    expect(oldCheck(log, 'zk-0')).toBe(true);
    const v = runningBeforeReady(log, 'zk-0');
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/became Ready .* without first being seen Running and not Ready/);
  });
  it('passes for ADDED, Running 0/1, Ready', () => {
    expect(runningBeforeReady(stream('ADDED zk-0', 'RUNNING zk-0', 'READY zk-0'), 'zk-0').ok).toBe(true);
  });
  it('does not count a Running 0/1 of an earlier incarnation, nor one while terminating', () => {
    const earlier = stream('ADDED zk-0', 'RUNNING zk-0', 'DELETED zk-0', 'ADDED zk-0', 'READY zk-0');
    expect(runningBeforeReady(earlier, 'zk-0', 3).ok).toBe(false);
    const terminating = [
      ev(0, 'ADDED', 'zk-0', 'a', 'Pending'),
      ev(1, 'MODIFIED', 'zk-0', 'a', 'Running', { deleting: true }),
      ev(2, 'MODIFIED', 'zk-0', 'a', 'Ready'),
    ];
    expect(runningBeforeReady(terminating, 'zk-0').ok).toBe(false);
  });
  it('fails when the pod never becomes Ready', () => {
    expect(runningBeforeReady(stream('ADDED zk-0', 'RUNNING zk-0'), 'zk-0').reason).toMatch(/never seen Running\+Ready/);
  });
});

describe('podReplaced / podsReplaced (S1 noPodReplaced)', () => {
  const before = new Map([
    ['web-0', 'a0'],
    ['web-1', 'a1'],
  ]);
  it('counts a pod recreated under the same name (new uid, logged as MODIFIED) as replaced, which the type-only check missed', () => {
    const e = ev(5, 'MODIFIED', 'web-1', 'b1', 'Ready');
    const oldCheck = e.type === 'ADDED' || e.type === 'DELETED' || e.deleting;
    expect(oldCheck).toBe(false);
    expect(podReplaced(e, before)).toMatch(/web-1 was replaced: uid a1 when the window started, uid b1 now/);
  });
  it('flags creation, deletion and an unknown pod; ignores a status change of the same pod', () => {
    expect(podReplaced(ev(1, 'ADDED', 'web-2', 'c', 'Pending'), before)).toMatch(/created/);
    expect(podReplaced(ev(1, 'MODIFIED', 'web-0', 'a0', 'Ready', { deleting: true }), before)).toMatch(/deleted/);
    expect(podReplaced(ev(1, 'MODIFIED', 'web-3', 'd', 'Ready'), before)).toMatch(/did not exist when the window started/);
    expect(podReplaced(ev(1, 'MODIFIED', 'web-0', 'a0', 'Running'), before)).toBeUndefined();
  });
  it('compares snapshots by uid', () => {
    expect(podsReplaced(before, new Map(before))).toBeUndefined();
    expect(podsReplaced(before, new Map([...before, ['web-1', 'b1']]))).toMatch(/web-1 was replaced/);
    expect(podsReplaced(before, new Map([['web-0', 'a0']]))).toMatch(/web-1 .* is gone/);
    expect(podsReplaced(before, new Map([...before, ['web-2', 'c']]))).toMatch(/web-2 .* was created/);
  });
});

describe('restartedInPlace (4.16: Error → Running → Ready in place)', () => {
  const ev = (seq: number, over: Partial<PodEvent>): PodEvent => ({
    seq,
    t: seq * 100,
    type: 'MODIFIED',
    name: 'zk-0',
    uid: 'u1',
    phase: 'Running',
    ready: true,
    deleting: false,
    restarts: 0,
    containerState: 'running',
    ...over,
  });
  it('holds for Error, then Running not Ready, then Ready with restartCount + 1, same UID', () => {
    const events = [
      ev(1, { ready: false, containerState: 'terminated:Error' }),
      ev(2, { ready: false, restarts: 1, lastTermination: 'Error' }),
      ev(3, { restarts: 1, lastTermination: 'Error' }),
    ];
    expect(restartedInPlace(events, 'zk-0', 'u1', 0).ok).toBe(true);
  });
  it('the old check passed on Ready with restartCount + 1 alone; without a not-Ready event it fails', () => {
    const v = restartedInPlace([ev(1, { restarts: 0 }), ev(2, { restarts: 1, lastTermination: 'Error' })], 'zk-0', 'u1', 0);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/never seen not Ready/);
  });
  it('fails when the container stopped cleanly (no Error), when the pod was replaced, or when it restarted twice', () => {
    const clean = [ev(1, { ready: false, containerState: 'terminated:Completed' }), ev(2, { restarts: 1, lastTermination: 'Completed' })];
    expect(restartedInPlace(clean, 'zk-0', 'u1', 0).reason).toMatch(/without an Error termination/);
    const replaced = [ev(1, { ready: false }), ev(2, { uid: 'u2', restarts: 1, lastTermination: 'Error' })];
    expect(restartedInPlace(replaced, 'zk-0', 'u1', 0).reason).toMatch(/replaced or deleted/);
    const twice = [ev(1, { ready: false, containerState: 'terminated:Error' }), ev(2, { restarts: 2, lastTermination: 'Error' })];
    expect(restartedInPlace(twice, 'zk-0', 'u1', 0).reason).toMatch(/restartCount 2, expected 1/);
  });
});
