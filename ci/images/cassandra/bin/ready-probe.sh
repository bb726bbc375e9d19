#!/bin/bash
# /ready-probe.sh: readiness of a Cassandra pod = this node ($POD_IP) is Up/Normal in `nodetool status`.
# Same semantics as the tutorial image's probe (`nodetool status | grep $POD_IP` contains UN), with the
# address matched as a whole field. DEBUG=1 prints the verdict.
IP=${POD_IP:-$(hostname -i | awk '{print $1}')}
if nodetool status 2>/dev/null | grep -Eq "^UN[[:space:]]+${IP//./\\.}[[:space:]]"; then
  [ -n "${DEBUG:-}" ] && echo "UN"
  exit 0
fi
[ -n "${DEBUG:-}" ] && echo "Not Up"
exit 1
