# shellcheck shell=bash
# Shared by ci/build-images.sh and ci/build-app-images.sh: logging, this machine's Debian mirror, and the one
# cached Debian minbase rootfs both build their images from. Source it after ci/versions.sh with SUITE and WORK set.
# It is part of both scripts' image rev hashes, so a change here rebuilds their images.

LOG_PREFIX=${LOG_PREFIX:-$(basename "$0" .sh)}
say() { echo "$LOG_PREFIX: $*" >&2; }
die() { echo "$LOG_PREFIX: ERROR: $*" >&2; exit 1; }

# shellcheck disable=SC1087  # awk regex, not a bash array
mirror() { # the mirror this machine's apt already uses for $SUITE (deb822 .sources first, then one-line lists)
  local m
  m=$(awk -v s="$SUITE" 'BEGIN{RS=""} /(^|\n)Types:[^\n]*deb/ && $0 ~ "Suites:[^\n]*[ \t]" s "([ \t\n]|$)" {if (match($0, /URIs:[ \t]*[^ \t\n]+/)) {u=substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", u); print u; exit}}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$m" ] || m=$(grep -hE "^deb[ \t]+(\[[^]]*\][ \t]+)?[a-z]+://[^ ]+[ \t]+$SUITE[ \t]" /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed -E 's/^deb[ \t]+(\[[^]]*\][ \t]+)?//' | awk '{print $1; exit}' || true)
  [ -n "$m" ] || die "no apt mirror for $SUITE found in /etc/apt/sources.list*"
  echo "$m"
}

# The Debian minbase rootfs of $SUITE as a tarball, debootstrapped once and cached (keyed by suite and variant;
# refresh by deleting the file). Prints its path.
minbase_tarball() {
  local out m t
  out=$E2E_CACHE/images/rootfs-$SUITE-minbase-$(echo "$SUITE minbase v1" | sha256sum | cut -c1-8).tar.gz
  if [ ! -s "$out" ]; then
    command -v debootstrap >/dev/null || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1; }
    m=$(mirror); t=$(date +%s)
    say "debootstrap --variant=minbase $SUITE from $m"
    rm -rf "$WORK/minbase"; mkdir -p "$WORK" "$(dirname "$out")"
    debootstrap --variant=minbase "$SUITE" "$WORK/minbase" "$m" >"$WORK/debootstrap.log" 2>&1 \
      || die "debootstrap failed; see $WORK/debootstrap.log ($(tail -n1 "$WORK/debootstrap.log"))"
    rm -rf "$WORK/minbase/var/cache/apt/archives/"*.deb "$WORK/minbase/var/lib/apt/lists/"*
    tar -C "$WORK/minbase" --numeric-owner -c . | gzip -1 >"$out.tmp" && mv "$out.tmp" "$out"
    rm -rf "$WORK/minbase"
    say "cached $out ($(du -h "$out" | cut -f1), $(($(date +%s) - t))s)"
  fi
  echo "$out"
}
