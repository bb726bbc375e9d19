#!/bin/bash
# Make a Docker engine usable for kind on the project's machines (root, no systemd, no registry).
#  - installs Debian's docker.io (+ jq) if no engine binary is present (one `apt-get update`);
#  - installs ci/runc-nosysres as /usr/local/bin/runc-nosysres and makes it dockerd's default runtime,
#    so `docker run/exec --privileged` works without CAP_SYS_RESOURCE in the bounding set;
#  - starts dockerd in the background (log /var/log/dockerd.log) unless `docker info` already answers;
#  - raises fs.inotify limits for kind.
# Idempotent: a second run only checks and prints "ok".
# Usage: ci/docker-setup.sh [--check]   (--check also runs a privileged smoke test with a local busybox image)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/versions.sh"
WRAPPER=/usr/local/bin/runc-nosysres
DAEMON_JSON=/etc/docker/daemon.json
LOG=/var/log/dockerd.log
TIMEOUT=${DOCKERD_TIMEOUT:-60}
BUSYBOX_IMAGE=stateful-e2e/busybox:1.35
say() { echo "docker-setup: $*"; }
die() { echo "docker-setup: ERROR: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"

apt_install() { # apt_install PKG... (installs only the missing ones; apt-get update at most once per run)
  local missing=() p
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  # Keep maintainer scripts from starting services (dockerd via /etc/init.d): policy-rc.d exit 101.
  local prc=''
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; prc=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/docker-setup-apt.log 2>&1 || { [ -n "$prc" ] && rm -f /usr/sbin/policy-rc.d; die "apt-get install ${missing[*]} failed; see /tmp/docker-setup-apt.log"; }
  [ -n "$prc" ] && rm -f /usr/sbin/policy-rc.d
  say "installed ${missing[*]}"
}

# 1. engine + tools
if ! command -v dockerd >/dev/null; then
  apt_install docker.io jq
fi
apt_install jq
[ -x /usr/sbin/runc ] || apt_install runc

# 2. runtime wrapper + daemon.json
changed=''
if ! cmp -s "$HERE/runc-nosysres" "$WRAPPER"; then
  install -m 0755 "$HERE/runc-nosysres" "$WRAPPER"; say "installed $WRAPPER"; changed=1
fi
mkdir -p /etc/docker
want=$(jq -n --arg p "$WRAPPER" '{runtimes: {"runc-nosysres": {path: $p}}, "default-runtime": "runc-nosysres"}')
cur='{}'; [ -s "$DAEMON_JSON" ] && cur=$(cat "$DAEMON_JSON")
new=$(jq -n --argjson a "$cur" --argjson b "$want" '$a * $b')
if [ "$(jq -S . <<<"$cur")" != "$(jq -S . <<<"$new")" ]; then
  echo "$new" >"$DAEMON_JSON"; say "wrote $DAEMON_JSON (default-runtime runc-nosysres)"; changed=1
fi

# 3. dockerd
docker_ok() { docker info >/dev/null 2>&1; }
start_dockerd() {
  setsid nohup dockerd >>"$LOG" 2>&1 </dev/null &
  local i
  for ((i = 0; i < TIMEOUT; i++)); do docker_ok && return 0; sleep 1; done
  die "dockerd did not answer within ${TIMEOUT}s; see $LOG ($(tail -n1 "$LOG" 2>/dev/null))"
}
if docker_ok; then
  rt=$(docker info --format '{{.DefaultRuntime}}')
  if [ "$rt" != runc-nosysres ]; then
    # daemon.json changed under a running dockerd: restart the one we (or the init script) started.
    say "dockerd runs with default runtime '$rt'; restarting it"
    pid=$(pgrep -xo dockerd) || die "docker answers but no local dockerd process to restart"
    kill "$pid"; for ((i = 0; i < TIMEOUT; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    start_dockerd; say "dockerd restarted (log $LOG)"
  fi
else
  pgrep -x dockerd >/dev/null && die "a dockerd process exists but 'docker info' fails; see $LOG"
  start_dockerd; say "started dockerd (log $LOG)"
fi

# 4. inotify limits (kind recommends these for multi-node clusters)
for kv in fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512; do
  k=${kv%=*} v=${kv#*=}
  if [ "$(sysctl -n "$k")" -lt "$v" ]; then sysctl -qw "$kv"; say "set $kv"; fi
done

say "ok: $(docker version --format 'server {{.Server.Version}}') runtime=$(docker info --format '{{.DefaultRuntime}}') cgroup=v$(docker info --format '{{.CgroupVersion}}')/$(docker info --format '{{.CgroupDriver}}')"

# 5. optional smoke test: local image without any registry, privileged run + privileged exec
if [ "${1:-}" = --check ]; then
  if ! docker image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1; then
    apt_install busybox-static
    d=$(mktemp -d); mkdir -p "$d/bin"; cp /bin/busybox "$d/bin/"
    for a in $(/bin/busybox --list); do [ -e "$d/bin/$a" ] || ln -s busybox "$d/bin/$a"; done
    tar -C "$d" -c . | docker import -c 'CMD ["/bin/sh"]' - "$BUSYBOX_IMAGE" >/dev/null; rm -rf "$d"
    say "imported $BUSYBOX_IMAGE"
  fi
  docker run --rm --privileged "$BUSYBOX_IMAGE" grep Cap /proc/self/status
  c=$(docker run -d --rm "$BUSYBOX_IMAGE" sleep 60)
  trap 'docker rm -f "$c" >/dev/null 2>&1' EXIT
  docker exec --privileged "$c" sh -c 'grep CapEff /proc/self/status; echo exec-privileged-ok'
  say "check ok"
fi
