#!/usr/bin/env bash
# Builds the pinned kwok controller and etcd from the published Go modules into a version-keyed cache outside
# the repo, and copies the kwok Stage documents the kwok provider loads at run time. A warm cache makes this a
# no-op. Binaries never go into the repo.
#   $E2E_CACHE/kwok-$KWOK_VERSION/kwok
#   $E2E_CACHE/kwok-$KWOK_VERSION/stages/{node-fast,node-heartbeat-with-lease,pod-fast}/*.yaml
#   $E2E_CACHE/etcd-$ETCD_VERSION/etcd
# Why a throwaway module for etcd: go.etcd.io/etcd/server/v3's go.mod carries replace directives, so
# `go install pkg@version` refuses it. Falls back to Debian's etcd-server package if the build fails.
set -euo pipefail
source "$(dirname "$0")/versions.sh"
export GOTOOLCHAIN=local CGO_ENABLED=0

kwok_dir="$E2E_CACHE/kwok-$KWOK_VERSION"
etcd_dir="$E2E_CACHE/etcd-$ETCD_VERSION"
# Stage folders inside the kwok module: kustomize/stage/<src> -> stages/<dst>
stage_sets=("node/fast:node-fast" "node/heartbeat-with-lease:node-heartbeat-with-lease" "pod/fast:pod-fast")

have_stages() {
  local s
  for s in "${stage_sets[@]}"; do
    compgen -G "$kwok_dir/stages/${s#*:}/*.yaml" >/dev/null || return 1
  done
}

if [ -x "$kwok_dir/kwok" ] && have_stages && [ -x "$etcd_dir/etcd" ]; then
  echo "build-kwok: cached: $kwok_dir/kwok, $kwok_dir/stages/ ($(find "$kwok_dir/stages" -name '*.yaml' | wc -l) stages), $etcd_dir/etcd"
  exit 0
fi

start=$(date +%s)
check_version() { # module version: fail early with a clear message if the proxy does not serve the pin
  if ! go list -m -versions "$1" 2>/dev/null | tr ' ' '\n' | grep -qx "$2"; then
    echo "build-kwok: $1@$2 is not served by the Go module proxy (available: $(go list -m -versions "$1" 2>/dev/null | cut -d' ' -f2- || true))" >&2
    return 1
  fi
}

if [ ! -x "$kwok_dir/kwok" ] || ! have_stages; then
  check_version sigs.k8s.io/kwok "$KWOK_VERSION"
  mkdir -p "$kwok_dir"
  if [ ! -x "$kwok_dir/kwok" ]; then
    echo "build-kwok: building kwok $KWOK_VERSION"
    GOBIN="$kwok_dir" GOFLAGS=-trimpath go install -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  fi
  mod=$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION
  [ -d "$mod" ] || go mod download "sigs.k8s.io/kwok@$KWOK_VERSION"
  rm -rf "$kwok_dir/stages.tmp"
  for s in "${stage_sets[@]}"; do
    mkdir -p "$kwok_dir/stages.tmp/${s#*:}"
    # Only the Stage documents: skip testdata/ (not descended into) and kustomization.yaml.
    find "$mod/kustomize/stage/${s%%:*}" -maxdepth 1 -name '*.yaml' ! -name kustomization.yaml \
      -exec install -m 0644 {} "$kwok_dir/stages.tmp/${s#*:}/" \;
  done
  rm -rf "$kwok_dir/stages"; mv "$kwok_dir/stages.tmp" "$kwok_dir/stages"
fi

if [ ! -x "$etcd_dir/etcd" ]; then
  mkdir -p "$etcd_dir"
  echo "build-kwok: building etcd $ETCD_VERSION"
  if check_version go.etcd.io/etcd/server/v3 "$ETCD_VERSION" && (
      # set -e does not apply inside an `if` condition, hence the && chain.
      work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT && cd "$work" &&
      go mod init e >/dev/null 2>&1 &&
      go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" &&
      GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$etcd_dir/etcd.tmp" go.etcd.io/etcd/server/v3
    ); then
    mv "$etcd_dir/etcd.tmp" "$etcd_dir/etcd"
  else
    echo "build-kwok: WARNING: building etcd $ETCD_VERSION failed; falling back to Debian's etcd-server package" >&2
    rm -f "$etcd_dir/etcd.tmp"
    command -v /usr/bin/etcd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server; }
    ln -sf /usr/bin/etcd "$etcd_dir/etcd"
    echo "build-kwok: using $(/usr/bin/etcd --version | head -1) from Debian instead of $ETCD_VERSION" >&2
  fi
fi

echo "build-kwok: built in $(( $(date +%s) - start ))s: $kwok_dir/kwok ($("$kwok_dir/kwok" --version 2>&1 | head -1))," \
  "$(find "$kwok_dir/stages" -name '*.yaml' | wc -l) stages, $etcd_dir/etcd ($("$etcd_dir/etcd" --version 2>&1 | head -1))"
