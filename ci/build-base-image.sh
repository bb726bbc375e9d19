#!/bin/bash
# Build a kind *base* image (systemd + containerd + runc + CNI plugins, kind's base files) without any
# container registry: debootstrap a Debian bookworm rootfs from the machine's own apt mirror, overlay
# kind's images/base/files from the kind module in the Go module cache, replay kind's base Dockerfile
# RUN steps in a chroot, and `docker import` the result as stateful-e2e/kind-base:$KIND_VERSION.
#
# Cached: the debootstrap rootfs tarball lives in $E2E_CACHE/kind-base/ (keyed by package list), and the
# image carries ENV STATEFUL_E2E_BASE_REV=<hash of this script + KIND_VERSION>; a rerun with an up-to-date
# image is a no-op. Needs: root, docker (ci/docker-setup.sh), go, debootstrap (installed if missing).
# Usage: ci/build-base-image.sh [--check]   (--check boots a node container and runs a nested container)
# Prints the image reference on stdout (last line).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/versions.sh"
SUITE=bookworm
IMAGE=${BASE_IMAGE:-stateful-e2e/kind-base:$KIND_VERSION}
# Differences from kindest/base v0.30.0: Debian containerd 1.6.20 / runc 1.1.5 / CNI plugins 1.1.1
# instead of source builds of containerd 2.1.4 / runc 1.3.0 / CNI 1.7.1; no crictl, no
# containerd-fuse-overlayfs-grpc, no nfs-common/open-iscsi.
PACKAGES=systemd,systemd-sysv,conntrack,iptables,nftables,iproute2,ethtool,util-linux,mount,kmod,libseccomp2,pigz,bash,ca-certificates,curl,jq,procps,e2fsprogs,fuse-overlayfs,containerd,runc,containernetworking-plugins
CACHE=$E2E_CACHE/kind-base
WORK=${WORK:-/srv/stateful-e2e-kind-base}
say() { echo "build-base-image: $*" >&2; }
die() { echo "build-base-image: ERROR: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
docker info >/dev/null 2>&1 || die "docker is not answering; run ci/docker-setup.sh"

REV=$( (cat "$0"; echo "$KIND_VERSION $SUITE $PACKAGES") | sha256sum | cut -c1-12)
have_rev=$(docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE" 2>/dev/null | sed -n 's/^STATEFUL_E2E_BASE_REV=//p' || true)

if [ "$have_rev" != "$REV" ]; then
  t0=$(date +%s)
  # 1. debootstrap rootfs tarball (cached by package list)
  ROOTFS_TAR=$CACHE/rootfs-$SUITE-$(echo "$PACKAGES" | sha256sum | cut -c1-12).tar.gz
  if [ ! -s "$ROOTFS_TAR" ]; then
    command -v debootstrap >/dev/null || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1; }
    # Use the mirror this machine's apt already uses for $SUITE (deb822 .sources first, then one-line lists).
    MIRROR=$(awk -v s="$SUITE" 'BEGIN{RS=""} /(^|\n)Types:[^\n]*deb/ && $0 ~ "Suites:[^\n]*[ \t]" s "([ \t\n]|$)" {if (match($0, /URIs:[ \t]*[^ \t\n]+/)) {u=substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", u); print u; exit}}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [ -n "$MIRROR" ] || MIRROR=$(grep -hE "^deb[ \t]+(\[[^]]*\][ \t]+)?[a-z]+://[^ ]+[ \t]+$SUITE[ \t]" /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed -E 's/^deb[ \t]+(\[[^]]*\][ \t]+)?//' | awk '{print $1; exit}' || true)
    [ -n "$MIRROR" ] || die "no apt mirror for $SUITE found in /etc/apt/sources.list*"
    say "debootstrap $SUITE from $MIRROR (minbase + ${PACKAGES//,/ })"
    rm -rf "$WORK/debootstrap"; mkdir -p "$WORK" "$CACHE"
    debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$WORK/debootstrap" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
      || die "debootstrap failed; see $WORK/debootstrap.log ($(tail -n1 "$WORK/debootstrap.log"))"
    rm -rf "$WORK/debootstrap/var/cache/apt/archives/"*.deb "$WORK/debootstrap/var/lib/apt/lists/"*
    tar -C "$WORK/debootstrap" --numeric-owner -c . | gzip -1 >"$ROOTFS_TAR.tmp" && mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    rm -rf "$WORK/debootstrap"
    say "cached $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1), $(($(date +%s) - t0))s)"
  fi

  # 2. kind's base files, read from the kind module in the Go module cache (not copied into the repo)
  go mod download "sigs.k8s.io/kind@$KIND_VERSION" >/dev/null 2>&1 || true
  KIND_FILES=$(go env GOMODCACHE)/sigs.k8s.io/kind@$KIND_VERSION/images/base/files
  [ -d "$KIND_FILES" ] || die "kind base files not found at $KIND_FILES (go mod download sigs.k8s.io/kind@$KIND_VERSION)"

  R=$WORK/rootfs
  rm -rf "$R"; mkdir -p "$R"
  tar -C "$R" --numeric-owner -xzf "$ROOTFS_TAR"
  # Same modes as the Dockerfile's COPY --chmod lines.
  install -m 0755 "$KIND_FILES"/usr/local/bin/* "$R/usr/local/bin/"
  mkdir -p "$R/kind/bin" "$R/LICENSES" "$R/etc/containerd" "$R/etc/default" "$R/etc/sysctl.d" "$R/etc/systemd/system/kubelet.service.d"
  install -m 0644 "$KIND_FILES"/kind/README.txt "$R/kind/"
  install -m 0755 "$KIND_FILES"/kind/bin/* "$R/kind/bin/"
  install -m 0644 "$KIND_FILES"/LICENSES/* "$R/LICENSES/"
  install -m 0644 "$KIND_FILES"/etc/crictl.yaml "$R/etc/"
  install -m 0644 "$KIND_FILES"/etc/containerd/* "$R/etc/containerd/"
  install -m 0644 "$KIND_FILES"/etc/default/* "$R/etc/default/"
  install -m 0644 "$KIND_FILES"/etc/sysctl.d/* "$R/etc/sysctl.d/"
  install -m 0644 "$KIND_FILES"/etc/systemd/system/*.service "$KIND_FILES"/etc/systemd/system/*.slice "$R/etc/systemd/system/"
  install -m 0644 "$KIND_FILES"/etc/systemd/system/kubelet.service.d/* "$R/etc/systemd/system/kubelet.service.d/"

  # Debian binaries where kind's units and containerd config expect the source-built ones.
  ln -sf /usr/bin/containerd "$R/usr/local/bin/containerd"
  ln -sf /usr/bin/containerd-shim-runc-v2 "$R/usr/local/bin/containerd-shim-runc-v2"
  ln -sf /usr/bin/ctr "$R/usr/local/bin/ctr"
  mkdir -p "$R/opt/cni/bin"
  for p in "$R"/usr/lib/cni/*; do ln -sf "/usr/lib/cni/$(basename "$p")" "$R/opt/cni/bin/"; done
  # No CAP_SYS_RESOURCE on these machines: runc cannot set negative oom_score_adj for pod sandboxes.
  sed -i 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$R/etc/containerd/config.toml"

  # 3. the Dockerfile's RUN steps
  find "$R/lib/systemd/system/sysinit.target.wants/" -name systemd-tmpfiles-setup.service -delete
  rm -f "$R"/lib/systemd/system/multi-user.target.wants/* "$R"/etc/systemd/system/*.wants/* \
    "$R"/lib/systemd/system/local-fs.target.wants/* "$R"/lib/systemd/system/sockets.target.wants/*udev* \
    "$R"/lib/systemd/system/sockets.target.wants/*initctl* "$R"/lib/systemd/system/basic.target.wants/*
  echo "ReadKMsg=no" >>"$R/etc/systemd/journald.conf"
  ln -sf /lib/systemd/systemd "$R/sbin/init"
  chroot "$R" systemctl enable kubelet.service containerd.service undo-mount-hacks.service >/dev/null 2>&1
  chroot "$R" systemctl mask systemd-binfmt.service >/dev/null 2>&1
  mkdir -p "$R/etc/kubernetes/manifests"
  chroot "$R" ctr oci spec \
    | jq '.hooks.createContainer[.hooks.createContainer | length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \
    | jq 'del(.process.rlimits)' >"$R/etc/containerd/cri-base.json"
  : >"$R/etc/machine-id"   # entrypoint's fix_machine_id regenerates it per node
  rm -rf "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/var/log/* "$R"/tmp/* "$R"/var/tmp/*

  # 4. import
  tar -C "$R" --numeric-owner -c . | docker import \
    -c 'ENV container=docker' -c "ENV STATEFUL_E2E_BASE_REV=$REV" \
    -c 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' - "$IMAGE" >/dev/null
  rm -rf "$R"
  say "imported $IMAGE rev $REV in $(($(date +%s) - t0))s ($(docker image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=iec))"
else
  say "$IMAGE is up to date (rev $REV)"
fi

# 5. optional check: boot it the way kind runs a node, wait for systemd, run a nested container in it.
if [ "${1:-}" = --check ]; then
  BB=stateful-e2e/busybox:1.35   # made by ci/docker-setup.sh --check
  docker image inspect "$BB" >/dev/null 2>&1 || "$HERE/docker-setup.sh" --check >/dev/null
  name=stateful-e2e-base-check
  docker rm -f "$name" >/dev/null 2>&1 || true
  trap 'docker rm -f -v "$name" >/dev/null 2>&1 || true' EXIT
  t1=$(date +%s)
  docker run -d --name "$name" --hostname "$name" --tty --init=false --cgroupns=private \
    --privileged --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --tmpfs /tmp --tmpfs /run --volume /var --volume /lib/modules:/lib/modules:ro \
    --stop-signal SIGRTMIN+3 "$IMAGE" >/dev/null
  state=''
  for _ in $(seq 60); do
    state=$(docker exec "$name" systemctl is-system-running 2>/dev/null || true)
    case $state in running|degraded) break ;; esac
    sleep 1
  done
  say "systemd: ${state:-no answer} after $(($(date +%s) - t1))s"
  [ "$state" = degraded ] && docker exec "$name" systemctl --failed --no-legend >&2 || true
  case $state in running|degraded) ;; *) docker logs "$name" 2>&1 | tail -n 20 >&2; die "node did not boot" ;; esac
  say "containerd: $(docker exec "$name" systemctl is-active containerd)"
  docker save "$BB" | docker exec -i "$name" ctr -n k8s.io images import - >/dev/null
  docker exec "$name" ctr -n k8s.io run --rm "docker.io/$BB" nested-1 sh -c 'echo nested-ok'
  docker exec "$name" ctr -n k8s.io run --rm --privileged "docker.io/$BB" nested-2 sh -c 'grep CapEff /proc/self/status; echo nested-privileged-ok'
  say "check ok"
fi
echo "$IMAGE"
