# shellcheck shell=bash disable=SC2034  # sourced by ci/build-images.sh, which reads these variables
# busybox:1.36 stand-in, for the book's untagged `busybox` that catalogue §0.4 pins to 1.36 (scenario
# configmap-env, E6: `/bin/sh -c env`). Debian bookworm packages no busybox 1.36, so this is Debian's own
# busybox **1.35.0** binary (package `busybox`: dynamically linked against glibc, Debian's `deb` config), not a
# source build. Unlike the busybox:1.28 stand-in it keeps Debian's "big" nslookup (its own resolver, `Address:`
# lines), which is how busybox >= 1.29, 1.36 included, behaves; that difference is why S1 keeps 1.28 for DNS.
# The image holds the binary, its libraries (libc, libresolv, ld.so), every applet link
# (`busybox --install -s`), passwd/group and nsswitch.conf; nothing else.
TAGS="busybox:1.36"
PACKAGES="busybox"
CHANGES=('CMD ["sh"]' 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
assemble() { # $1 = chroot with the busybox package installed, $2 = empty rootfs of the image
  local R=$1 O=$2 lib
  [ -x "$R/bin/busybox" ] || { echo "busybox-1.36: no /bin/busybox in the chroot" >&2; return 1; }
  mkdir -p "$O"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home,var/tmp} || return 1
  cp "$R/bin/busybox" "$O/bin/busybox" || return 1
  for lib in $(chroot "$R" ldd /bin/busybox | grep -o '/[^ ]*'); do
    mkdir -p "$O$(dirname "$lib")" && cp -L "$R$lib" "$O$lib" || return 1
  done
  chroot "$O" /bin/busybox --install -s || return 1
  # the applets this image exists for (E6 runs `/bin/sh -c env`)
  chroot "$O" /bin/sh -c env >/dev/null || { echo "busybox-1.36: /bin/sh -c env does not run" >&2; return 1; }
  printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$O/etc/passwd"
  printf 'root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n' >"$O/etc/group"
  chmod 1777 "$O/tmp" "$O/var/tmp"
}
