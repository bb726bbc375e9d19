/** Where the kind binary is. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { cacheDir, PINS } from '../pins.ts';

/** kind: KIND_BINARY, else `kind` on PATH, else the pinned build from ci/build-kind.sh. */
export async function findKind(): Promise<string | undefined> {
  if (process.env.KIND_BINARY) return existsSync(process.env.KIND_BINARY) ? process.env.KIND_BINARY : undefined;
  const onPath = await $`command -v kind`.nothrow();
  if (onPath.exitCode === 0) return onPath.stdout.trim();
  const built = path.join(cacheDir(), `kind-${PINS.kind}`, 'kind');
  return existsSync(built) ? built : undefined;
}
