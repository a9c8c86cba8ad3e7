#!/usr/bin/env bash
# Debian packages the test suite needs beyond a fresh machine: headless Chromium (UI
# screenshots), redis-server and PostgreSQL server binaries (throwaway servers in tests), and
# the metrics parts of `./hangar up --with-metrics` (Prometheus with promtool, collectd's statsd
# and write_prometheus plugins, the PostgreSQL and Redis exporters).
# Idempotent and quiet when everything is there already.
set -euo pipefail
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
command -v prometheus >/dev/null 2>&1 || packages+=(prometheus)
command -v collectd >/dev/null 2>&1 || packages+=(collectd-core libmicrohttpd12 libprotobuf-c1)
command -v prometheus-postgres-exporter >/dev/null 2>&1 || packages+=(prometheus-postgres-exporter)
command -v prometheus-redis-exporter >/dev/null 2>&1 || packages+=(prometheus-redis-exporter)
[ "${#packages[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ERROR: the tests need Debian packages that are missing (${packages[*]}): run 'sudo ci_scripts/install_system_packages.sh' once, then this command again" >&2
  exit 1
fi
echo "[ci] installing Debian packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
