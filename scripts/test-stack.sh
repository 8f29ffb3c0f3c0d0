#!/usr/bin/env bash
# The E2E flows against real servers: DRACHTIO_BIN names a drachtio-server binary (FREESWITCH_BIN a
# FreeSWITCH one, for the freeswitch-mode tests). Exits non-zero naming whatever is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
check() { # VAR what
  local value="${!1:-}"
  if [[ -z "$value" ]]; then missing+=("$1 is not set: it must name $2")
  elif [[ ! -x "$value" ]]; then missing+=("$1=$value is not an executable file: it must name $2")
  fi
}
check DRACHTIO_BIN "a drachtio-server binary (v0.9.x)"
# freeswitch-mode tests (test/stack/freeswitch-*.test.ts) also need FreeSWITCH.
if compgen -G 'test/stack/freeswitch-*.test.ts' >/dev/null; then check FREESWITCH_BIN "a FreeSWITCH binary (1.10.x)"; fi
if ((${#missing[@]} > 0)); then
  printf 'test:stack: %s\n' "${missing[@]}" >&2
  exit 2
fi
scripts/ensure-system-packages.sh sip-tester:sipp redis-server:redis-server sox:sox espeak-ng:espeak-ng
scripts/ensure-node-modules.sh
npx vitest run --config vitest.stack.config.ts "$@"
