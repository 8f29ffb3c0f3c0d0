#!/usr/bin/env bash
# Fresh machine to the demo: SIPp, espeak-ng and sox (apt-get as root), npm packages, build, then
# `outdial demo`: four calls through a local daemon, SIPp far ends and a notification listener.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-system-packages.sh sip-tester:sipp sox:sox espeak-ng:espeak-ng
scripts/ensure-node-modules.sh
exec node dist/src/cli/main.js demo "$@"
