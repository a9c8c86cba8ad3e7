#!/usr/bin/env bash
# Base and stand-in images from Debian's packages, for machines that reach no image registry.
#   ci_scripts/build_base_images.sh        # builds what is missing, prints `export ...` lines
# - localhost/hangar-base/debian:bookworm-slim: Debian bookworm (minbase + CA certificates) by
#   mmdebstrap, the equivalent of the registry's debian:bookworm-slim. The platform image builds
#   FROM it through its BASE_IMAGE build argument; the Dockerfile itself keeps the registry's.
# - localhost/hangar-standin/postgres:16 and localhost/hangar-standin/redis:7: built by Pants
#   (docker/standins) FROM that base with Debian's PostgreSQL and Redis. docker/compose.yaml takes
#   them from HANGAR_POSTGRES_IMAGE / HANGAR_REDIS_IMAGE, whose defaults stay the official images.
# Where a registry answers, none of this is needed: leave BASE_IMAGE unset.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${HANGAR_BASE_IMAGE_NAME:-localhost/hangar-base/debian:bookworm-slim}"
engine="${HANGAR_CONTAINER_CLI:-podman}"
command -v "$engine" >/dev/null 2>&1 || engine=docker

# The recipe's version, as a label: a base made by an older recipe is made again.
recipe=2
built="$("$engine" image inspect --format '{{index .Config.Labels "io.hangar.base-recipe"}}' "$base" 2>/dev/null || true)"
if [ "$built" != "$recipe" ]; then
  command -v mmdebstrap >/dev/null 2>&1 || {
    echo "ERROR: mmdebstrap is missing: run ci_scripts/install_container_engine.sh" >&2; exit 1; }
  start=$SECONDS
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # minbase + CA certificates: what debian:bookworm-slim holds. apt's lists are left out, and
  # two settings of the registry's image are kept in this one for every image built FROM it:
  # dpkg leaves out documentation, manual pages and translations (the "slim" of its name), and
  # apt deletes the packages it downloaded once they are installed (docker-clean). Without them
  # the platform image carried 91 MB of .deb files and every layer ~50 MB of docs and locales.
  mmdebstrap --quiet --variant=minbase --include=ca-certificates \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --aptopt='DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; }' \
    --aptopt='APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; }' \
    --aptopt='Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache ""' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    bookworm "$work/base.tar" >&2
  "$engine" import --quiet --change 'CMD ["bash"]' --change "LABEL io.hangar.base-recipe=$recipe" \
    "$work/base.tar" "$base" >/dev/null
  echo "[images] built $base from Debian's packages in $((SECONDS - start)) s" >&2
fi
echo "export BASE_IMAGE=$base"
echo "export HANGAR_POSTGRES_IMAGE=localhost/hangar-standin/postgres:16"
echo "export HANGAR_REDIS_IMAGE=localhost/hangar-standin/redis:7"
