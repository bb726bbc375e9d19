#!/bin/sh
# zkServer.sh {status|start-foreground|print-cmd|version} [conf_dir]: a small subset of ZooKeeper's script
# for the e2e image. The server itself is started by start-zookeeper, which also writes the config.
ZK_HOME=${ZK_HOME:-/opt/zookeeper}
CONF_DIR=${2:-${ZOOCFGDIR:-$ZK_HOME/conf}}
CFG=$CONF_DIR/zoo.cfg
port() { sed -n 's/^clientPort=//p' "$CFG" 2>/dev/null | tail -n1; }
case "${1:-}" in
  status)
    P=$(port); P=${P:-2181}
    OUT=$(printf srvr | nc -w 3 127.0.0.1 "$P" 2>/dev/null)
    MODE=$(printf '%s\n' "$OUT" | sed -n 's/^Mode: //p')
    if [ -n "$MODE" ]; then echo "Mode: $MODE"; exit 0; fi
    echo "Error contacting service. It is probably not running." >&2; exit 1 ;;
  start-foreground)
    [ -f "$CFG" ] || { echo "zkServer.sh: $CFG not found (run start-zookeeper first)" >&2; exit 1; }
    [ -f "$CONF_DIR/java.env" ] && . "$CONF_DIR/java.env"
    # shellcheck disable=SC2086
    exec java ${JVMFLAGS:-} -Dlog4j.configuration="file:$CONF_DIR/log4j.properties" \
      -cp "$CONF_DIR:$ZK_HOME/lib/*" org.apache.zookeeper.server.quorum.QuorumPeerMain "$CFG" ;;
  version)
    ls "$ZK_HOME"/lib/zookeeper-*.jar | sed 's/.*zookeeper-\(.*\)\.jar/\1/' ;;
  *)
    echo "usage: zkServer.sh {status|start-foreground|version} [conf_dir]" >&2; exit 2 ;;
esac
