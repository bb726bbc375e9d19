import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import type { ObservedEvent } from '../src/kube/watch.ts';
import { gracefulStopVerdict, maintenanceVerdict, observedStops } from '../src/app/verdicts.ts';

// Deletion requested at T0 with grace 30 s: deletionTimestamp = T0 + 30 s.
const T0 = Date.parse('2026-12-07T10:00:00Z');
const iso = (ms: number): Date => new Date(ms);
type C = { exitCode: number; finishedMs: number; reason?: string } | 'running';
function pod(name: string, uid: string, o: { deletion?: { at: number; grace: number }; containers?: C[] } = {}): V1Pod {
  return {
    metadata: {
      name,
      uid,
      ...(o.deletion ? { deletionTimestamp: iso(o.deletion.at + o.deletion.grace * 1000), deletionGracePeriodSeconds: o.deletion.grace } : {}),
    },
    status: {
      containerStatuses: (o.containers ?? ['running']).map((c, i) => ({
        name: `c${i}`,
        image: 'x',
        imageID: '',
        ready: c === 'running',
        restartCount: 0,
        state:
          c === 'running'
            ? { running: { startedAt: iso(T0 - 60_000) } }
            : { terminated: { exitCode: c.exitCode, finishedAt: iso(c.finishedMs), reason: c.reason ?? 'Completed' } },
      })),
    },
  };
}
let seq = 0;
const ev = (t: number, type: ObservedEvent<V1Pod>['type'], object: V1Pod): ObservedEvent<V1Pod> => ({ seq: seq++, t, type, object });

/** web-0 deleted with grace 30 at T0 (watch time 1000 ms), exits at T0+1 s, the kubelet's final delete (grace 0) at T0+2 s. */
function cleanStop(c: C = { exitCode: 0, finishedMs: T0 + 1000 }): ObservedEvent<V1Pod>[] {
  return [
    ev(0, 'ADDED', pod('web-0', 'u1')),
    ev(1000, 'MODIFIED', pod('web-0', 'u1', { deletion: { at: T0, grace: 30 } })),
    ev(2000, 'MODIFIED', pod('web-0', 'u1', { deletion: { at: T0, grace: 30 }, containers: [c] })),
    // The kubelet's own delete with grace 0 moves deletionTimestamp: the first one must be kept.
    ev(2100, 'DELETED', pod('web-0', 'u1', { deletion: { at: T0 + 2000, grace: 0 }, containers: [c] })),
    ev(3000, 'ADDED', pod('web-0', 'u2')),
  ];
}

describe('A6.1 graceful stop', () => {
  it('keeps the first deletion: its grace period and request time', () => {
    const [s] = observedStops(cleanStop(), 'web');
    expect(s).toMatchObject({ pod: 'web-0', uid: 'u1', graceS: 30, requestedMs: T0, seenDeletingAt: 1000, goneAt: 2100 });
    expect(s!.containers).toEqual([{ name: 'c0', exitCode: 0, reason: 'Completed', finishedMs: T0 + 1000 }]);
  });

  it('ignores other sets, pods never deleted, and events before the deletion', () => {
    const events = [
      ...cleanStop(),
      ev(4000, 'MODIFIED', pod('web-extra-0', 'x', { deletion: { at: T0, grace: 30 } })),
      ev(5000, 'MODIFIED', pod('web-1', 'u3')),
    ];
    expect(observedStops(events, 'web').map((s) => s.uid)).toEqual(['u1']);
  });

  it('passes a container that exits on SIGTERM before its grace period ends', () => {
    const v = gracefulStopVerdict(observedStops(cleanStop(), 'web'), new Map());
    expect(v.ok, v.reason).toBe(true);
    expect(v.reason).toContain('1 pod stop(s) (web-0)');
  });

  it('fails a container killed at the end of the grace period (137)', () => {
    const v = gracefulStopVerdict(observedStops(cleanStop({ exitCode: 137, finishedMs: T0 + 30_000, reason: 'Error' }), 'web'), new Map());
    expect(v.ok).toBe(false);
    expect(v.reason).toContain('container c0 was killed (exit code 137, Error)');
    expect(v.reason).toContain('stopped 30 s after the deletion, not before its grace period of 30 s ended');
  });

  it('fails a preStop hook that overran: the container stops after the grace period, though with exit code 0', () => {
    const v = gracefulStopVerdict(observedStops(cleanStop({ exitCode: 0, finishedMs: T0 + 32_000 }), 'web'), new Map());
    expect(v.ok).toBe(false);
    expect(v.reason).toContain('stopped 32 s after the deletion');
  });

  it('fails a pod gone later than grace + 10 s, a FailedPreStopHook event, and a stop never seen to end', () => {
    const slow = cleanStop().map((e) => (e.type === 'DELETED' ? { ...e, t: 1000 + 41_000 } : e));
    expect(gracefulStopVerdict(observedStops(slow, 'web'), new Map()).reason).toContain('gone 41.0 s after its deletion, over its grace period 30 s + 10 s');
    const hook = gracefulStopVerdict(observedStops(cleanStop(), 'web'), new Map([['web-0', ['PreStopHook failed: exit 1']]]));
    expect(hook).toMatchObject({ ok: false });
    expect(hook.reason).toContain('FailedPreStopHook: PreStopHook failed: exit 1');
    const open = cleanStop().slice(0, 2);
    const v = gracefulStopVerdict(observedStops(open, 'web'), new Map());
    expect(v.reason).toContain('web-0 (uid u1) was never seen gone');
    expect(v.reason).toContain('container c0 was never seen terminated');
  });

  it('fails when no pod was deleted: nothing was shown', () => {
    expect(gracefulStopVerdict([], new Map())).toEqual({ ok: false, reason: 'no pod was deleted during the run: nothing showed how its pods stop' });
  });
});

describe('A5.2 evictions and drains under the PDB', () => {
  const pdb = { name: 'web-pdb', sets: ['web'], expected: 2, desiredHealthy: 1 };
  const ok = {
    pdb,
    accepted: ['web-1'],
    refused: { pod: 'web-0', code: 429, message: 'Cannot evict pod as it would violate the pod’s disruption budget.' },
    drains: [
      { node: 'w1', exitCode: 0, seconds: 3.1, errors: [] },
      { node: 'w2', exitCode: 0, seconds: 2.9, errors: [] },
    ],
    fewestReady: 1,
  };

  it('passes N - D evictions accepted, the next refused with 429, every drain done, never fewer than D Ready', () => {
    const v = maintenanceVerdict(ok);
    expect(v.ok, v.reason).toBe(true);
    expect(v.reason).toContain('1 eviction(s) accepted (web-1), the next (web-0) refused with 429');
  });

  it('fails more evictions than the PDB allows, a refusal other than 429, a failed drain, and too few Ready', () => {
    expect(maintenanceVerdict({ ...ok, accepted: ['web-1', 'web-0'], refused: undefined }).reason).toContain(
      'allows 1 disruption(s), but 2 eviction(s) were accepted (web-1, web-0) and none was refused',
    );
    expect(maintenanceVerdict({ ...ok, refused: { pod: 'web-0', code: 500, message: 'more than one PodDisruptionBudget' } }).reason).toContain(
      'refused with HTTP 500, not 429',
    );
    const drain = maintenanceVerdict({ ...ok, drains: [{ node: 'w1', exitCode: 1, seconds: 150, errors: ['drain did not complete within 150s'] }] });
    expect(drain.reason).toContain('drain w1 failed after 150 s: drain did not complete within 150s');
    expect(maintenanceVerdict({ ...ok, fewestReady: 0, fewestAt: 'event #9, MODIFIED web-0' }).reason).toContain(
      'only 0 selected pod(s) were Ready (at event #9, MODIFIED web-0), fewer than desiredHealthy 1',
    );
  });

  it('fails a PDB that lets every pod go, and a run that drained nothing', () => {
    expect(maintenanceVerdict({ ...ok, pdb: { ...pdb, desiredHealthy: 0 } }).reason).toContain('protects nothing');
    expect(maintenanceVerdict({ ...ok, drains: [] }).reason).toContain('no node was drained');
  });
});
