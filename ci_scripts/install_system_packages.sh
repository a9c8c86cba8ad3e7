#!/usr/bin/env bash
# Debian packages the test suite needs beyond a fresh machine: headless Chromium (UI
# screenshots), redis-server and PostgreSQL server binaries (throwaway servers in tests).
# Idempotent and quiet when everything is there already.
set -euo pipefail
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
[ "${#packages[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ERROR: missing Debian packages ${packages[*]}: run as root or 'sudo apt-get install ${packages[*]}'" >&2
  exit 1
fi
echo "[ci] installing Debian packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
