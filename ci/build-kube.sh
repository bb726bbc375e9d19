#!/usr/bin/env bash
# Builds pinned Kubernetes server binaries from the published Go modules into a version-keyed cache
# outside the repo. A warm cache makes this a no-op.
#   ci/build-kube.sh [component ...]   (default: kube-apiserver kube-controller-manager kube-scheduler)
# Why a throwaway module: k8s.io/kubernetes' go.mod replaces every k8s.io/<staging> module with ./staging/...,
# and `go install pkg@version` refuses modules with replace directives. Replacing each staging module with its
# published v0.X.Y tag gives the same code.
set -euo pipefail
source "$(dirname "$0")/versions.sh"
comps=("$@"); [ ${#comps[@]} -gt 0 ] || comps=(kube-apiserver kube-controller-manager kube-scheduler)
out="$E2E_CACHE/kubernetes-$K8S_VERSION"; mkdir -p "$out"
missing=(); for c in "${comps[@]}"; do [ -x "$out/$c" ] || missing+=("$c"); done
if [ ${#missing[@]} -eq 0 ]; then echo "build-kube: cached in $out (${comps[*]})"; exit 0; fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
start=$(date +%s)
work="$E2E_CACHE/build/kube-$K8S_VERSION"; mkdir -p "$work"; cd "$work"
if [ ! -f go.mod ]; then
  go mod init local/kbuild >/dev/null 2>&1
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  staging=${K8S_VERSION/v1./v0.}
  for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$gomod"); do
    go mod edit -replace="$m=$m@$staging"
  done
  go get "k8s.io/kubernetes@$K8S_VERSION"
  cat > tools.go <<'GO'
//go:build tools
package tools
GO
fi
minor=$(echo "$K8S_VERSION" | cut -d. -f2)
ldf="-s -w"
for k in client-go/pkg/version component-base/version; do
  ldf+=" -X k8s.io/$k.gitVersion=$K8S_VERSION -X k8s.io/$k.gitMajor=1 -X k8s.io/$k.gitMinor=$minor -X k8s.io/$k.gitTreeState=clean"
done
pkgs=(); for c in "${missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
echo "build-kube: building ${missing[*]} at $K8S_VERSION (cold builds take 15-40 min on 2 cores)"
go build -trimpath -ldflags "$ldf" -o "$out/" "${pkgs[@]}"
echo "build-kube: built ${missing[*]} in $(( $(date +%s) - start ))s into $out"
