#!/usr/bin/env bash
# Fresh machine to the whole test suite: system packages (SIPp, Redis, sox, espeak-ng), npm packages,
# build, lint, the AMD corpus (generated once and cached), then every vitest test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-system-packages.sh sip-tester:sipp redis-server:redis-server sox:sox espeak-ng:espeak-ng
scripts/ensure-node-modules.sh
npm run --silent lint
npm run --silent corpus
npx vitest run "$@"
