#!/bin/sh
# zkCli.sh [-server host:port] [command args...]: the ZooKeeper command-line client.
# Client logging goes to stderr at WARN so that stdout carries only the command output
# (e.g. `zkCli.sh get /hello` prints `world`).
ZK_HOME=${ZK_HOME:-/opt/zookeeper}
exec java ${CLIENT_JVMFLAGS:--Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC} \
  -Dlog4j.configuration="file:$ZK_HOME/etc/log4j-cli.properties" \
  -cp "$ZK_HOME/lib/*" org.apache.zookeeper.ZooKeeperMain "$@"
