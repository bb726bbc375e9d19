#!/bin/bash
# /run.sh: entry point of the e2e stand-in for gcr.io/google-samples/cassandra:v13 (Apache Cassandra 5.0 on
# Debian's OpenJDK 17). It keeps the environment contract of the tutorial image:
#   CASSANDRA_SEEDS          comma-separated seed hosts (default: this node)       e.g. cassandra-0.cassandra.default.svc.cluster.local
#   CASSANDRA_CLUSTER_NAME   cluster_name (default 'Test Cluster')
#   CASSANDRA_DC, CASSANDRA_RACK  when both are set: GossipingPropertyFileSnitch with that dc/rack
#   CASSANDRA_ENDPOINT_SNITCH     snitch otherwise (default SimpleSnitch)
#   POD_IP                   listen/broadcast address (default: first address of `hostname -i`)
#   MAX_HEAP_SIZE            -Xms/-Xmx (default 512M); HEAP_NEWSIZE is accepted but unused with G1
#   CASSANDRA_NUM_TOKENS (32), CASSANDRA_RPC_ADDRESS (0.0.0.0), CASSANDRA_RING_DELAY ms (30000),
#   CASSANDRA_AUTO_BOOTSTRAP (true), CASSANDRA_MIGRATION_WAIT s (1), CASSANDRA_REPLACE_NODE (ip),
#   CASSANDRA_<YAML KEY>     any key present in the template, e.g. CASSANDRA_CONCURRENT_COMPACTORS
#   JVM_EXTRA_OPTS           appended to the JVM command line
# Data lives under /cassandra_data (the StatefulSet's volume). The config is rendered from /opt/cassandra/conf
# into /etc/cassandra at every start; Cassandra then runs in the foreground as PID 1 (user cassandra when
# started as root), logging to stdout.
set -euo pipefail

CASSANDRA_HOME=${CASSANDRA_HOME:-/opt/cassandra}
TEMPLATES=$CASSANDRA_HOME/conf
CASSANDRA_CONF_DIR=${CASSANDRA_CONF_DIR:-/etc/cassandra}
CASSANDRA_CFG=$CASSANDRA_CONF_DIR/cassandra.yaml
CASSANDRA_DATA=${CASSANDRA_DATA:-/cassandra_data}

if [ -z "${POD_IP:-}" ]; then
  POD_IP=$(hostname -i | awk '{print $1}')
fi
CASSANDRA_RPC_ADDRESS=${CASSANDRA_RPC_ADDRESS:-0.0.0.0}
CASSANDRA_NUM_TOKENS=${CASSANDRA_NUM_TOKENS:-32}
CASSANDRA_CLUSTER_NAME=${CASSANDRA_CLUSTER_NAME:-Test Cluster}
CASSANDRA_LISTEN_ADDRESS=${CASSANDRA_LISTEN_ADDRESS:-$POD_IP}
CASSANDRA_BROADCAST_ADDRESS=${CASSANDRA_BROADCAST_ADDRESS:-$POD_IP}
CASSANDRA_BROADCAST_RPC_ADDRESS=${CASSANDRA_BROADCAST_RPC_ADDRESS:-$POD_IP}
CASSANDRA_DISK_OPTIMIZATION_STRATEGY=${CASSANDRA_DISK_OPTIMIZATION_STRATEGY:-ssd}
CASSANDRA_MIGRATION_WAIT=${CASSANDRA_MIGRATION_WAIT:-1}
CASSANDRA_ENDPOINT_SNITCH=${CASSANDRA_ENDPOINT_SNITCH:-SimpleSnitch}
CASSANDRA_DC=${CASSANDRA_DC:-}
CASSANDRA_RACK=${CASSANDRA_RACK:-}
CASSANDRA_RING_DELAY=${CASSANDRA_RING_DELAY:-30000}
CASSANDRA_AUTO_BOOTSTRAP=${CASSANDRA_AUTO_BOOTSTRAP:-true}
CASSANDRA_SEEDS=${CASSANDRA_SEEDS:-$POD_IP}
CASSANDRA_SEED_PROVIDER=${CASSANDRA_SEED_PROVIDER:-org.apache.cassandra.locator.SimpleSeedProvider}
MAX_HEAP_SIZE=${MAX_HEAP_SIZE:-512M}
HEAP_NEWSIZE=${HEAP_NEWSIZE:-}

mkdir -p "$CASSANDRA_CONF_DIR"
cp "$TEMPLATES/cassandra.yaml" "$CASSANDRA_CFG"
for f in logback.xml logback-tools.xml jvm-server.options jvm-clients.options; do
  cp "$TEMPLATES/$f" "$CASSANDRA_CONF_DIR/$f"
done

# If DC and RACK are both set, the node announces them through GossipingPropertyFileSnitch.
if [ -n "$CASSANDRA_DC" ] && [ -n "$CASSANDRA_RACK" ]; then
  printf 'dc=%s\nrack=%s\nprefer_local=true\n' "$CASSANDRA_DC" "$CASSANDRA_RACK" >"$CASSANDRA_CONF_DIR/cassandra-rackdc.properties"
  CASSANDRA_ENDPOINT_SNITCH=GossipingPropertyFileSnitch
fi

# Every scalar template key named by a CASSANDRA_<KEY> variable takes that value (commented keys are enabled).
# Keys whose value is a block (seed_provider, data_file_directories) are not touched here.
yaml_set() { # key value
  local v=$2
  case "$1" in cluster_name) v="'${v//\'/\'\'}'" ;; esac
  v=${v//\\/\\\\}; v=${v//|/\\|}; v=${v//&/\\&}
  sed -ri "s|^(# )?($1):.*|\\2: $v|" "$CASSANDRA_CFG"
}
for key in $(sed -nE 's/^(# )?([a-z_]+): *[^ ].*/\2/p' "$CASSANDRA_CFG" | sort -u); do
  var=CASSANDRA_${key^^}
  if [ -n "${!var:-}" ]; then yaml_set "$key" "${!var}"; fi
done
SEEDS_ESC=${CASSANDRA_SEEDS//|/\\|}
sed -ri "s|- seeds:.*|- seeds: \"$SEEDS_ESC\"|" "$CASSANDRA_CFG"
sed -ri "s|- class_name: org.apache.cassandra.locator.SimpleSeedProvider|- class_name: $CASSANDRA_SEED_PROVIDER|" "$CASSANDRA_CFG"

# JVM command line: static flags from jvm-server.options, then the dynamic ones.
JVM_OPTS=()
while read -r line; do
  # shellcheck disable=SC2206
  case "$line" in -*) JVM_OPTS+=($line) ;; esac   # "--add-opens x/y=z" is two words
done <"$CASSANDRA_CONF_DIR/jvm-server.options"
JVM_OPTS+=("-Xms$MAX_HEAP_SIZE" "-Xmx$MAX_HEAP_SIZE")
JVM_OPTS+=("-Dcassandra.ring_delay_ms=$CASSANDRA_RING_DELAY" "-Dcassandra.migration_task_wait_in_seconds=$CASSANDRA_MIGRATION_WAIT")
if [ -n "${CASSANDRA_REPLACE_NODE:-}" ]; then JVM_OPTS+=("-Dcassandra.replace_address_first_boot=$CASSANDRA_REPLACE_NODE"); fi
JAMM=$(ls "$CASSANDRA_HOME"/lib/jamm-*.jar 2>/dev/null | head -n1 || true)
if [ -n "$JAMM" ]; then JVM_OPTS+=("-javaagent:$JAMM"); fi
JVM_OPTS+=(
  "-Dcassandra.jmx.local.port=7199" "-Djava.rmi.server.hostname=127.0.0.1"
  "-Dcassandra.config=file://$CASSANDRA_CFG" "-Dcassandra-rackdc.properties=file://$CASSANDRA_CONF_DIR/cassandra-rackdc.properties"
  "-Dlogback.configurationFile=$CASSANDRA_CONF_DIR/logback.xml"
  "-Dcassandra.logdir=$CASSANDRA_DATA/log" "-Dcassandra.storagedir=$CASSANDRA_DATA"
  "-Dcassandra-foreground=yes" "-Djna.tmpdir=/tmp" "-XX:HeapDumpPath=$CASSANDRA_DATA"
)
# shellcheck disable=SC2206
if [ -n "${JVM_EXTRA_OPTS:-}" ]; then JVM_OPTS+=($JVM_EXTRA_OPTS); fi

echo "Starting Cassandra on $CASSANDRA_LISTEN_ADDRESS"
for v in CASSANDRA_CONF_DIR CASSANDRA_CFG CASSANDRA_DATA CASSANDRA_RPC_ADDRESS CASSANDRA_NUM_TOKENS CASSANDRA_CLUSTER_NAME \
  CASSANDRA_LISTEN_ADDRESS CASSANDRA_BROADCAST_ADDRESS CASSANDRA_BROADCAST_RPC_ADDRESS CASSANDRA_DISK_OPTIMIZATION_STRATEGY \
  CASSANDRA_MIGRATION_WAIT CASSANDRA_ENDPOINT_SNITCH CASSANDRA_DC CASSANDRA_RACK CASSANDRA_RING_DELAY CASSANDRA_AUTO_BOOTSTRAP \
  CASSANDRA_SEEDS CASSANDRA_SEED_PROVIDER MAX_HEAP_SIZE HEAP_NEWSIZE; do
  echo "$v ${!v}"
done

mkdir -p "$CASSANDRA_DATA"/{data,commitlog,saved_caches,hints,cdc_raw,log}
CP="$CASSANDRA_CONF_DIR:$CASSANDRA_HOME/lib/*"
if [ "$(id -u)" = 0 ]; then
  chown -R cassandra:cassandra "$CASSANDRA_DATA" "$CASSANDRA_CONF_DIR"
  chmod 700 "$CASSANDRA_DATA"
  exec setpriv --reuid=cassandra --regid=cassandra --init-groups \
    java "${JVM_OPTS[@]}" -cp "$CP" org.apache.cassandra.service.CassandraDaemon
fi
exec java "${JVM_OPTS[@]}" -cp "$CP" org.apache.cassandra.service.CassandraDaemon
