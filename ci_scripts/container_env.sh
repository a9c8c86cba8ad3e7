# shellcheck shell=bash
# Source me: a container engine for the image builds and the Compose-stack tests
# (tests/docker:integration), then the caller runs Pants.
#   source ci_scripts/container_env.sh
# Where Docker answers it is used as it is. Otherwise Podman from Debian's packages: installed
# and configured (ci_scripts/install_container_engine.sh), its Docker-compatible socket started
# for this shell and stopped when it exits (by PID), and, as no registry is reachable, the
# base image built from Debian's packages (ci_scripts/build_base_images.sh -> BASE_IMAGE).
_hangar_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$_hangar_root/ci_scripts/install_container_engine.sh"
eval "$("$_hangar_root/ci_scripts/container_engine.sh" start)"
if [ -n "${HANGAR_ENGINE_STARTED:-}" ]; then
  trap '"$_hangar_root/ci_scripts/container_engine.sh" stop' EXIT
fi
if [ -n "${DOCKER_HOST:-}" ] && [ -z "${BASE_IMAGE:-}" ]; then
  eval "$("$_hangar_root/ci_scripts/build_base_images.sh")"
fi
