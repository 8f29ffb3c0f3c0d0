#!/usr/bin/env bash
# npm ci when node_modules is missing or older than package-lock.json, then build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-fund --no-audit
fi
npm run --silent build
