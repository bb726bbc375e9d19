import { describe, expect, it } from 'vitest';
import { execFailure, exitCodeOf } from '../src/kube/exec.ts';

describe('exec failures say what failed', () => {
  it('a command exit code is a result, an API refusal is not', () => {
    expect(exitCodeOf({ status: 'Success' })).toBe(0);
    expect(exitCodeOf({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } })).toBe(3);
    expect(exitCodeOf({ status: 'Failure', reason: 'BadRequest', message: 'container nginx is not valid for pod web-0' })).toBeUndefined();
  });
  it('unwraps what client-node rejects with instead of printing [object Object]', () => {
    expect(execFailure(new Error('boom'))).toBe('boom');
    expect(execFailure({ status: 'Failure', reason: 'NotFound', message: 'pods "web-9" not found', code: 404 })).toBe(
      'NotFound: pods "web-9" not found (HTTP 404)',
    );
    expect(execFailure({ type: 'error', error: new Error('Unexpected server response: 400') })).toBe('Unexpected server response: 400');
    expect(execFailure({ weird: 1 })).toBe('{"weird":1}');
    expect(execFailure({})).not.toBe('[object Object]');
  });
});
