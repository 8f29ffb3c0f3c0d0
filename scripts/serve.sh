#!/usr/bin/env bash
# Fresh machine to running daemon: install, build, start on the embedded defaults (or the config given).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-node-modules.sh
exec node dist/src/cli/main.js start "$@"
