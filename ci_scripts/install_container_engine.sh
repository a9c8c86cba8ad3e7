#!/usr/bin/env bash
# A container engine for the image build and the Compose-stack tests.
# Where Docker answers, it is used unchanged and nothing is installed. Otherwise Podman from
# Debian's packages, configured as these machines need it (measured, see docs/containers.rst):
#   - runc, not crun: crun fails on this kernel ("cgroups in hybrid mode not supported");
#   - default ulimits at or below the current hard limits: without CAP_SYS_RESOURCE a container
#     cannot raise them, and Podman's defaults (nofile 1048576) fail at start;
#   - iptables: netavark needs it for bridge networks (DNS between containers);
#   - mmdebstrap: builds the base images from Debian's packages where no registry serves them.
# Idempotent; quiet when everything is there already. The API socket itself is started and
# stopped by ci_scripts/container_engine.sh (by PID), not here.
set -euo pipefail
if command -v docker >/dev/null 2>&1 && [ -z "${HANGAR_FORCE_PODMAN:-}" ] \
    && [ -z "${DOCKER_HOST:-}" ] && docker info >/dev/null 2>&1; then
  echo "[engine] Docker answers: using it unchanged"
  exit 0
fi
packages=()
for pkg in podman runc fuse-overlayfs uidmap slirp4netns netavark aardvark-dns iptables \
    mmdebstrap; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || packages+=("$pkg")
done
if [ "${#packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ERROR: missing Debian packages ${packages[*]}: run as root or 'sudo apt-get install ${packages[*]}'" >&2
    exit 1
  fi
  echo "[engine] installing Debian packages: ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# The engine settings: only written when missing, so an administrator's own file is kept.
conf=/etc/containers/containers.conf
if [ "$(id -u)" -eq 0 ] && ! grep -q '^# hangar' "$conf" 2>/dev/null; then
  if [ -s "$conf" ]; then
    echo "[engine] $conf exists and is not Hangar's: leaving it as it is"
  else
    nofile="$(ulimit -Hn)"; nproc="$(ulimit -Hu)"
    [ "$nofile" = unlimited ] && nofile=1048576
    [ "$nproc" = unlimited ] && nproc=1048576
    nofile=$(( nofile < 65536 ? nofile : 65536 ))
    nproc=$(( nproc < 8192 ? nproc : 8192 ))
    mkdir -p /etc/containers
    cat > "$conf" <<CONF
# hangar: written by ci_scripts/install_container_engine.sh
[containers]
# At or below the hard limits: a container here cannot raise them (no CAP_SYS_RESOURCE).
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]

[engine]
# crun fails on this kernel ("cgroups in hybrid mode not supported"); runc works.
runtime = "runc"
CONF
    echo "[engine] wrote $conf (runc; ulimits nofile=$nofile nproc=$nproc)"
  fi
fi
podman --version
