/** Test helper: the message of the HarnessError `f` throws, asserted to be one line (bad input is one line, exit 2). */
import { expect } from 'vitest';
import { HarnessError } from '../src/errors.ts';

export const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(HarnessError);
    const m = (err as Error).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error('expected a HarnessError');
};
