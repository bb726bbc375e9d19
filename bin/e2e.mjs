#!/usr/bin/env node
// The `stateful-e2e` command (and `npm run e2e`): plain JS so an old Node gets a one-line error instead of a
// syntax error. In the repository it runs the TypeScript sources; an installed package runs the compiled dist/.
import { existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`error: Node.js >= 22 is required (this is ${process.version}); run \`export PATH=$(bash ci/install-node.sh):$PATH\``);
  process.exit(2);
}
const src = new URL('../src/cli.ts', import.meta.url);
await import(existsSync(src) ? src.href : '../dist/cli.js');
