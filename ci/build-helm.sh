#!/bin/bash
# Build helm $HELM_VERSION from the Go module proxy into $E2E_CACHE/helm-$HELM_VERSION/helm (cached). The harness
# renders `--app CHART` with `helm template`, and finds helm there ($E2E_HELM first, helm on PATH last).
# Prints the binary path on stdout (last line). Needs only the Go toolchain and the module proxy.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/versions.sh"
OUT=$E2E_CACHE/helm-$HELM_VERSION
MODULE=helm.sh/helm/${HELM_VERSION%%.*} # the module path follows the major version: helm.sh/helm/v4, helm.sh/helm/v3
if [ -x "$OUT/helm" ] && [ "$("$OUT/helm" version --template '{{.Version}}' 2>/dev/null)" = "$HELM_VERSION" ]; then
  echo "$OUT/helm"; exit 0
fi
mkdir -p "$OUT"
start=$(date +%s)
# CGO off: a static binary; -trimpath and stripped (-s -w) as helm's own Makefile builds it, which also stamps the
# version (else `helm version` says only the minor, e.g. v4.3).
GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN=$OUT go install -trimpath \
  -ldflags "-s -w -X $MODULE/internal/version.version=$HELM_VERSION" "$MODULE/cmd/helm@${HELM_VERSION}" >&2
"$OUT/helm" version >&2
echo "build-helm: built $MODULE@$HELM_VERSION in $(($(date +%s) - start))s" >&2
echo "$OUT/helm"
