#!/bin/bash
# Application images for the StatefulSet tutorials, tagged with the exact names of the seed manifests and built
# without any registry or Dockerfile (see docs/app-images.md):
#   zookeeper -> registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10  (ZooKeeper $ZK_VERSION jars from Maven Central)
#   cassandra -> gcr.io/google-samples/cassandra:v13               (cassandra-all $CASSANDRA_VERSION from Maven Central)
#                and the same image as gcr.io/google-samples/cassandra:v12 (E1/E2 select its KubernetesSeedProvider)
#   hazelcast -> hazelcast/hazelcast:5.5                           (hazelcast $HZ_VERSION from Maven Central; catalogue §E3)
# Steps, each cached under $E2E_CACHE/app-images (keyed by version / content hash):
#   1. the Debian minbase rootfs tarball shared with ci/build-images.sh (ci/lib.sh),
#      debootstrapped once from the machine's apt mirror;
#   2. jre-*.tar.gz: Debian's openjdk-17-jdk-headless in a throwaway chroot, `jlink`ed to the modules both
#      servers need (plus a default CDS archive for faster JVM start) -> /opt/java;
#   3. runtime-*.tar.gz: minbase + netcat-openbsd + procps + that JRE, docs and apt lists stripped;
#   4. <app>-<version>/lib: the jars, via a generated pom and `mvn dependency:copy-dependencies`;
#   5. per app: runtime + jars + ci/images/<app>/** -> `docker import` with ENV/USER/CMD and
#      LABEL io.stateful-e2e.rev=<hash of this script, ci/images/<app>/**, versions, runtime>. An image whose
#      label already matches is left alone, so a warm run is a no-op.
# Usage: ci/build-app-images.sh [zookeeper] [cassandra] [hazelcast]   (none = all). Prints each image's size.
# Needs root, docker (ci/docker-setup.sh), Maven Central via mvn (Debian's maven is installed if missing) and the
# machine's Debian mirror (debootstrap if no minbase rootfs is cached; openjdk-17 in a chroot).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/versions.sh"
ZK_VERSION=${ZK_VERSION:-3.4.10}
CASSANDRA_VERSION=${CASSANDRA_VERSION:-5.0.6}
ZK_IMAGE=${ZK_IMAGE:-registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10}
CASSANDRA_IMAGE=${CASSANDRA_IMAGE:-gcr.io/google-samples/cassandra:v13}
CASSANDRA_V12_IMAGE=${CASSANDRA_V12_IMAGE:-gcr.io/google-samples/cassandra:v12}
HZ_VERSION=${HZ_VERSION:-5.5.0}
HZ_IMAGE=${HZ_IMAGE:-hazelcast/hazelcast:5.5}
SUITE=bookworm
JDK_PACKAGE=openjdk-17-jdk-headless
RUNTIME_PACKAGES="netcat-openbsd procps"
# Union of `jdeps --print-module-deps` over both servers' jars, plus the JMX agent, JNDI DNS+RMI (nodetool needs jdk.naming.rmi), EC crypto, zipfs and jcmd.
JRE_MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.management.rmi,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.attach,jdk.crypto.ec,jdk.jcmd,jdk.management,jdk.management.agent,jdk.naming.dns,jdk.naming.rmi,jdk.net,jdk.unsupported,jdk.zipfs
JLINK_OPTS="--strip-debug --no-man-pages --no-header-files --compress=1 --generate-cds-archive"
CACHE=$E2E_CACHE/app-images
WORK=${WORK:-/srv/stateful-e2e-app-images}
# shellcheck source=ci/lib.sh
. "$HERE/lib.sh"
[ "$(id -u)" = 0 ] || die "must run as root"
docker info >/dev/null 2>&1 || die "docker is not answering; run ci/docker-setup.sh"
T0=$(date +%s)

apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(zookeeper cassandra hazelcast)
for a in "${apps[@]}"; do case "$a" in zookeeper|cassandra|hazelcast) ;; *) die "unknown app '$a' (zookeeper|cassandra|hazelcast)" ;; esac; done

R=''
cleanup() {
  if [ -n "$R" ]; then
    mountpoint -q "$R/proc" 2>/dev/null && umount -l "$R/proc"
    rm -rf "$R"
  fi
  true
}
trap cleanup EXIT
hash12() { sha256sum | cut -c1-12; }

# 1. minbase rootfs: ci/lib.sh (shared with ci/build-images.sh)

chroot_begin() { # $1 = dir, $2 = tarball: unpack and prepare for apt-get in a chroot
  R=$1; rm -rf "$R"; mkdir -p "$R"
  trap cleanup EXIT   # also inside $(...) subshells, which do not inherit the trap
  tar -C "$R" --numeric-owner -xzf "$2"
  cp /etc/resolv.conf "$R/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"; chmod 755 "$R/usr/sbin/policy-rc.d"
  mount -t proc proc "$R/proc"
}
chroot_apt() { # $1 = log name, rest = packages
  local log=$WORK/$1.apt.log; shift
  chroot "$R" apt-get update -qq >"$log" 2>&1 || die "apt-get update failed; see $log"
  chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$log" 2>&1 \
    || die "apt-get install $* failed; see $log ($(tail -n1 "$log"))"
}
chroot_end() { umount "$R/proc"; rm -f "$R/usr/sbin/policy-rc.d"; : >"$R/etc/resolv.conf"; }

# 2. jlinked JRE from Debian's JDK
jre_tarball() { # $1 = base tarball
  local key out t
  key=$(echo "$(basename "$1") $JDK_PACKAGE $JRE_MODULES $JLINK_OPTS strip-v1" | hash12)
  out=$CACHE/jre-17-$key.tar.gz
  if [ -s "$out" ]; then echo "$out"; return; fi
  t=$(date +%s); mkdir -p "$CACHE"
  say "jre: apt-get install $JDK_PACKAGE in a chroot, jlink $JRE_MODULES"
  chroot_begin "$WORK/jdk" "$1"
  chroot_apt jdk "$JDK_PACKAGE" binutils   # Debian's jlink --strip-debug runs objcopy
  # shellcheck disable=SC2086
  chroot "$R" jlink --add-modules "$JRE_MODULES" $JLINK_OPTS --output /opt/java >"$WORK/jlink.log" 2>&1 \
    || die "jlink failed; see $WORK/jlink.log"
  # Heaps here are far below 32 GiB (no need for the no-compressed-oops CDS archive); drop native symbols.
  rm -f "$R/opt/java/lib/server/classes_nocoops.jsa"
  chroot "$R" find /opt/java -name '*.so' -exec strip --strip-unneeded {} +
  chroot "$R" /opt/java/bin/java -version >"$R/opt/java/DEBIAN-JDK-VERSION" 2>&1
  chroot "$R" dpkg-query -W -f='${Package} ${Version}\n' "$JDK_PACKAGE" >>"$R/opt/java/DEBIAN-JDK-VERSION"
  umount "$R/proc"
  tar -C "$R/opt" --numeric-owner -c java | gzip -1 >"$out.tmp" && mv "$out.tmp" "$out"
  find "$CACHE" -maxdepth 1 -name 'jre-17-*.tar.gz' ! -name "$(basename "$out")" -delete   # superseded keys
  rm -rf "$R"; R=''
  say "jre: cached $out ($(du -h "$out" | cut -f1), $(($(date +%s) - t))s)"
  echo "$out"
}

# 3. runtime rootfs = minbase + runtime packages + JRE, stripped
runtime_tarball() { # $1 = base tarball, $2 = jre tarball
  local key out t
  key=$(echo "$(basename "$1") $(basename "$2") $RUNTIME_PACKAGES strip-v1" | hash12)
  out=$CACHE/runtime-$key.tar.gz
  if [ -s "$out" ]; then echo "$out"; return; fi
  t=$(date +%s)
  say "runtime: apt-get install $RUNTIME_PACKAGES, add the JRE"
  chroot_begin "$WORK/runtime" "$1"
  # shellcheck disable=SC2086
  chroot_apt runtime $RUNTIME_PACKAGES
  chroot_end
  tar -C "$R/opt" -xzf "$2"
  ln -sf /opt/java/bin/java "$R/usr/bin/java"
  rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/cache/apt/archives/*.deb "$R"/var/log/* \
    "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/usr/share/lintian "$R"/tmp/* "$R"/var/tmp/* \
    "$R"/var/cache/debconf/*-old "$R"/usr/lib/x86_64-linux-gnu/gconv
  find "$R/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
  tar -C "$R" --numeric-owner -c . | gzip -1 >"$out.tmp" && mv "$out.tmp" "$out"
  find "$CACHE" -maxdepth 1 -name 'runtime-*.tar.gz' ! -name "$(basename "$out")" -delete   # superseded keys
  rm -rf "$R"; R=''
  say "runtime: cached $out ($(du -h "$out" | cut -f1), $(($(date +%s) - t))s)"
  echo "$out"
}

# 4. jars from Maven Central
jars() { # $1 = groupId, $2 = artifactId, $3 = version, $4 = exclusions XML -> prints the lib dir
  local dir=$CACHE/$2-$3 pomdir=$WORK/pom-$2-$3 t
  if [ -f "$dir/.complete" ]; then echo "$dir/lib"; return; fi
  t=$(date +%s); rm -rf "$dir" "$pomdir"; mkdir -p "$dir" "$pomdir"
  cat >"$pomdir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.stateful-e2e</groupId><artifactId>$2-image</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>$1</groupId><artifactId>$2</artifactId><version>$3</version><exclusions>$4</exclusions></dependency>
  </dependencies>
</project>
POM
  if ! command -v mvn >/dev/null; then
    say "installing Debian's maven (and its JDK)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends maven openjdk-17-jdk-headless; } >"$WORK/maven.apt.log" 2>&1 \
      || die "apt-get install maven failed; see $WORK/maven.apt.log"
  fi
  say "$2 $3: mvn dependency:copy-dependencies"
  mvn -q -B -f "$pomdir/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir/lib" \
    >"$WORK/mvn-$2.log" 2>&1 || die "mvn failed for $1:$2:$3; see $WORK/mvn-$2.log ($(grep -m1 ERROR "$WORK/mvn-$2.log" || tail -n1 "$WORK/mvn-$2.log"))"
  # Native parts for other platforms are dead weight in a linux/amd64 image.
  find "$dir/lib" -name '*.jar' \( -name '*-osx-*' -o -name '*-windows-*' -o -name '*-linux-aarch_64*' -o -name '*-linux-riscv64*' \) -delete
  (cd "$dir/lib" && ls -1) >"$dir/jars.txt"
  touch "$dir/.complete"; rm -rf "$pomdir"
  say "$2 $3: $(wc -l <"$dir/jars.txt") jars, $(du -sh "$dir/lib" | cut -f1) in $(($(date +%s) - t))s"
  echo "$dir/lib"
}

image_rev() { # $1 = app, $2 = runtime tarball, $3 = lib dir, rest = extra key material
  local app=$1 rt=$2 lib=$3; shift 3
  ( cat "$0" "$HERE/lib.sh"; cd "$HERE/images/$app" && find . -type f -print0 | sort -z | xargs -0 sha256sum
    echo "$(basename "$rt") $(cat "$lib/../jars.txt") $*" ) | hash12
}
have_rev() { docker image inspect -f '{{index .Config.Labels "io.stateful-e2e.rev"}}' "$1" 2>/dev/null || true; }
import() { # $1 = tag, $2 = rev, rest = docker import -c changes; imports $R
  local tag=$1 rev=$2; shift 2
  local changes=() c out
  for c in "$@"; do changes+=(-c "$c"); done
  echo "$tag rev $rev" >"$R/etc/stateful-e2e-image"
  tar -C "$R" --numeric-owner -c . | docker import "${changes[@]}" -c "LABEL io.stateful-e2e.rev=$rev" - "$tag" >/dev/null
  out=$(docker image inspect -f '{{.Id}} {{.Size}}' "$tag")
  say "imported $tag (${out%% *}, $(numfmt --to=si --suffix=B "${out##* }"))"
}

build_zookeeper() { # $1 = runtime tarball
  local lib rev t src=$HERE/images/zookeeper
  lib=$(jars org.apache.zookeeper zookeeper "$ZK_VERSION" '<exclusion><groupId>junit</groupId><artifactId>junit</artifactId></exclusion>')
  rev=$(image_rev zookeeper "$1" "$lib" "$ZK_IMAGE $ZK_VERSION")
  if [ "$(have_rev "$ZK_IMAGE")" = "$rev" ]; then say "zookeeper: up to date (rev $rev): $ZK_IMAGE"; return; fi
  t=$(date +%s)
  R=$WORK/zookeeper; rm -rf "$R"; mkdir -p "$R"
  tar -C "$R" --numeric-owner -xzf "$1"
  chroot "$R" groupadd -g 1000 zookeeper
  chroot "$R" useradd -u 1000 -g 1000 -m -d /home/zookeeper -s /bin/bash zookeeper
  local Z=$R/opt/zookeeper
  mkdir -p "$Z/lib" "$Z/bin" "$Z/conf" "$Z/etc" "$R/usr/etc" "$R/var/lib/zookeeper" "$R/var/log/zookeeper"
  cp "$lib"/*.jar "$Z/lib/"
  install -m 0755 "$src"/bin/* "$Z/bin/"
  install -m 0644 "$src"/etc/* "$Z/etc/"
  ln -s /opt/zookeeper/conf "$R/usr/etc/zookeeper"
  for b in start-zookeeper zkCli.sh zkServer.sh; do ln -s "/opt/zookeeper/bin/$b" "$R/usr/local/bin/$b"; done
  # uid 1000 owns the whole ZooKeeper tree, as in the tutorial image: the liveness scenario deletes
  # /opt/zookeeper/bin/zookeeper-ready from inside the container (running as 1000).
  chown -R 1000:1000 "$Z" "$R/var/lib/zookeeper" "$R/var/log/zookeeper"
  import "$ZK_IMAGE" "$rev" \
    'ENV PATH=/opt/zookeeper/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV JAVA_HOME=/opt/java' 'ENV ZK_HOME=/opt/zookeeper' "ENV ZK_VERSION=$ZK_VERSION" \
    'USER 1000:1000' 'WORKDIR /opt/zookeeper' 'EXPOSE 2181 2888 3888' \
    'CMD ["start-zookeeper", "--servers=1"]' "LABEL io.stateful-e2e.recipe=zookeeper"
  rm -rf "$R"; R=''
  say "zookeeper: built in $(($(date +%s) - t))s"
}

build_cassandra() { # $1 = runtime tarball
  local lib rev t src=$HERE/images/cassandra
  lib=$(jars org.apache.cassandra cassandra-all "$CASSANDRA_VERSION" '')
  rev=$(image_rev cassandra "$1" "$lib" "$CASSANDRA_IMAGE $CASSANDRA_VERSION")
  # v12 (seeds/000, catalogue E1/E2) is the same image under the other tag: the v12 manifests select the
  # project's io.k8s.cassandra.KubernetesSeedProvider by CASSANDRA_SEED_PROVIDER, and a node loads the content once.
  if [ "$(have_rev "$CASSANDRA_IMAGE")" = "$rev" ]; then
    docker tag "$CASSANDRA_IMAGE" "$CASSANDRA_V12_IMAGE"
    say "cassandra: up to date (rev $rev): $CASSANDRA_IMAGE, $CASSANDRA_V12_IMAGE"; return
  fi
  t=$(date +%s)
  R=$WORK/cassandra; rm -rf "$R"; mkdir -p "$R"
  tar -C "$R" --numeric-owner -xzf "$1"
  chroot "$R" groupadd -r -g 999 cassandra
  chroot "$R" useradd -r -u 999 -g 999 -M -d /opt/cassandra -s /usr/sbin/nologin cassandra
  local C=$R/opt/cassandra
  mkdir -p "$C/lib" "$C/conf" "$R/etc/cassandra" "$R/cassandra_data"
  cp "$lib"/*.jar "$C/lib/"
  # The seed provider (ci/images/cassandra/seed-provider), compiled against this cassandra-all for the image's JRE.
  local ksp=$WORK/cassandra-ksp; rm -rf "$ksp"; mkdir -p "$ksp/classes"
  command -v javac >/dev/null || die "javac is missing (Debian's $JDK_PACKAGE; .ci/run installs it)"
  javac --release 17 -Xlint:all,-path -Werror -cp "$lib/*" -d "$ksp/classes" "$src"/seed-provider/io/k8s/cassandra/*.java \
    || die "the KubernetesSeedProvider does not compile"
  jar --create --file "$C/lib/stateful-e2e-kubernetes-seed-provider.jar" -C "$ksp/classes" .
  rm -rf "$ksp"
  install -m 0644 "$src"/conf/* "$C/conf/"
  install -m 0755 "$src/bin/run.sh" "$R/run.sh"
  install -m 0755 "$src/bin/ready-probe.sh" "$R/ready-probe.sh"
  install -m 0755 "$src/bin/nodetool" "$R/usr/local/bin/nodetool"
  cp "$C"/conf/* "$R/etc/cassandra/"   # so nodetool works before the first /run.sh too
  chown -R 999:999 "$R/etc/cassandra" "$R/cassandra_data"
  chmod 700 "$R/cassandra_data"
  import "$CASSANDRA_IMAGE" "$rev" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV JAVA_HOME=/opt/java' 'ENV CASSANDRA_HOME=/opt/cassandra' 'ENV CASSANDRA_CONF_DIR=/etc/cassandra' \
    'ENV CASSANDRA_DATA=/cassandra_data' "ENV CASSANDRA_VERSION=$CASSANDRA_VERSION" \
    'WORKDIR /' 'EXPOSE 7000 7001 7199 9042' 'CMD ["/run.sh"]' "LABEL io.stateful-e2e.recipe=cassandra"
  rm -rf "$R"; R=''
  docker tag "$CASSANDRA_IMAGE" "$CASSANDRA_V12_IMAGE"
  say "cassandra: built in $(($(date +%s) - t))s (also tagged $CASSANDRA_V12_IMAGE)"
}

build_hazelcast() { # $1 = runtime tarball
  local lib rev t src=$HERE/images/hazelcast
  lib=$(jars com.hazelcast hazelcast "$HZ_VERSION" '')
  rev=$(image_rev hazelcast "$1" "$lib" "$HZ_IMAGE $HZ_VERSION")
  if [ "$(have_rev "$HZ_IMAGE")" = "$rev" ]; then say "hazelcast: up to date (rev $rev): $HZ_IMAGE"; return; fi
  t=$(date +%s)
  R=$WORK/hazelcast; rm -rf "$R"; mkdir -p "$R"
  tar -C "$R" --numeric-owner -xzf "$1"
  chroot "$R" groupadd -g 1000 hazelcast
  chroot "$R" useradd -u 1000 -g 1000 -M -d /opt/hazelcast -s /usr/sbin/nologin hazelcast
  mkdir -p "$R/opt/hazelcast/lib"
  cp "$lib"/*.jar "$R/opt/hazelcast/lib/"
  install -m 0755 "$src/bin/start-hazelcast" "$R/usr/local/bin/start-hazelcast"
  import "$HZ_IMAGE" "$rev" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV JAVA_HOME=/opt/java' "ENV HAZELCAST_VERSION=$HZ_VERSION" 'ENV HZ_PHONE_HOME_ENABLED=false' \
    'USER 1000:1000' 'WORKDIR /opt/hazelcast' 'EXPOSE 5701' \
    'CMD ["start-hazelcast"]' "LABEL io.stateful-e2e.recipe=hazelcast"
  rm -rf "$R"; R=''
  say "hazelcast: built in $(($(date +%s) - t))s"
}

mkdir -p "$CACHE" "$WORK"
BASE=$(minbase_tarball)
JRE=$(jre_tarball "$BASE")
RUNTIME=$(runtime_tarball "$BASE" "$JRE")
for a in "${apps[@]}"; do "build_$a" "$RUNTIME"; done
for a in "${apps[@]}"; do
  case "$a" in zookeeper) tag=$ZK_IMAGE ;; cassandra) tag=$CASSANDRA_IMAGE ;; hazelcast) tag=$HZ_IMAGE ;; esac
  echo "$tag $(numfmt --to=si --suffix=B "$(docker image inspect -f '{{.Size}}' "$tag")")"
done
say "done in $(($(date +%s) - T0))s"
