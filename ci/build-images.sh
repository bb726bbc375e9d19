#!/bin/bash
# Workload images for the scenarios, tagged with the exact names the fixtures use, built from Debian packages
# without any registry or Dockerfile:
#   1. a debootstrap --variant=minbase rootfs of $SUITE, cached once as $E2E_CACHE/images/rootfs-<suite>-minbase-<hash>.tar.gz;
#   2. per recipe (ci/images/<name>/recipe.sh): unpack it, `apt-get install` the recipe's PACKAGES in a chroot; then
#      either the recipe's assemble() builds a separate rootfs from that chroot (busybox: a source build), or the
#      chroot itself is the rootfs (docs/caches stripped); overlay ci/images/<name>/rootfs/, run post_install;
#   3. `docker import` with the recipe's CMD/ENV/WORKDIR (-c) and LABEL io.stateful-e2e.rev=<hash of this script,
#      the recipe dir and the minbase tarball>. A tag whose label already matches is skipped (warm = no-op).
# Usage: ci/build-images.sh [recipe ...]   (default: every dir under ci/images with a recipe.sh)
# Needs root, docker (ci/docker-setup.sh), debootstrap (installed if missing) and the machine's Debian mirror.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/versions.sh"
SUITE=bookworm
WORK=${WORK:-/srv/stateful-e2e-images}
# shellcheck source=ci/lib.sh
. "$HERE/lib.sh"
[ "$(id -u)" = 0 ] || die "must run as root"
docker info >/dev/null 2>&1 || die "docker is not answering; run ci/docker-setup.sh"
T0=$(date +%s)

recipes=("$@")
if [ ${#recipes[@]} -eq 0 ]; then
  for r in "$HERE"/images/*/recipe.sh; do recipes+=("$(basename "$(dirname "$r")")"); done
fi

# 1. minbase rootfs, cached once (ci/lib.sh)
MINBASE=$(minbase_tarball)

R=''
cleanup() { [ -n "$R" ] && mountpoint -q "$R/proc" && umount -l "$R/proc"; [ -n "$R" ] && rm -rf "$R"; true; }
trap cleanup EXIT

build_recipe() { # $1 = recipe name; runs in a subshell so recipe variables do not leak
  local name=$1 dir=$HERE/images/$1 t rev tag have todo=() out
  [ -f "$dir/recipe.sh" ] || die "no recipe $dir/recipe.sh"
  TAGS='' PACKAGES='' CHANGES=()
  post_install() { :; }
  unset -f assemble
  # shellcheck disable=SC1090,SC1091
  . "$dir/recipe.sh"
  rev=$( (cat "$0" "$HERE/lib.sh"; cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum; echo "$SUITE $(basename "$MINBASE")") | sha256sum | cut -c1-12)
  for tag in $TAGS; do
    have=$(docker image inspect -f '{{index .Config.Labels "io.stateful-e2e.rev"}}' "$tag" 2>/dev/null || true)
    [ "$have" = "$rev" ] || todo+=("$tag")
  done
  if [ ${#todo[@]} -eq 0 ]; then say "$name: up to date (rev $rev): $TAGS"; return; fi
  t=$(date +%s)
  R=$WORK/$name; rm -rf "$R"; mkdir -p "$R"
  tar -C "$R" --numeric-owner -xzf "$MINBASE"
  cp /etc/resolv.conf "$R/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"; chmod 755 "$R/usr/sbin/policy-rc.d"
  mount -t proc proc "$R/proc"
  say "$name: apt-get install $PACKAGES"
  chroot "$R" apt-get update -qq >"$WORK/$name.apt.log" 2>&1 || die "$name: apt-get update failed; see $WORK/$name.apt.log"
  # shellcheck disable=SC2086
  chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >>"$WORK/$name.apt.log" 2>&1 \
    || die "$name: apt-get install failed; see $WORK/$name.apt.log ($(tail -n1 "$WORK/$name.apt.log"))"
  if declare -F assemble >/dev/null; then
    # the recipe builds its own rootfs from the chroot (e.g. a source build), not the chroot itself
    local O=$WORK/$name.out; rm -rf "$O"; mkdir -p "$O"; chmod 755 "$O"
    assemble "$R" "$O" >>"$WORK/$name.apt.log" 2>&1 || die "$name: assemble failed; see $WORK/$name.apt.log ($(tail -n1 "$WORK/$name.apt.log"))"
    umount "$R/proc"; rm -rf "$R"; mv "$O" "$R"
  else
    umount "$R/proc"
    rm -f "$R/usr/sbin/policy-rc.d"
    : >"$R/etc/resolv.conf"
    rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/cache/apt/archives/*.deb "$R"/var/log/* \
      "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/tmp/* "$R"/var/tmp/*
    find "$R/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
  fi
  if [ -d "$dir/rootfs" ]; then cp -a "$dir/rootfs/." "$R/"; fi
  post_install "$R"
  local changes=()
  for c in "${CHANGES[@]}"; do changes+=(-c "$c"); done
  # The first tag is the imported rootfs; every further tag is that image plus one small layer with its own
  # /etc/stateful-e2e-image (distinct image IDs, shared base layer: `kind load` ships the rootfs once).
  local first='' c
  # shellcheck disable=SC2086  # TAGS is a space-separated list
  set -- $TAGS
  for tag in "$@"; do
    if [ -z "$first" ]; then
      echo "$tag rev $rev" >"$R/etc/stateful-e2e-image"
      tar -C "$R" --numeric-owner -c . | docker import "${changes[@]}" -c "LABEL io.stateful-e2e.rev=$rev" \
        -c "LABEL io.stateful-e2e.recipe=$name" - "$tag" >/dev/null
      first=$tag
    else
      c=$(docker create "$first")
      echo "$tag rev $rev" >"$WORK/$name.marker"
      docker cp "$WORK/$name.marker" "$c:/etc/stateful-e2e-image"
      docker commit "${changes[@]}" "$c" "$tag" >/dev/null
      docker rm -f "$c" >/dev/null; rm -f "$WORK/$name.marker"
    fi
    out=$(docker image inspect -f '{{.Id}} {{.Size}}' "$tag")
    say "$name: imported $tag (${out%% *}, $(numfmt --to=iec "${out##* }"))"
  done
  rm -rf "$R"; R=''
  say "$name: built in $(($(date +%s) - t))s"
}

for r in "${recipes[@]}"; do build_recipe "$r"; done
say "done in $(($(date +%s) - T0))s"
