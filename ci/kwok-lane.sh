#!/usr/bin/env bash
# The kwok lane of .ci/run: every kwok stage (the suites, the package, the mutations, interrupts and --reuse), run
# in the background beside the kind stages. Usage: ci/kwok-lane.sh RC_DIR. Writes each stage's exit code to RC_DIR
# (e2e, ex, mut, int; a missing file means the stage never finished) and the stage times to RC_DIR/times.
# At nice 5: when both lanes want the CPU, the real cluster's pods and probes come first; kwok's timing is simulated.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
rcs=${1:?usage: ci/kwok-lane.sh RC_DIR}
renice -n 5 -p $$ >/dev/null
l0=$(date +%s); lt=$l0
lane_step() { echo; echo "== kwok lane: $* ($(( $(date +%s) - l0 ))s into the lane)"; }
lane_done() { local now; now=$(date +%s); echo "kwok lane: $1: $(( now - lt ))s" >>"$rcs/times"; lt=$now; }

lane_step "e2e on kwok (real kube-apiserver, controller-manager, scheduler; simulated kubelets): up to 3 clusters at once, a profile's scenarios at the same time"
npm run -s e2e -- --provider kwok --clusters 3 --report-dir reports/kwok
echo $? >"$rcs/e2e"
lane_done "kwok e2e"

lane_step "the package: npm pack, installed into examples/my-app, its own scenario on kwok through the installed bin; examples/web-chart (--app CHART, upgraded by helm), examples/zookeeper-app and examples/redis-app on kwok"
ex_rc=0
bash ci/example-project.sh kwok || ex_rc=1
# The same app as a Helm chart (examples/web-chart, rendered by helm template): its API-level guarantees on kwok,
# installed with helm install and upgraded with helm upgrade (--upgrade-to: a new pod annotation) for A8.1-A8.4.
npm run -s e2e -- --provider kwok --app examples/web-chart --upgrade-to examples/web-chart --upgrade-set podAnnotations.revision=2 --report-dir reports/web-chart || ex_rc=1
# Redis as "your app" (examples/redis-app, its datum through the redis adapter): the API-level guarantees.
npm run -s e2e -- --provider kwok --app examples/redis-app --report-dir reports/redis-app || ex_rc=1
# The ZooKeeper ensemble as "your app" (examples/zookeeper-app, its datum through the zookeeper adapter): on kwok
# the API-level guarantees pass and the data check says it needs the network.
npm run -s e2e -- --provider kwok --app examples/zookeeper-app --report-dir reports/zookeeper-app || ex_rc=1
echo "$ex_rc" >"$rcs/ex"
lane_done "example project (npm pack, install, kwok)"

lane_step "mutations: broken manifests must fail their assertion"
MUTATIONS_PARALLEL=3 bash ci/mutations.sh kwok   # three at a time: each its own kwok cluster, mostly waiting
echo $? >"$rcs/mut"

lane_step "interrupts: Ctrl-C, SIGTERM and SIGKILL+--cleanup leave nothing behind; --reuse keeps, reuses, detects a change, cleans up"
int_rc=0
bash ci/interrupt-check.sh kwok || int_rc=1
bash ci/reuse-check.sh kwok || int_rc=1
echo "$int_rc" >"$rcs/int"
lane_done "kwok mutations + interrupts + reuse"
