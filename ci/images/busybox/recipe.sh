# shellcheck shell=bash disable=SC2034  # sourced by ci/build-images.sh, which reads these variables
# busybox stand-in for busybox:1.28, built from Debian's busybox source package (1.35) with Debian's `deb`
# config but FEATURE_NSLOOKUP_BIG off: that gives the getaddrinfo-based nslookup of busybox <= 1.28, which
# applies the resolv.conf search list (`nslookup web-0.nginx` works in a pod) and prints
#   Server:    10.96.0.10 / Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local
#   Name:      web-0.nginx / Address 1: 10.244.1.6 web-0.nginx.<ns>.svc.cluster.local
# (Debian's own busybox builds use the "big" nslookup: its own resolver, no search list, `Address: <ip>` lines.)
# Linked dynamically against glibc (Debian's busybox-static wget/NSS segfaults in pods); the image holds the
# binary, its libraries, every applet link (`busybox --install -s`), passwd/group and nsswitch.conf.
# Also the helper image of local-path-provisioner in the kind node image (mkdir/rm in sh scripts).
TAGS="busybox:1.28"
PACKAGES="build-essential dpkg-dev"
CHANGES=('CMD ["sh"]' 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
assemble() { # $1 = chroot with the build tools, $2 = empty rootfs of the image
  local R=$1 O=$2 bb lib
  sed -n 's/^deb /deb-src /p' "$R/etc/apt/sources.list" >"$R/etc/apt/sources.list.d/src.list"
  chroot "$R" apt-get update -qq || return 1
  # shellcheck disable=SC2016  # expanded inside the chroot
  chroot "$R" sh -ec '
    mkdir -p /src && cd /src && apt-get source -qq busybox
    cd busybox-*/
    cp debian/config/pkg/deb .config
    sed -i "s/^CONFIG_FEATURE_NSLOOKUP_BIG=y/# CONFIG_FEATURE_NSLOOKUP_BIG is not set/; s/^CONFIG_FEATURE_NSLOOKUP_LONG_OPTIONS=y/# CONFIG_FEATURE_NSLOOKUP_LONG_OPTIONS is not set/" .config
    yes "" | make oldconfig >/dev/null
    make -j"$(nproc)" busybox >/src/make.log 2>&1 || { tail -n 20 /src/make.log; exit 1; }
    ./busybox --list | grep -qx nslookup' || return 1
  bb=$(echo "$R"/src/busybox-*/busybox)
  mkdir -p "$O"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home,var/tmp} || return 1
  cp "$bb" "$O/bin/busybox" || return 1
  for lib in $(chroot "$R" ldd "${bb#"$R"}" | grep -o '/[^ ]*'); do
    mkdir -p "$O$(dirname "$lib")" && cp -L "$R$lib" "$O$lib" || return 1
  done
  chroot "$O" /bin/busybox --install -s || return 1
  printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$O/etc/passwd"
  printf 'root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n' >"$O/etc/group"
  chmod 1777 "$O/tmp" "$O/var/tmp"
}
