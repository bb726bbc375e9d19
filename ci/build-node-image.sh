#!/bin/bash
# Build the kind *node* image stateful-e2e/kind-node:$K8S_VERSION without any container registry:
#   1. binaries, each cached under $E2E_CACHE/<name>-<version>/ (CGO off, static): the Kubernetes ones from
#      ci/build-kube.sh, etcd at the version kubeadm asks for, crictl (kind load runs `crictl inspecti`), CoreDNS
#      (the proxy serves only >= v1.14.3; tagged as the version kubeadm asks for), rancher local-path-provisioner,
#      and pause from ci/images/pause/main.go;
#   2. the control-plane images by `docker import`, named exactly as `kubeadm config images list` prints them,
#      plus the local-path-provisioner image and its helper (the busybox image of ci/build-images.sh);
#   3. a container from stateful-e2e/kind-base:$KIND_VERSION (ci/build-base-image.sh) gets kubelet/kubeadm/kubectl,
#      crictl, /kind/version, ci/images/kind-node/rootfs (default storage manifest, registry block) and the images
#      imported into its containerd (`docker save | ctr import`), then `docker commit`.
# The image carries LABEL io.stateful-e2e.rev=<hash of the scripts, recipes, pins and inputs>; a rerun with a
# matching image is a no-op. Usage: ci/build-node-image.sh   (prints the image reference on stdout, last line)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/versions.sh"
MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
CRICTL_VERSION=${CRICTL_VERSION:-v1.$MINOR.0}       # cri-tools releases follow the Kubernetes minor
COREDNS_BUILD_VERSION=${COREDNS_BUILD_VERSION:-v1.14.3}   # oldest CoreDNS the Go proxy serves here
LPP_VERSION=${LPP_VERSION:-v0.0.30}                  # only version of local-path-provisioner the proxy serves
IMAGE=${NODE_IMAGE:-stateful-e2e/kind-node:$K8S_VERSION}
LPP_IMAGE=stateful-e2e/local-path-provisioner:$LPP_VERSION
HELPER_IMAGE=stateful-e2e/local-path-helper:$LPP_VERSION
WORK=${WORK:-/srv/stateful-e2e-node}
say() { echo "build-node-image: $*" >&2; }
die() { echo "build-node-image: ERROR: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
docker info >/dev/null 2>&1 || die "docker is not answering; run ci/docker-setup.sh"
T0=$(date +%s)
export GOTOOLCHAIN=local CGO_ENABLED=0

# 1. inputs (each step is a fast no-op when cached)
K=$E2E_CACHE/kubernetes-$K8S_VERSION
"$HERE/build-kube.sh" kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubeadm kubectl >&2
BASE=$("$HERE/build-base-image.sh" | tail -n1)
"$HERE/build-images.sh" busybox
mapfile -t KUBEADM_IMAGES < <("$K/kubeadm" config images list --kubernetes-version "$K8S_VERSION" 2>/dev/null)
[ ${#KUBEADM_IMAGES[@]} -ge 7 ] || die "kubeadm config images list gave ${#KUBEADM_IMAGES[@]} images"
img_of() { printf '%s\n' "${KUBEADM_IMAGES[@]}" | grep -m1 "/$1:" || die "kubeadm lists no $1 image"; }
ETCD_IMAGE=$(img_of etcd); COREDNS_IMAGE=$(img_of coredns); PAUSE_IMAGE=$(img_of pause)
ETCD_VERSION_K=v${ETCD_IMAGE##*:}; ETCD_VERSION_K=${ETCD_VERSION_K%-*}   # registry.k8s.io/etcd:3.6.5-0 -> v3.6.5

gobuild() { # gobuild NAME VERSION BINARY -- go install/build arguments; skipped when cached
  local name=$1 ver=$2 bin=$3 out=$E2E_CACHE/$1-$2 t; shift 4
  if [ -x "$out/$bin" ]; then return; fi
  t=$(date +%s); mkdir -p "$out"
  say "building $name $ver"
  ( "$@" ) >"$WORK/build-$name.log" 2>&1 || die "$name $ver build failed; see $WORK/build-$name.log ($(tail -n1 "$WORK/build-$name.log"))"
  [ -x "$out/$bin" ] || die "$name build produced no $out/$bin"
  say "built $name $ver in $(($(date +%s) - t))s"
}
mkdir -p "$WORK"
ldf='-s -w'
# etcd's main package lives in server/v3 whose go.mod needs a consumer module (no replace directives there).
etcd_build() {
  local d=$E2E_CACHE/build/etcd-$ETCD_VERSION_K; mkdir -p "$d"; cd "$d"
  [ -f go.mod ] || go mod init local/etcdbuild
  GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION_K"
  GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldf" -o "$E2E_CACHE/etcd-$ETCD_VERSION_K/etcd" go.etcd.io/etcd/server/v3
}
gobuild etcd "$ETCD_VERSION_K" etcd -- etcd_build
gobuild cri-tools "$CRICTL_VERSION" crictl -- env GOBIN="$E2E_CACHE/cri-tools-$CRICTL_VERSION" go install -trimpath -ldflags "$ldf" "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
gobuild coredns "$COREDNS_BUILD_VERSION" coredns -- env GOBIN="$E2E_CACHE/coredns-$COREDNS_BUILD_VERSION" go install -trimpath -ldflags "$ldf" "github.com/coredns/coredns@$COREDNS_BUILD_VERSION"
gobuild local-path-provisioner "$LPP_VERSION" local-path-provisioner -- env GOBIN="$E2E_CACHE/local-path-provisioner-$LPP_VERSION" go install -trimpath -ldflags "$ldf" "github.com/rancher/local-path-provisioner@$LPP_VERSION"
PAUSE_REV=$(sha256sum "$HERE/images/pause/main.go" | cut -c1-12)
pause_build() {
  local d=$E2E_CACHE/build/pause-$PAUSE_REV; mkdir -p "$d"; cp "$HERE/images/pause/main.go" "$d/"; cd "$d"
  [ -f go.mod ] || go mod init local/pause
  go build -trimpath -ldflags "$ldf" -o "$E2E_CACHE/pause-$PAUSE_REV/pause" .
}
gobuild pause "$PAUSE_REV" pause -- pause_build
# shellcheck disable=SC2012  # newest of our own cache files
KUBE_PROXY_ROOTFS=$(ls -t "$E2E_CACHE"/kind-base/rootfs-bookworm-*.tar.gz 2>/dev/null | head -n1)
[ -n "$KUBE_PROXY_ROOTFS" ] || die "no kind-base rootfs tarball in $E2E_CACHE/kind-base (ci/build-base-image.sh makes it)"

BINS=("$K"/{kube-apiserver,kube-controller-manager,kube-scheduler,kube-proxy,kubelet,kubeadm,kubectl}
  "$E2E_CACHE/etcd-$ETCD_VERSION_K/etcd" "$E2E_CACHE/cri-tools-$CRICTL_VERSION/crictl" "$E2E_CACHE/coredns-$COREDNS_BUILD_VERSION/coredns"
  "$E2E_CACHE/local-path-provisioner-$LPP_VERSION/local-path-provisioner" "$E2E_CACHE/pause-$PAUSE_REV/pause")
REV=$( (cat "$0"; cd "$HERE/images" && find pause kube-proxy kind-node -type f -print0 | sort -z | xargs -0 sha256sum
  echo "$K8S_VERSION $KIND_VERSION $CRICTL_VERSION $COREDNS_BUILD_VERSION $LPP_VERSION ${KUBEADM_IMAGES[*]}"
  docker image inspect -f '{{.Id}}' "$BASE" busybox:1.28; stat -c '%n %s %Y' "${BINS[@]}" "$KUBE_PROXY_ROOTFS") | sha256sum | cut -c1-12)
have=$(docker image inspect -f '{{index .Config.Labels "io.stateful-e2e.rev"}}' "$IMAGE" 2>/dev/null || true)
if [ "$have" = "$REV" ]; then
  say "$IMAGE is up to date (rev $REV, $(($(date +%s) - T0))s)"
  echo "$IMAGE"; exit 0
fi

# 2. images, by docker import
t=$(date +%s)
S=''; N=stateful-e2e-nodebuild
cleanup() { [ -n "$S" ] && rm -rf "$S"; docker rm -f -v "$N" >/dev/null 2>&1 || true; }
trap cleanup EXIT
mkimage() { # mkimage IMAGE BINARY PATH-IN-IMAGE [docker import -c ...]: a static binary + passwd + /tmp
  local img=$1 src=$2 dst=$3 d; shift 3
  d=$(mktemp -d "$WORK/img.XXXX"); chmod 755 "$d"; mkdir -p "$d/$(dirname "$dst")" "$d/tmp" "$d/etc"
  cp "$src" "$d/$dst"; chmod 1777 "$d/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$d/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$d/etc/group"
  tar -C "$d" --numeric-owner -c . | docker import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' -c "LABEL io.stateful-e2e.rev=$REV" "$@" - "$img" >/dev/null
  rm -rf "$d"
}
for c in kube-apiserver kube-controller-manager kube-scheduler; do mkimage "$(img_of "$c")" "$K/$c" "usr/local/bin/$c"; done
mkimage "$ETCD_IMAGE" "$E2E_CACHE/etcd-$ETCD_VERSION_K/etcd" usr/local/bin/etcd
mkimage "$PAUSE_IMAGE" "$E2E_CACHE/pause-$PAUSE_REV/pause" pause -c 'ENTRYPOINT ["/pause"]'
mkimage "$COREDNS_IMAGE" "$E2E_CACHE/coredns-$COREDNS_BUILD_VERSION/coredns" coredns -c 'ENTRYPOINT ["/coredns"]'
mkimage "$LPP_IMAGE" "$E2E_CACHE/local-path-provisioner-$LPP_VERSION/local-path-provisioner" usr/bin/local-path-provisioner
docker tag busybox:1.28 "$HELPER_IMAGE"
# kube-proxy: Debian rootfs with iptables/nft/conntrack (the kind base's debootstrap tarball) + backend wrapper
S=$(mktemp -d "$WORK/kube-proxy.XXXX"); chmod 755 "$S"
tar -C "$S" --numeric-owner -xzf "$KUBE_PROXY_ROOTFS"
rm -rf "$S"/usr/share/doc "$S"/usr/share/man "$S"/usr/lib/cni "$S"/usr/bin/containerd* "$S"/usr/bin/ctr "$S"/usr/sbin/runc "$S"/lib/systemd "$S"/usr/lib/systemd
mkdir -p "$S/usr/local/libexec"; cp "$K/kube-proxy" "$S/usr/local/libexec/kube-proxy"
cp -a "$HERE/images/kube-proxy/rootfs/." "$S/"
tar -C "$S" --numeric-owner -c . | docker import -c 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c "LABEL io.stateful-e2e.rev=$REV" - "$(img_of kube-proxy)" >/dev/null
rm -rf "$S"; S=''
PRELOAD=("${KUBEADM_IMAGES[@]}" "$LPP_IMAGE" "$HELPER_IMAGE")
[ "${PAUSE_IMAGE##*:}" = 3.10 ] || { docker tag "$PAUSE_IMAGE" "${PAUSE_IMAGE%:*}:3.10"; PRELOAD+=("${PAUSE_IMAGE%:*}:3.10"); }
say "images: ${#PRELOAD[@]} imported in $(($(date +%s) - t))s"

# 3. node container: base + binaries + files + preloaded images, committed
t=$(date +%s)
S=$(mktemp -d "$WORK/files.XXXX"); chmod 755 "$S"
cp -a "$HERE/images/kind-node/rootfs/." "$S/"
sed -i "s#@LPP_IMAGE@#$LPP_IMAGE#g; s#@HELPER_IMAGE@#$HELPER_IMAGE#g" "$S/kind/manifests/default-storage.yaml"
echo "$K8S_VERSION" >"$S/kind/version"
mkdir -p "$S/usr/bin" "$S/usr/local/bin"
cp "$K"/{kubelet,kubeadm,kubectl} "$S/usr/bin/"; cp "$E2E_CACHE/cri-tools-$CRICTL_VERSION/crictl" "$S/usr/local/bin/"
docker rm -f -v "$N" >/dev/null 2>&1 || true
# no /var volume here, so what containerd imports under /var/lib/containerd is part of the commit
docker run -d --name "$N" --privileged --entrypoint sleep "$BASE" infinity >/dev/null
tar -C "$S" --numeric-owner -c . | docker cp - "$N:/"
rm -rf "$S"; S=''
docker exec "$N" sh -ec "
  sed -i 's#sandbox_image = .*#sandbox_image = \"$PAUSE_IMAGE\"#' /etc/containerd/config.toml
  grep -q '^ *config_path' /etc/containerd/config.toml || printf '\n# offline: see /etc/containerd/certs.d/*/hosts.toml\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n' >>/etc/containerd/config.toml"
docker exec -d "$N" sh -c 'containerd >/tmp/containerd.log 2>&1'
for _ in $(seq 30); do docker exec "$N" ctr version >/dev/null 2>&1 && break; sleep 1; done
docker save "${PRELOAD[@]}" | docker exec -i "$N" ctr -n k8s.io images import --all-platforms --no-unpack --digests - >/dev/null
got=$(docker exec "$N" ctr -n k8s.io images ls -q | grep -vc '^sha256:' || true)
[ "$got" -ge "${#PRELOAD[@]}" ] || die "node containerd holds $got images, expected ${#PRELOAD[@]}"
docker exec "$N" sh -c 'pkill -TERM -x containerd; for i in $(seq 20); do pgrep -x containerd >/dev/null || exit 0; sleep 0.5; done; exit 1' \
  || die "containerd in the build container did not stop"
docker exec "$N" sh -c 'rm -rf /tmp/* /var/log/*'
docker commit -c 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' -c 'CMD []' -c 'ENV container=docker' \
  -c "LABEL io.stateful-e2e.rev=$REV" "$N" "$IMAGE" >/dev/null
docker rm -f -v "$N" >/dev/null
say "node image: assembled in $(($(date +%s) - t))s"
say "built $IMAGE rev $REV ($(docker image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=iec)) in $(($(date +%s) - T0))s"
echo "$IMAGE"
