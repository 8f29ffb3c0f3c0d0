#!/usr/bin/env bash
# Installs the Debian packages outdial's tests and tools use, when they are missing.
# Arguments: package:command pairs, e.g. sip-tester:sipp, or package:/path for a package with no command
# (a file it installs, e.g. a TTS voice). As root it runs apt-get; otherwise it names
# the packages to install and exits non-zero.
set -euo pipefail
missing=()
for pair in "$@"; do
  pkg=${pair%%:*}
  cmd=${pair#*:}
  if [[ $cmd == /* ]]; then
    [[ -e $cmd ]] || missing+=("$pkg")
  else
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  fi
done
((${#missing[@]} == 0)) && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "outdial: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || apt-get update
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "outdial: missing Debian packages: ${missing[*]}" >&2
  echo "outdial: install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
