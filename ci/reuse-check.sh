#!/usr/bin/env bash
# --reuse through the real CLI: a first run creates and keeps a warm cluster; a second run reuses it and must reach
# its first assertion within LIMIT_S seconds of the command; a changed fingerprint must recreate it; --cleanup must
# remove it. Usage: ci/reuse-check.sh [provider] (default kwok). Prints one line per check; exits non-zero on a failure.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
provider=${1:-kwok}
LIMIT_S=${LIMIT_S:-10}
state=$(mktemp -d); export E2E_STATE_DIR="$state"
fail=0
run() { # LOG ARGS...: one run of the first two S1 assertions
  local log=$1; shift
  npm run -s e2e -- --provider "$provider" --reuse --scenario statefulset-basics --grep '\[1\.[12]\]' --report-dir "$state/reports" "$@" >"$log" 2>&1
}
check() { # NAME CONDITION-EXIT-CODE DETAIL
  if [ "$2" -eq 0 ]; then echo "reuse-check $provider: $1: ok ($3)"; else echo "reuse-check $provider: $1: FAILED ($3)"; fail=1; fi
}
first_s() { sed -n 's/^first assertion .* started \([0-9.]*\) s after the command$/\1/p' "$1" | head -1; }

run "$state/1.log"; rc=$?
grep -q -- "--reuse: no kept cluster: creating" "$state/1.log"; check "first run creates" $(( rc | $? )) "exit $rc, first assertion after $(first_s "$state/1.log") s"
run "$state/2.log"; rc=$?
t=$(first_s "$state/2.log")
grep -q -- "reused (fingerprint unchanged)" "$state/2.log"; reused=$?
awk -v t="${t:-999}" -v l="$LIMIT_S" 'BEGIN { exit !(t <= l) }'; fast=$?
check "second run reuses the warm cluster" $(( rc | reused | fast )) "exit $rc, first assertion after ${t:-?} s, limit ${LIMIT_S} s"
case $provider in
  kwok) E2E_KWOK_READY_DELAY_MS=900 run "$state/3.log"; rc=$?; what="delays changed" ;;
  kind) # the same node image with one more label: another image ID, as after a rebuild
        base=$(bash ci/build-node-image.sh 2>/dev/null | tail -1)
        # (the legacy builder's deprecation notice on stderr is noise; a failed build shows in the check below)
        printf 'FROM %s\nLABEL io.stateful-e2e.reuse-check=1\n' "$base" | docker build -q -t stateful-e2e/kind-node:reuse-check - >/dev/null 2>"$state/build.err" || cat "$state/build.err"
        E2E_KIND_NODE_IMAGE=stateful-e2e/kind-node:reuse-check run "$state/3.log"; rc=$?; what="node image changed" ;;
esac
grep -q -- "--reuse: $what" "$state/3.log"; check "a changed fingerprint is detected and the cluster recreated" $? "$(grep -m1 -- "--reuse: $what" "$state/3.log" | cut -c1-200)"
npm run -s e2e -- --cleanup >"$state/4.log" 2>&1
# after --cleanup: the kept cluster's nodes ran on it until then
[ "$provider" = kind ] && docker rmi stateful-e2e/kind-node:reuse-check >/dev/null 2>&1
left=""
[ "$provider" = kind ] && left=$("$(bash ci/build-kind.sh | tail -1)" get clusters 2>/dev/null | grep '^se2e-reuse' || true)
[ "$provider" = kwok ] && left=$(pgrep -f -- "$state/reuse" || true)
[ -z "$left" ] && [ ! -d "$state/reuse/${provider}-se2e-reuse-k2" ]; check "--cleanup removes the kept cluster" $? "${left:-nothing left}"
[ "$fail" -eq 0 ] && rm -rf "$state" || echo "reuse-check $provider: logs in $state"
exit "$fail"
