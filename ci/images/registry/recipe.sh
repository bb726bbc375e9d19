# shellcheck shell=bash disable=SC2034  # sourced by ci/build-images.sh, which reads these variables
# A plain (non-proxying) image registry for kind nodes to pull from (src/providers/kind/registry.ts,
# `--image-load registry`): Debian bookworm's docker-registry (CNCF distribution 2.8), serving HTTP on :5000,
# storage under /var/lib/registry, in the foreground. The tag is Debian's package version ('+' is not allowed in
# a tag: 2.8.2+ds1-1 -> 2.8.2-ds1-1); post_install fails the build if bookworm ships another version, so the tag
# never lies.
REGISTRY_DEB_VERSION=2.8.2+ds1-1
TAGS="stateful-e2e/registry:${REGISTRY_DEB_VERSION//+/-}"
PACKAGES="docker-registry"
CHANGES=('CMD ["/usr/bin/docker-registry", "serve", "/etc/docker/registry/config.yml"]' 'EXPOSE 5000'
  'VOLUME ["/var/lib/registry"]' 'WORKDIR /' 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
post_install() { # $1 = rootfs
  local have
  have=$(chroot "$1" dpkg-query -W -f '${Version}' docker-registry)
  [ "$have" = "$REGISTRY_DEB_VERSION" ] || { echo "registry: bookworm has docker-registry $have, the recipe says $REGISTRY_DEB_VERSION: update TAGS" >&2; return 1; }
  mkdir -p "$1/var/lib/registry"
}
