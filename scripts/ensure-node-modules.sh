#!/usr/bin/env bash
# npm ci when node_modules is missing or older than package-lock.json, then build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -L node_modules ]]; then
  # A link to another checkout's packages (a shared worktree set-up): npm ci would empty the target through
  # it, under everyone who shares it. Reinstall there instead.
  if [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "outdial: node_modules links to $(readlink node_modules), which is older than package-lock.json; run npm ci there" >&2
  fi
elif [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-fund --no-audit
fi
npm run --silent build
