#!/usr/bin/env node
// Entry point of `npm run e2e`: plain JS so an old Node gets a one-line error instead of a syntax error.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`error: Node.js >= 22 is required (this is ${process.version}); run \`export PATH=$(bash ci/install-node.sh):$PATH\``);
  process.exit(2);
}
await import('../src/cli.ts');
