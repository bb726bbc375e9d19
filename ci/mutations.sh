#!/usr/bin/env bash
# Proves assertions can fail: runs a scenario against a mutated copy of fixtures/ and requires that the named
# assertion FAILS (and the run exits non-zero). Usage: ci/mutations.sh PROVIDER [extra e2e args...]
# Prints one line per mutation: "mutation <name>: caught by [id]" or "mutation <name>: NOT caught".
set -uo pipefail
cd "$(dirname "$0")/.."
provider=${1:-kwok}; shift || true
extra=("$@")
failures=0

# mutate NAME SCENARIO ASSERTION_ID FILE SED_EXPRESSION
mutate() {
  local name=$1 scenario=$2 id=$3 file=$4 expr=$5
  local tmp; tmp=$(mktemp -d)
  cp -r fixtures "$tmp/fixtures"
  sed -i "$expr" "$tmp/fixtures/$scenario/$file"
  if cmp -s "fixtures/$scenario/$file" "$tmp/fixtures/$scenario/$file"; then
    echo "mutation $name: the edit changed nothing in $file"; failures=$((failures + 1)); rm -rf "$tmp"; return
  fi
  local grep_re; grep_re="\\[${id//./\\.}\\]"
  npm run -s e2e -- --provider "$provider" --scenario "$scenario" --fixtures "$tmp/fixtures" \
    --report-dir "$tmp/reports" --grep "$grep_re" "${extra[@]}" >"$tmp/log" 2>&1
  local rc=$?
  local state
  state=$(node -e '
    const r = require(process.argv[1]).results.find((x) => x.id === process.argv[2]);
    console.log(r ? r.outcome : "missing");' "$tmp/reports/results.json" "$id" 2>/dev/null || echo "no-report")
  if [ "$rc" -ne 0 ] && [ "$state" = failed ]; then
    echo "mutation $name: caught by [$id] (exit $rc): $(grep -m1 "FAIL .*\[$id\]" "$tmp/log" | sed 's/^FAIL //' | cut -c1-220)"
  else
    echo "mutation $name: NOT caught: [$id] $state, exit $rc (log kept in $tmp/log)"; failures=$((failures + 1)); return
  fi
  rm -rf "$tmp"
}

mutate parallel-web statefulset-basics 1.2 web.yaml 's/^  serviceName: "nginx"$/  serviceName: "nginx"\n  podManagementPolicy: "Parallel"/'

exit $failures
