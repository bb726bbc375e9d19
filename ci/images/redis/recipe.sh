# shellcheck shell=bash disable=SC2034  # sourced by ci/build-images.sh, which reads these variables
# redis:7.2 stand-in, the image catalogue §E5 names for the harness equivalent of the seed's redis PetSet (whose
# gcr.io/google_containers/redis-install-3.2.0:e2e + debian:jessie pair cannot be had). Debian bookworm packages
# Redis 7.0, not 7.2, so this is Redis **7.0.15** (redis-server + redis-tools from bookworm main) under the tag
# the fixture uses; post_install fails the build if bookworm's redis-server is not 7.0.x, so the documentation
# never lies. What the scenario relies on is as in the official image: redis-server and
# redis-cli on PATH, WORKDIR /data (VOLUME), port 6379, and CMD `redis-server` with protected mode off (what the
# official entrypoint does in a container). No docker-entrypoint.sh: the process runs as the pod's user (root by
# default) instead of dropping to `redis`, and `args:` without `command:` replace the whole CMD.
REDIS_MINOR=7.0
TAGS="redis:7.2"
PACKAGES="redis-server redis-tools"
CHANGES=('CMD ["redis-server", "--protected-mode", "no"]' 'EXPOSE 6379' 'VOLUME /data' 'WORKDIR /data'
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
post_install() { # $1 = rootfs
  local R=$1 have
  have=$(chroot "$R" redis-server --version) || return 1
  echo "redis: $have" >&2
  case $have in
    *" v=$REDIS_MINOR."*) ;;
    *) echo "redis: bookworm has $have, the recipe and docs/app-images.md say Redis $REDIS_MINOR: update them" >&2; return 1 ;;
  esac
  chroot "$R" redis-cli --version >&2 || return 1
  # the packaged init script, logrotate and systemd units are for a host, not a container
  rm -rf "$R/etc/init.d/redis-server" "$R/etc/logrotate.d/redis-server" "$R/etc/default/redis-server"
  mkdir -p "$R/data"
}
