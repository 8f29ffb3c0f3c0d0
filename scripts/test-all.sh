#!/usr/bin/env bash
# Fresh machine to the whole test suite: system packages (SIPp, Redis, sox, espeak-ng, flite, festival), npm packages,
# build, lint, the AMD corpus (generated once and cached), then every vitest test.
set -euo pipefail
cd "$(dirname "$0")/.."
# the AMD corpus speaks with three TTS engines: espeak-ng, flite and festival (two 8 kHz diphone voices)
scripts/ensure-system-packages.sh sip-tester:sipp redis-server:redis-server sox:sox espeak-ng:espeak-ng flite:flite festival:text2wave \
  festvox-kallpc8k:/usr/share/festival/voices/english/kal_diphone festvox-kdlpc8k:/usr/share/festival/voices/english/ked_diphone
scripts/ensure-node-modules.sh
npm run --silent lint
npm run --silent corpus
npx vitest run "$@"
