#!/usr/bin/env bash
# shellcheck disable=SC2317 # file-wide: the functions run through later(), which shellcheck cannot follow
# Proves assertions can fail: runs a scenario against a mutated copy of fixtures/ and requires that the named
# assertion FAILS (and the run exits non-zero). Usage: ci/mutations.sh PROVIDER [extra e2e args...]
# (or `npm run mutations -- PROVIDER`). Prints one line per mutation: "mutation <name>: caught by [id]" or
# "mutation <name>: NOT caught", then the score table of this invocation.
# Filters (comma-separated): ONLY=mutation names, ID=assertion IDs, SCENARIO=scenario names.
# MUTATIONS_PARALLEL=N runs up to N mutations at once (each its own e2e run and cluster; default 1): kwok runs are
# mostly "nothing happens" windows, so CI runs them three at a time.
# Score table: every mutation adds a row to $MUTATIONS_REPORT/mutations.jsonl (default reports/mutations), and
# $MUTATIONS_REPORT/mutations.md is rewritten from all its rows (several invocations into one directory add up).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
provider=${1:-kwok}; shift || true
extra=("$@")
out=${MUTATIONS_REPORT:-reports/mutations}
mkdir -p "$out"
started_at=$(date +%s%3N) # ms: a row the previous invocation wrote in this same second is not this one's

# row NAME ID SCENARIO OUTCOME SECONDS MESSAGE: one line of the score table (JSON, written by node for the quoting)
row() {
  node -e '
    const [name, id, scenario, outcome, seconds, message, provider] = process.argv.slice(1);
    const r = { mutation: name, id, scenario, provider, outcome, seconds: Number(seconds), message, at: new Date().toISOString() };
    require("fs").appendFileSync(process.argv[8], JSON.stringify(r) + "\n");' "$@" "$provider" "$out/mutations.jsonl"
}

# mutated NAME ASSERTION_ID SCENARIO SOURCE_DIR FILE (relative to it) SED_EXPRESSION GREP SELECT...: runs the e2e on a
# copy of SOURCE_DIR with the edit applied, selecting with SELECT (where @ stands for the copy), and requires that the
# assertion FAILS and the run exits non-zero.
mutated() {
  local name=$1 id=$2 scenario=$3 src=$4 file=$5 expr=$6 grep_re=$7; shift 7
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then return; fi
  if [ -n "${ID:-}" ] && [[ ",$ID," != *",$id,"* ]]; then return; fi
  if [ -n "${SCENARIO:-}" ] && [[ ",$SCENARIO," != *",$scenario,"* ]]; then return; fi
  local tmp t0; tmp=$(mktemp -d); t0=$(date +%s)
  cp -r "$src" "$tmp/src"
  if ! sed -i "$expr" "$tmp/src/$file" || cmp -s "$src/$file" "$tmp/src/$file"; then
    echo "mutation $name: the edit changed nothing in $file"; rm -rf "$tmp"
    row "$name" "$id" "$scenario" missed 0 "the edit changed nothing in $file"; return
  fi
  local args=() a
  for a in "$@"; do args+=("${a//@/$tmp/src}"); done
  npm run -s e2e -- --provider "$provider" "${args[@]}" --report-dir "$tmp/reports" --grep "$grep_re" "${extra[@]}" >"$tmp/log" 2>&1
  local rc=$? state
  state=$(node -e '
    const r = require(process.argv[1]).results.find((x) => x.id === process.argv[2]);
    console.log(r ? r.outcome : "missing");' "$tmp/reports/results.json" "$id" 2>/dev/null || echo "no-report")
  local secs=$(( $(date +%s) - t0 )) msg
  if [ "$rc" -ne 0 ] && [ "$state" = failed ]; then
    msg=$(grep -m1 "FAIL .*\[$id\]" "$tmp/log" | sed 's/^FAIL //' | cut -c1-220)
    echo "mutation $name: caught by [$id] (exit $rc, ${secs}s): $msg"
    row "$name" "$id" "$scenario" caught "$secs" "$msg"
  else
    echo "mutation $name: NOT caught: [$id] $state, exit $rc (log kept in $tmp/log)"
    row "$name" "$id" "$scenario" missed "$secs" "[$id] $state, exit $rc"; return
  fi
  rm -rf "$tmp"
}

# later CMD...: runs a mutation now, or in the background with MUTATIONS_PARALLEL > 1 (at most that many at once).
# Failures are counted from the rows at the end, so a background one counts too.
parallel=${MUTATIONS_PARALLEL:-1}
# Ctrl-C or SIGTERM: the background runs get SIGTERM (each harness then removes what it created) and are waited for.
# shellcheck disable=SC2046 # one pid per word
trap 'kill -TERM $(jobs -p) 2>/dev/null; wait; exit 130' INT TERM
later() {
  if [ "$parallel" -le 1 ]; then "$@"; return; fi
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  "$@" &
}

# mutate NAME SCENARIO ASSERTION_ID FILE (relative to fixtures/) SED_EXPRESSION [GREP: the assertions to run, default just ID]
mutate() {
  later mutated "$1" "$3" "$2" fixtures "$4" "$5" "${6:-"\\[${3//./\\.}\\]"}" --scenario "$2" --fixtures @
}

# mutate_app NAME APP_DIR ASSERTION_ID FILE (relative to APP_DIR) SED_EXPRESSION: the same for `--app` checks.
mutate_app() {
  later mutated "$1" "$3" "app-$(basename "$2")" "$2" "$4" "$5" "\\[${3//./\\.}\\]" --app @
}

# refused NAME ASSERTION_ID APP_DIR FILE SED_EXPRESSION MESSAGE_RE: a next version of APP_DIR, broken by SED_EXPRESSION
# in FILE, must be refused before anything is applied: `--app APP_DIR --upgrade-to COPY` exits 2 with one line
# matching MESSAGE_RE, and no cluster is created (so it runs on any provider, in a second or two).
refused() {
  local name=$1 id=$2 src=$3 file=$4 expr=$5 want=$6
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then return; fi
  if [ -n "${ID:-}" ] && [[ ",$ID," != *",$id,"* ]]; then return; fi
  local tmp t0 rc secs line; tmp=$(mktemp -d); t0=$(date +%s)
  cp -r "$src" "$tmp/next"
  if ! sed -i "$expr" "$tmp/next/$file" || cmp -s "$src/$file" "$tmp/next/$file"; then
    echo "mutation $name: the edit changed nothing in $file"; rm -rf "$tmp"
    row "$name" "$id" "app-$(basename "$src")" missed 0 "the edit changed nothing in $file"; return
  fi
  npm run -s e2e -- --provider "$provider" --app "$src" --upgrade-to "$tmp/next" --report-dir "$tmp/reports" >"$tmp/out" 2>"$tmp/err"
  rc=$?; secs=$(( $(date +%s) - t0 )); line=$(head -c 220 "$tmp/err" | head -1)
  if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -le 1 ] && grep -qE "$want" "$tmp/err" && [ ! -e "$tmp/reports/results.json" ]; then
    echo "mutation $name: refused before apply, as [$id] promises (exit 2, ${secs}s): $line"
    row "$name" "$id" "app-$(basename "$src")" caught "$secs" "$line"
  else
    echo "mutation $name: NOT refused: exit $rc, stderr: $line (kept in $tmp)"
    row "$name" "$id" "app-$(basename "$src")" missed "$secs" "exit $rc: $line"; return
  fi
  rm -rf "$tmp"
}

# API-level mutations: shown on kwok in CI (they hold on every provider; run them elsewhere with ALL=1).
if [ "$provider" = kwok ] || [ "${ALL:-}" = 1 ]; then
mutate parallel-web statefulset-basics 1.2 statefulset-basics/web.yaml 's/^  serviceName: "nginx"$/  serviceName: "nginx"\n  podManagementPolicy: "Parallel"/'
# Without zk-pdb the drain-blocked assertion must fail: its first step waits for zk-pdb to allow no disruption and
# says zk-pdb is missing (4.20-4.22 set the stage; 4.21 and 4.22 fail the same way).
mutate no-pdb zookeeper-maintenance 4.23 zookeeper/zookeeper.yaml '/^apiVersion: policy\/v1$/,/^---$/d' '\[4\.2[0-3]\]'
# Without `strategy: Recreate` MySQL rolls (surge first): the new pod exists before the old one is gone, so two
# mysqld could share the volume. [2.9] must see the new pod ADDED before the old one is DELETED.
mutate mysql-rolling wordpress-mysql 2.9 wordpress-mysql/mysql-deployment.yaml '/^  strategy:$/,/^    type: Recreate$/d'
# svc/wordpress selecting tier=mysql: the Service routes to the database, so [2.5] (it selects exactly the WordPress
# pod) must fail; it runs after [2.3] (both pods Running).
mutate svc-selects-mysql wordpress-mysql 2.5 wordpress-mysql/wordpress-deployment.yaml '13s/^    tier: frontend$/    tier: mysql/' '\[2\.[35]\]'
# E4's own negative case (E4.3) put into the converted PetSet: a claim that names no storage class binds only to a
# pre-made PV, and there is none, so web-0 never runs and [E4.2/1.2] (web-0, web-1 Ready in order) must fail.
# TIMEOUT_SCALE=0.5: it waits 90 s instead of 180 s before it fails.
# --app: a PDB that allows no disruption (minAvailable = replicas) must fail [A5.1] of examples/web-app.
# --app --upgrade-to: a next version whose claims ask for 2Gi instead of 1Gi changes spec.volumeClaimTemplates, which
# a StatefulSet cannot change in place: [A8.1] promises the run refuses it in one line, exit 2, before anything is applied.
refused app-upgrade-vct-2gi A8.1 examples/web-app web.yaml 's/^            storage: 1Gi$/            storage: 2Gi/' '^error: upgrade: StatefulSet web: spec\.volumeClaimTemplates \(claim www: spec\.resources\.requests\.storage 1Gi → 2Gi\): this field cannot change in place; nothing was applied'
mutate_app app-pdb-no-disruption examples/web-app A5.1 pdb.yaml 's/^  minAvailable: 1$/  minAvailable: 2/'
# --app: a PDB that lets both pods go at once (maxUnavailable 2 of 2): its status is consistent, so [A5.1] holds, but
# the eviction probe is never refused, so [A5.2] (exactly N - D evictions accepted, the next refused with 429) must fail.
mutate_app app-pdb-protects-nothing examples/web-app A5.2 pdb.yaml 's/^  minAvailable: 1$/  maxUnavailable: 2/'
# --app: ZooKeeper's PDB with maxUnavailable 2 of 3: it lets a drain take two members, and the quorum (majority: 2)
# with them, so [A5.3] (the PDB's desiredHealthy ≥ the quorum) must fail.
mutate_app app-zk-pdb-below-quorum examples/zookeeper-app A5.3 zookeeper.yaml 's/^  maxUnavailable: 1$/  maxUnavailable: 2/'
# --app: the chart with a preferred pod affinity (weight 100) beside its soft anti-affinity (weight 1), as when an
# affinity preset is left on: the scheduler puts web-1 on web-0's node although the other node is free, so [A7.2]
# must fail.
mutate_app app-chart-packed examples/web-chart A7.2 templates/statefulset.yaml 's|^      affinity:$|&\n        podAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n            - weight: 100\n              podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: nginx}}}|'
TIMEOUT_SCALE=0.5 mutate no-provisioner-pvc petset-nginx E4.2/1.2 petset-nginx/petset.yaml 's/^      accessModes: \[ "ReadWriteOnce" \]$/      storageClassName: ""\n&/'
# svc/nginx with a cluster IP: not headless, so [1.1] must fail (and per-pod DNS would not exist).
mutate svc-not-headless statefulset-basics 1.1 statefulset-basics/web.yaml '/^  clusterIP: None$/d'
# serviceName naming another Service: the pods' subdomain is nginx-other, so [1.3] (subdomain nginx) must fail.
mutate service-name-other statefulset-basics 1.3 statefulset-basics/web.yaml 's/^  serviceName: "nginx"$/  serviceName: "nginx-other"/' '\[1\.[23]\]'
# Claims of 2Gi instead of the tutorial's 1Gi: [1.8] (1Gi, ReadWriteOnce, Bound) must fail.
mutate pvc-2gi statefulset-basics 1.8 statefulset-basics/web.yaml 's/^          storage: 1Gi$/          storage: 2Gi/' '\[1\.[28]\]'
# web-parallel.yaml without podManagementPolicy: OrderedReady, so web-1 waits for web-0 and [1.23] must fail.
mutate parallel-ordered statefulset-basics 1.23 statefulset-basics/web-parallel.yaml '/^  podManagementPolicy: "Parallel"$/d'
# The MySQL claim at 10Gi: [2.2] (both claims 20Gi) must fail.
mutate mysql-pvc-10gi wordpress-mysql 2.2 wordpress-mysql/mysql-deployment.yaml 's/^      storage: 20Gi$/      storage: 10Gi/'
# A second literal in the generated Secret: [2.1] (Opaque, exactly one key) must fail.
mutate secret-two-keys wordpress-mysql 2.1 wordpress-mysql/kustomization.yaml 's/^  - password=YOUR_PASSWORD$/&\n  - user=root/'
# E2's DaemonSet with the seed's commented-out nodeSelector app=cassandra enabled: no node has that label, so no
# pod is scheduled and [E2.1] (a pod on every schedulable worker) must fail. TIMEOUT_SCALE=0.1: it waits 72 s, not 720 s.
TIMEOUT_SCALE=0.1 mutate ds-node-selector cassandra-daemonset E2.1 cassandra-v12/cassandra-daemonset.yaml 's/^      # nodeSelector:$/      nodeSelector:/; s/^      # app: cassandra$/        app: cassandra/'
# web.yaml with podManagementPolicy Parallel, for the scale steps: scaling 2 -> 5 creates web-2..4 together, so
# [1.10] (each after its predecessor is Ready) must fail; scaling 5 -> 3 then deletes web-4 and web-3 together, so
# [1.11] (web-4 gone before web-3 starts terminating) must fail.
mutate scale-up-parallel statefulset-basics 1.10 statefulset-basics/web.yaml 's/^  serviceName: "nginx"$/  serviceName: "nginx"\n  podManagementPolicy: "Parallel"/'
mutate scale-down-parallel statefulset-basics 1.11 statefulset-basics/web.yaml 's/^  serviceName: "nginx"$/  serviceName: "nginx"\n  podManagementPolicy: "Parallel"/' '\[1\.1[01]\]'
# PVC retention Delete: scaling down deletes the claims of web-3 and web-4, so [1.12] (all five kept and Bound) must
# fail; deleting the StatefulSet deletes every claim, so [1.21] (the PVCs are kept) must fail.
mutate claims-deleted-on-scale statefulset-basics 1.12 statefulset-basics/web.yaml 's/^  serviceName: "nginx"$/  serviceName: "nginx"\n  persistentVolumeClaimRetentionPolicy:\n    whenScaled: Delete/' '\[1\.1[0-2]\]'
mutate claims-deleted-with-sts statefulset-basics 1.21 statefulset-basics/web.yaml 's/^  serviceName: "nginx"$/  serviceName: "nginx"\n  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Delete/' '\[1\.(10|21)\]'
# web-parallel.yaml without podManagementPolicy Parallel: OrderedReady scaling, so [1.24] (web-3 ADDED before web-2
# is Ready) and [1.25] (web-3, web-2, web-1 terminate together) must fail.
mutate parallel-scale-ordered statefulset-basics 1.24 statefulset-basics/web-parallel.yaml '/^  podManagementPolicy: "Parallel"$/d' '\[1\.2[34]\]'
mutate parallel-scale-down-ordered statefulset-basics 1.25 statefulset-basics/web-parallel.yaml '/^  podManagementPolicy: "Parallel"$/d' '\[1\.2[3-5]\]'
# The ensemble with podManagementPolicy Parallel: the three members are created together, so [4.2] (each after its
# predecessor is Running and Ready) must fail.
mutate zk-parallel zookeeper 4.2 zookeeper/zookeeper.yaml 's/^  podManagementPolicy: OrderedReady$/  podManagementPolicy: Parallel/'
# The anti-affinity's topologyKey a label no node has: the term constrains nothing, so with zk-2's node cordoned zk-2
# is scheduled beside another member and [4.19] (zk-2 stays Pending) must fail. [4.2] runs first: it waits for the
# three members that [4.19] starts from.
mutate zk-anti-affinity-no-key zookeeper 4.19 zookeeper/zookeeper.yaml 's|^              topologyKey: "kubernetes.io/hostname"$|              topologyKey: "stateful-e2e/no-such-label"|' '\[4\.(2|19)\]'
# zk-pdb allowing two disruptions: [4.1] (the PDB allows one) must fail.
mutate pdb-two-disruptions zookeeper 4.1 zookeeper/zookeeper.yaml 's/^  maxUnavailable: 1$/  maxUnavailable: 2/'
fi

# Data-plane mutations need real containers (kind or an existing cluster).
if [ "$provider" != kwok ]; then
  # One member cannot answer for three: the cross-member read must fail.
  mutate zk-one-replica zookeeper 4.9 zookeeper/zookeeper.yaml 's/^  replicas: 3$/  replicas: 1/'
  # The web app's data on an emptyDir instead of a PVC: each pod's datum is gone once the pod is re-created, so the
  # storage guarantee [A3.3] must fail (its message names the missing volumeClaimTemplates).
  # shellcheck disable=SC2016 # sed's $ (the last line), not the shell's
  mutate_app app-emptydir examples/web-app A3.3 web.yaml '/^  volumeClaimTemplates:$/,$d; s|^              mountPath: /usr/share/nginx/html$|&\n      volumes:\n        - name: www\n          emptyDir: {}|'
  # Replication factor 1 for the ledger's keyspace: the keys whose only replica is on the stopped node cannot be
  # written or read while it is down (about a third of them), so [F5.6] must fail.
  mutate cassandra-rf1 cassandra-faults F5.6 cassandra/ledger-keyspace.yaml 's/^  replication_factor: "3"$/  replication_factor: "1"/' '\[F5\.'
  # No zk-pdb: nothing paces the drains, the next one evicts a second member while the first is still starting (its
  # readiness probe alone waits 10 s), so the Ready members fall to one and [F4.6] must fail. Whether the writes also
  # stop for longer than F4.4's 10 s depends on how soon the starting member rejoins the quorum: caught by [F4.4] on
  # 2026-12-07 (17.9 s without a write), passed in a later run the same day, so F4.4 is not what this mutation targets.
  mutate zk-no-pdb-drains zookeeper-drains F4.6 zookeeper/zookeeper.yaml '/^apiVersion: policy\/v1$/,/^---$/d' '\[F4\.'
  # No seed shared by the set: each pod seeds itself (the image's default, as in v13) and forms a one-node ring,
  # so every pod turns Ready ([3.3] holds) but nodetool shows 1 UN instead of 3. A seed that resolves nowhere
  # makes Cassandra 5 exit at start instead, which [3.3] would catch only after its 15 min timeout.
  # TIMEOUT_SCALE=0.5: [3.4] retries for 150 s instead of 300 s before it fails.
  TIMEOUT_SCALE=0.5 mutate cassandra-seed-self cassandra 3.4 cassandra/cassandra.yaml '/- name: CASSANDRA_SEEDS$/,+1d' '\[3\.[34]\]'
  # Hazelcast's Role granting nothing it reads (configmaps instead of endpoints, pods, services, endpointslices): API
  # discovery is forbidden, every member stays alone, so [E3.2] (both members in each one's view) must fail.
  # TIMEOUT_SCALE=0.5: the view is polled for 150 s instead of 300 s.
  TIMEOUT_SCALE=0.5 mutate hz-no-rbac hazelcast E3.2 hazelcast/hazelcast.yaml 's/^    resources: \[.*\]$/    resources: ["configmaps"]/'
  # E1 without its RoleBinding: the seed provider's GET of the endpoints is refused (403), every pod seeds itself
  # and founds a ring of its own, so [E1.1] (each pod's nodetool status: both pod IPs UN) must fail.
  # TIMEOUT_SCALE=0.5: the ring is polled for 300 s instead of 600 s before it fails.
  # shellcheck disable=SC2016 # sed's $ (the last line), not the shell's
  TIMEOUT_SCALE=0.5 mutate cassandra-rc-no-rbac cassandra-rc E1.1 cassandra-v12/rbac.yaml '/^---$/,$d'
  # The ConfigMap key renamed: the pod's configMapKeyRef finds no key, kubelet never starts the container
  # (CreateContainerConfigError), so some-pod never Succeeds and [E6.2] must fail.
  mutate configmap-key-renamed configmap-env E6.2 configmap-env/configmap.yaml 's/^  db-ip-addresses: /  db-ip-address: /'
  # A preStop hook (sleep 20) longer than the grace period (10 s): the kubelet waits out the grace period, then
  # sends SIGTERM with 2 s to go; nginx stops at once (exit 0), but only after the grace period ended, so the
  # graceful-stop guarantee [A6.1] must fail on the pod the check re-creates.
  mutate_app app-prestop-overrun examples/web-app A6.1 web.yaml 's|^      containers:$|      terminationGracePeriodSeconds: 10\n&|; s|^          image: registry.k8s.io/nginx-slim:0.24$|&\n          lifecycle:\n            preStop:\n              exec:\n                command: [sleep, "20"]|'
  # --app with --upgrade-to: the new version's nginx gets a readiness probe that never passes, so its rolling update
  # stops at the first pod it replaces (web-1 never Ready again) and [A8.2] must fail: a broken upgrade is seen to fail.
  # TIMEOUT_SCALE=0.5: the rollout is waited for 195 s instead of 390 s.
  TIMEOUT_SCALE=0.5 later mutated app-upgrade-never-ready A8.2 app-web-app examples/web-app-next web.yaml 's|^              value: "2"$|&\n          readinessProbe:\n            exec:\n              command: ["false"]|' '\[A8\.2\]' --app examples/web-app --upgrade-to @
  # --app: ZooKeeper without its PDB (examples/zookeeper-app). A5.1-A5.3 are then not applicable, and A5.4 drains the
  # members' nodes back to back with nothing to pace them: the second drain evicts a member while the first is still
  # starting, so the Ready members fall to one, under the declared quorum (majority: 2), and [A5.4] must fail.
  mutate_app app-zk-no-pdb examples/zookeeper-app A5.4 zookeeper.yaml '/^apiVersion: policy\/v1$/,/^---$/d'
  # --app: ZooKeeper started as the tutorial starts it, `sh -c "start-zookeeper …"` without exec: sh stays PID 1 and
  # ignores SIGTERM, so the member the check deletes is killed (exit code 137) at the end of its 30 s grace period,
  # and the graceful-stop guarantee [A6.1] must fail.
  mutate_app app-zk-sh-pid1 examples/zookeeper-app A6.1 zookeeper.yaml 's|^            - "exec start-zookeeper \\$|            - "start-zookeeper \\|'
  # --app: ZooKeeper whose readiness probe always succeeds (`true`) and which starts 20 s late: each re-created member
  # is Ready 10 s after it starts (initialDelaySeconds) and serves nothing for ~15 s more, so [A4.2] (a read through
  # a pod that turned Ready succeeds within 5 s) must fail.
  mutate_app app-zk-ready-lies examples/zookeeper-app A4.2 zookeeper.yaml '0,/"zookeeper-ready 2181"/s//"true"/; s|^            - "exec start-zookeeper \\$|            - "sleep 20; exec start-zookeeper \\|'
  # --app: the redis example's profile pointing the adapter at a port nothing listens on (6380): an adapter that cannot
  # connect is an assertion failure with the reason (not bad input), so [A3.3] must fail ("connection refused").
  mutate_app app-redis-wrong-port examples/redis-app A3.3 stateful-e2e.yaml 's/^  port: redis$/  port: 6380/'
  # Redis without the append-only file (and, as in the fixture, no RDB snapshot): after every pod is deleted rd-0
  # starts empty, the replicas resync to it, and foo is gone, so [E5.4] must fail ([E5.3] writes foo first).
  mutate redis-no-aof petset-redis E5.4 petset-redis/redis.yaml 's/ --appendonly yes / /'
fi

while [ -n "$(jobs -rp)" ]; do wait -n || true; done

# The score table: this invocation's rows on stdout, every row of the directory in mutations.md.
# shellcheck disable=SC2016 # JavaScript, not shell expansions
node -e '
  const fs = require("fs");
  const [file, md, since, provider] = process.argv.slice(1);
  const rows = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
  const table = (rs) => ["| ID | mutation | scenario | provider | caught | time | failure message |", "|---|---|---|---|---|---|---|",
    ...rs.map((r) => `| ${r.id} | ${r.mutation} | ${r.scenario} | ${r.provider} | ${r.outcome === "caught" ? "caught" : "**MISSED**"} | ${r.seconds} s | ${String(r.message).replace(/\|/g, "\\|")} |`)].join("\n");
  const caught = rows.filter((r) => r.outcome === "caught").length;
  // Atomically: the kwok lane and the kind stages may each end an invocation at the same moment.
  fs.writeFileSync(`${md}.${process.pid}`, `# Mutation score\n\n${caught} of ${rows.length} mutations caught (${rows.length ? Math.round((100 * caught) / rows.length) : 0} %).\n\n${table(rows)}\n`);
  fs.renameSync(`${md}.${process.pid}`, md);
  // This invocation: its provider, since it started (an invocation for another provider may write here meanwhile).
  const mine = rows.filter((r) => r.provider === provider && Date.parse(r.at) >= Number(since));
  if (mine.length) console.log(`mutation score (this run): ${mine.filter((r) => r.outcome === "caught").length} of ${mine.length} caught; all rows in ${md}\n${table(mine)}`);
  process.exit(Math.min(mine.filter((r) => r.outcome !== "caught").length, 100));
' "$out/mutations.jsonl" "$out/mutations.md" "$started_at" "$provider"
exit $?
