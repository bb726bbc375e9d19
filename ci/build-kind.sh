#!/bin/bash
# Build kind $KIND_VERSION from the Go module proxy into $E2E_CACHE/kind-$KIND_VERSION/kind (cached).
# Prints the binary path on stdout (last line). Needs only the Go toolchain and the module proxy.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/versions.sh"
OUT=$E2E_CACHE/kind-$KIND_VERSION
if [ -x "$OUT/kind" ] && "$OUT/kind" version 2>/dev/null | grep -q "kind ${KIND_VERSION} "; then
  echo "$OUT/kind"; exit 0
fi
mkdir -p "$OUT"
start=$(date +%s)
# CGO off: a static binary that also runs inside containers; -trimpath for reproducibility.
GOBIN=$OUT CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -trimpath" go install "sigs.k8s.io/kind@${KIND_VERSION}" >&2
"$OUT/kind" version >&2
echo "build-kind: built in $(($(date +%s) - start))s" >&2
echo "$OUT/kind"
