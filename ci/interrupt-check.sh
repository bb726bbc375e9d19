#!/usr/bin/env bash
# Interrupts real runs and checks that nothing is left behind: no control-plane process, no work directory, no
# journal entry, no kind cluster. Cases: Ctrl-C (SIGINT to the whole process group, as a terminal sends it) at
# several moments, SIGTERM, and SIGKILL followed by `npm run e2e -- --cleanup`; on kwok also Ctrl-C of a run on
# `--provider existing` (a kept kwok cluster), which must leave no namespace or cordon in that cluster, and Ctrl-C
# of a run with two clusters at once; on kind also Ctrl-C while a node is cut off (a node fault), on a kept cluster.
# Usage: [CASES=name,...] ci/interrupt-check.sh [provider] (default kwok). Prints one line per case; exits non-zero on a leak.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
provider=${1:-kwok}
state=$(mktemp -d); export E2E_STATE_DIR="$state"
leaks=0

leftovers() { # $1 = run id
  local id=$1 out=""
  pgrep -af -- "stateful-e2e-$id-" >/dev/null && out+=" processes:$(pgrep -f -- "stateful-e2e-$id-" | tr '\n' ' ')"
  compgen -G "/tmp/stateful-e2e-$id-*" >/dev/null && out+=" dirs:$(echo /tmp/stateful-e2e-"$id"-*)"
  [ -e "$state/$id.json" ] && out+=" journal:$state/$id.json"
  if [ "$provider" = kind ] && command -v kind >/dev/null; then kind get clusters 2>/dev/null | grep -q "se2e-$id" && out+=" kind-cluster"; fi
  echo "$out"
}

# case NAME SIGNAL DELAY_S [E2E ARGS...] (default: --scenario statefulset-basics)
case_() {
  local name=$1 sig=$2 delay=$3 log waited=0; log=$(mktemp)
  local args=("${@:4}"); [ ${#args[@]} -eq 0 ] && args=(--scenario statefulset-basics)
  setsid npm run -s e2e -- --provider "$provider" "${args[@]}" --report-dir "$state/reports-$name" >"$log" 2>&1 &
  local pid=$!
  # Wait (bounded) for the run id, then let the run reach the moment under test.
  local id="" t=0
  while [ -z "$id" ] && [ $t -lt 100 ]; do id=$(sed -n 's/^run \([0-9a-f]\{6\}\):.*/\1/p' "$log"); sleep 0.1; t=$((t + 1)); done
  sleep "$delay"
  if [ "$sig" = INT-HARNESS ]; then
    # Only the harness process, as a CI runner cancelling a job signals it: no help from the process group.
    kill -INT "$(pgrep -g "$pid" -f 'bin/e2e.mjs' | tail -1)" 2>/dev/null
    sig=INT
    while pgrep -g "$pid" -f 'bin/e2e.mjs' >/dev/null && [ $waited -lt 600 ]; do sleep 0.1; waited=$((waited + 1)); done
    if pgrep -g "$pid" -f 'bin/e2e.mjs' >/dev/null; then echo "interrupt $name: harness still alive 60 s after SIGINT"; leaks=$((leaks + 1)); kill -KILL -- -"$pid"; fi
    kill -TERM -- -"$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  elif [ "$sig" = KILL ]; then
    kill -KILL -- -"$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    sleep 7 # the kwok watchdog stops orphaned children within ~6 s
    npm run -s e2e -- --cleanup >>"$log" 2>&1
  else
    kill -"$sig" -- -"$pid" 2>/dev/null
    # npm exits at once; the harness (same process group) goes on tearing down: wait for the whole group.
    while pgrep -g "$pid" >/dev/null && [ $waited -lt 600 ]; do sleep 0.1; waited=$((waited + 1)); done
    if pgrep -g "$pid" >/dev/null; then echo "interrupt $name: run still alive 60 s after SIG$sig"; leaks=$((leaks + 1)); kill -KILL -- -"$pid"; fi
    wait "$pid" 2>/dev/null
  fi
  local left; left=$(leftovers "$id")
  if [ -z "$id" ]; then echo "interrupt $name: no run id in output"; cat "$log"; leaks=$((leaks + 1))
  elif [ -n "$left" ]; then echo "interrupt $name: run $id LEFT$left"; tail -5 "$log"; leaks=$((leaks + 1))
  else echo "interrupt $name: SIG$sig after ${delay}s: run $id left nothing ($(grep -c '^ok ' "$log") assertions had passed, teardown $(( waited / 10 ))s)"; fi
  rm -f "$log"
}

# --provider existing: the cluster outlives the run, so Ctrl-C must remove what the run created in it: its
# namespaces, cordons and node labels. The "user's cluster" is a kwok control plane kept with --keep always, removed
# at the end by --cleanup (which also proves a kept cluster is journaled).
# case_existing NAME MOMENT E2E_ARGS...: Ctrl-C 3 s after MOMENT (a shell command run with KUBECONFIG and RUN_ID set)
# first succeeds.
case_existing() {
  local name=$1 moment=$2; shift 2
  local log id kc left=""; log=$(mktemp)
  npm run -s e2e -- --provider kwok --scenario statefulset-basics --grep '\[1\.1\]' --keep always --report-dir "$state/reports-kept" >"$log" 2>&1
  kc=$(sed -n 's/^kept cluster [^ ]*: export KUBECONFIG=\([^ ]*\).*/\1/p' "$log")
  local kept; kept=$(sed -n 's/^run \([0-9a-f]\{6\}\):.*/\1/p' "$log")
  if [ -z "$kc" ] || ! KUBECONFIG=$kc kubectl get nodes >/dev/null 2>&1; then
    echo "interrupt existing: no kept kwok cluster to stand in for the user's cluster"; tail -5 "$log"; leaks=$((leaks + 1)); rm -f "$log"; return
  fi
  setsid npm run -s e2e -- --provider existing --kubeconfig "$kc" "$@" --report-dir "$state/reports-$name" >"$log" 2>&1 &
  local pid=$! t=0 waited=0
  while [ -z "${id:-}" ] && [ $t -lt 100 ]; do id=$(sed -n 's/^run \([0-9a-f]\{6\}\):.*/\1/p' "$log"); sleep 0.1; t=$((t + 1)); done
  # wait for the moment (bounded: 120 s), then Ctrl-C
  t=0; while [ $t -lt 1200 ] && ! KUBECONFIG=$kc RUN_ID=$id bash -c "$moment" >/dev/null 2>&1; do sleep 0.1; t=$((t + 1)); done
  if ! KUBECONFIG=$kc RUN_ID=$id bash -c "$moment" >/dev/null 2>&1; then echo "interrupt $name: the moment never came: $moment"; leaks=$((leaks + 1)); fi
  sleep 3
  kill -INT -- -"$pid" 2>/dev/null
  while pgrep -g "$pid" >/dev/null && [ $waited -lt 600 ]; do sleep 0.1; waited=$((waited + 1)); done
  wait "$pid" 2>/dev/null
  # namespace deletion is asynchronous: give the API (and kwok's pod deletions) up to 60 s
  t=0; while [ $t -lt 600 ] && [ -n "$(KUBECONFIG=$kc kubectl get ns -l "stateful-e2e/run=$id" -o name 2>/dev/null)" ]; do sleep 0.1; t=$((t + 1)); done
  left=$(KUBECONFIG=$kc kubectl get ns -l "stateful-e2e/run=$id" -o name 2>/dev/null | tr '\n' ' ')
  [ -n "$(KUBECONFIG=$kc kubectl get nodes -l "stateful-e2e/cordoned-by=$id" -o name 2>/dev/null)" ] && left+=" cordoned nodes"
  KUBECONFIG=$kc kubectl get nodes -o jsonpath='{.items[*].metadata.annotations}' 2>/dev/null | grep -q "stateful-e2e/labels-of-$id" && left+=" node labels"
  [ -e "$state/$id.json" ] && left+=" journal:$state/$id.json"
  npm run -s e2e -- --cleanup >>"$log" 2>&1
  local kept_left; kept_left=$(leftovers "$kept")
  if [ -z "$id" ]; then echo "interrupt $name: no run id in output"; cat "$log"; leaks=$((leaks + 1))
  elif [ -n "$left" ]; then echo "interrupt $name: run $id LEFT in the user's cluster: $left"; tail -5 "$log"; leaks=$((leaks + 1))
  elif [ -n "$kept_left" ]; then echo "interrupt $name: --cleanup did not remove the kept cluster $kept:$kept_left"; leaks=$((leaks + 1))
  else echo "interrupt $name: SIGINT on --provider existing: run $id left no namespace, cordon or node label; --cleanup removed the kept cluster $kept"; fi
  rm -f "$log"
}

# kind: Ctrl-C while a node is cut off from the others ([F3.1] of zookeeper-faults) on a --reuse cluster, which
# outlives the run: afterwards every node of the kept cluster runs, unpaused, with no isolate rule left, and
# --cleanup removes the cluster. The moment: the fault's journal file appears just before the fault is applied.
case_fault() {
  local log id="" t=0 waited=0 left="" cluster=se2e-reuse-k3 kind_bin; log=$(mktemp)
  kind_bin=$(bash ci/build-kind.sh | tail -1)
  setsid npm run -s e2e -- --provider kind --reuse --scenario zookeeper-faults --grep '\[F3\.1\]' --report-dir "$state/reports-fault" >"$log" 2>&1 &
  local pid=$!
  while [ -z "$id" ] && [ $t -lt 100 ]; do id=$(sed -n 's/^run \([0-9a-f]\{6\}\):.*/\1/p' "$log"); sleep 0.1; t=$((t + 1)); done
  t=0; while [ $t -lt 6000 ] && ! grep -qs '"isolate"' "$state/$id"-faults-*.json 2>/dev/null && pgrep -g "$pid" >/dev/null; do sleep 0.1; t=$((t + 1)); done
  if ! grep -qs '"isolate"' "$state/$id"-faults-*.json 2>/dev/null; then
    echo "interrupt fault-isolate: run ${id:-?} never applied the isolate fault"; tail -8 "$log"; leaks=$((leaks + 1))
    kill -INT -- -"$pid" 2>/dev/null; wait "$pid" 2>/dev/null; npm run -s e2e -- --cleanup >/dev/null 2>&1; rm -f "$log"; return
  fi
  sleep 3 # inside the 30 s the node is cut off
  kill -INT -- -"$pid" 2>/dev/null
  while pgrep -g "$pid" >/dev/null && [ $waited -lt 1800 ]; do sleep 0.1; waited=$((waited + 1)); done
  pgrep -g "$pid" >/dev/null && { left+=" run still alive 180 s after SIGINT"; kill -KILL -- -"$pid"; }
  wait "$pid" 2>/dev/null
  for n in $(docker ps -a --filter "label=io.x-k8s.kind.cluster=$cluster" --format '{{.Names}}'); do
    st=$(docker inspect -f '{{.State.Status}}' "$n")
    [ "$st" = running ] || left+=" $n:$st"
    [ "$st" = running ] && docker exec "$n" sh -c 'iptables-save 2>/dev/null; iptables-legacy-save 2>/dev/null' | grep -q stateful-e2e-isolate && left+=" $n:isolate-rules"
  done
  compgen -G "$state/$id-faults-*.json" >/dev/null && left+=" fault-journal"
  "$kind_bin" get clusters 2>/dev/null | grep -qx "$cluster" || left+=" (the --reuse cluster was not kept)"
  npm run -s e2e -- --cleanup >>"$log" 2>&1
  "$kind_bin" get clusters 2>/dev/null | grep -q "^se2e-" && left+=" kind-cluster-after-cleanup"
  if [ -n "$left" ]; then echo "interrupt fault-isolate: run $id LEFT$left"; tail -5 "$log"; leaks=$((leaks + 1))
  else echo "interrupt fault-isolate: SIGINT while $cluster had a node cut off: run $id left every node running and connected, no fault journal; --cleanup removed the cluster (teardown $(( waited / 10 ))s)"; fi
  rm -f "$log"
}

# kind needs ~40 s to create its cluster before any assertion runs; kwok ~5 s.
late=12; [ "$provider" = kind ] && late=75
want() { [ -z "${CASES:-}" ] || [[ ",$CASES," == *",$1,"* ]]; } # CASES=a,b runs just those
want during-start && case_ during-start INT 1
want during-tests && case_ during-tests INT "$late"
want harness-only && case_ harness-only INT-HARNESS $((late + 8))
want sigterm && case_ sigterm TERM 8
want sigkill-then-cleanup && case_ sigkill-then-cleanup KILL 8
[ "$provider" = kwok ] && want existing && case_existing existing 'kubectl get ns -l "stateful-e2e/run=$RUN_ID" -o name | grep -q .' --scenario statefulset-basics
# Ctrl-C while two nodes carry the label app=cassandra that E2.3 set (the run's own, recorded on each node).
[ "$provider" = kwok ] && want existing-node-labels && case_existing existing-node-labels 'kubectl get nodes -l app=cassandra -o name | grep -q .' --scenario cassandra-daemonset --grep '\[E2\.3\]'
# Two clusters at once, each with scenarios running side by side: Ctrl-C must undo both (kwok only: on kind the
# same code path costs two cluster creations more).
[ "$provider" = kwok ] && want two-clusters && case_ two-clusters INT "$late" --scenario statefulset-basics --scenario wordpress-mysql --scenario zookeeper --clusters 2
# Opt-in (CASES=fault-isolate): it costs a K3 cluster and a ZooKeeper ensemble, so CI runs it in rotation.
[ "$provider" = kind ] && [[ ",${CASES:-}," == *",fault-isolate,"* ]] && case_fault
rm -rf "$state"
exit $leaks
