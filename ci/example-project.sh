#!/usr/bin/env bash
# The package as a user gets it: `npm pack` (which builds dist/), installed into examples/my-app (a project of its
# own), whose one scenario then runs through the installed `stateful-e2e` bin. Nothing under src/ knows about it.
# Usage: ci/example-project.sh [provider] (default kwok). Exit code: the e2e run's.
set -euo pipefail
cd "$(dirname "$0")/.."
provider=${1:-kwok}
rm -f stateful-e2e-*.tgz
tgz=$(npm pack --silent | tail -1)
echo "example-project: packed $tgz ($(du -h "$tgz" | cut -f1), $(tar -tzf "$tgz" | wc -l) files)"
cd examples/my-app
rm -rf node_modules package-lock.json reports
# The project names the tarball by file (its package.json); npm resolves the harness's own dependencies from the registry.
npm install --no-audit --no-fund --loglevel=error
npx stateful-e2e --provider "$provider" --scenarios scenarios --report-dir reports
