import { describe, expect, it } from 'vitest';
import { deletedByKubectl, kubectlFailure } from '../src/kube/kubectl.ts';

describe('deletedByKubectl', () => {
  it('reads kind/name from each "deleted" line, old and new wording, and ignores the rest', () => {
    const out = [
      'secret "mysql-pass-5c8h5b7k2t" deleted',
      'service "wordpress" deleted from e2e-1 namespace',
      'deployment.apps "wordpress-mysql" deleted',
      'persistentvolumeclaim "wp-pv-claim" deleted',
      'Warning: something',
    ].join('\n');
    expect(deletedByKubectl(out)).toEqual([
      'secret/mysql-pass-5c8h5b7k2t',
      'service/wordpress',
      'deployment/wordpress-mysql',
      'persistentvolumeclaim/wp-pv-claim',
    ]);
    expect(deletedByKubectl('')).toEqual([]);
  });
  it('says the command, its exit code and its last line on failure', () => {
    expect(kubectlFailure(['rollout', 'undo', 'sts/zk'], { exitCode: 1, stdout: '', stderr: 'error: no rollout history found\n' })).toBe(
      'kubectl rollout undo sts/zk exited 1: error: no rollout history found',
    );
  });
});
