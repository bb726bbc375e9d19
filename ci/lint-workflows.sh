#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint, pinned and built from its Go module into a version-keyed cache
# outside the repo (a warm cache makes the build a no-op):
#   $E2E_CACHE/actionlint-$ACTIONLINT_VERSION/actionlint
# Usage:
#   ci/lint-workflows.sh            build actionlint if needed (and Go is there), then lint; exit 1 on findings
#   ci/lint-workflows.sh --install  only build it
#   ci/lint-workflows.sh --where    print the binary's path (whether or not it exists); builds nothing
# Without a cached binary and without Go, it says so and exits 0: test/workflow.test.ts still checks structure.
# The pin must be served by the Go module proxy: `go list -m -versions github.com/rhysd/actionlint`.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/versions.sh
ACTIONLINT_VERSION=${ACTIONLINT_VERSION:-v1.7.12}
dir="$E2E_CACHE/actionlint-$ACTIONLINT_VERSION"
bin="$dir/actionlint"

case "${1:-}" in
  --where) echo "$bin"; exit 0 ;;
  --install|'') ;;
  *) echo "usage: ci/lint-workflows.sh [--install|--where]" >&2; exit 2 ;;
esac

if [ ! -x "$bin" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "lint-workflows: no Go toolchain and no cached $bin: actionlint not run"
    exit 0
  fi
  echo "lint-workflows: building actionlint $ACTIONLINT_VERSION into $dir"
  mkdir -p "$dir"
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$dir" GOFLAGS=-trimpath \
    go install -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
[ "${1:-}" = --install ] && { echo "lint-workflows: $bin"; exit 0; }

shopt -s nullglob
files=(.github/workflows/*.yml .github/workflows/*.yaml)
[ "${#files[@]}" -gt 0 ] || { echo "lint-workflows: no workflow files"; exit 0; }
# actionlint also runs ShellCheck and pyflakes on run: scripts when they are on PATH; neither is required.
"$bin" -no-color "${files[@]}"
echo "lint-workflows: actionlint $ACTIONLINT_VERSION: ${files[*]} ok"
