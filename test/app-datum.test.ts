import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { podPort } from '../src/app/datum.ts';

describe('podPort (the adapter datum port)', () => {
  const pod: V1Pod = {
    metadata: { name: 'zk-0' },
    spec: {
      containers: [
        {
          name: 'zk',
          ports: [
            { name: 'client', containerPort: 2181 },
            { name: 'server', containerPort: 2888 },
          ],
        },
      ],
    },
  };
  it('takes a number as it is, and looks a name up among the containers ports', () => {
    expect(podPort(pod, 9042)).toBe(9042);
    expect(podPort(pod, 'server')).toBe(2888);
  });
  it('names the pod and the port when no container has it', () => {
    expect(() => podPort(pod, 'cql')).toThrow('zk-0 has no container port named cql');
  });
});
