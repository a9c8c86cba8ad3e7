#!/usr/bin/env bash
# Build every artifact: the three PEX files always; the images (platform and stand-ins) where a
# container engine answers: Docker, or Podman's socket (source ci_scripts/container_env.sh first).
# Without one Pants would fail before writing any PEX, so the images are skipped, and said so.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
# OCI labels: the commit; the release workflow also sets HANGAR_VERSION from the tag.
VCS_REF="${VCS_REF:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}"
export VCS_REF
# The benchmark runners are not release artifacts: `./pants run benchmarks:<suite>` builds the one
# it runs, and the test suite already runs their code (tests/benchmarks). Packaging them here only
# zipped ~450 MB of the same dependencies (~45 s of a CI run).
SKIPPED=(-benchmarks:)
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  ./pants package :: "${SKIPPED[@]}"
  # Superseded platform images (untagged finals; their layers below the code are shared, so
  # ~2 MB each); the stages' build cache is not labelled and stays.
  # Housekeeping only: an image still held by a container (a build that was interrupted leaves
  # Buildah's working container behind) is said, not a failed packaging.
  if ! pruned="$(docker image prune --force --filter label=io.hangar.image=platform 2>&1 >/dev/null)"; then
    echo "[ci] superseded platform images not pruned: ${pruned}"
    echo "[ci] (leftover build containers: podman ps --all --external; podman rm NAME)"
  fi
  docker image ls --filter reference=hangar/platform
else
  echo "[ci] no container engine answers: skipping docker_image targets (the PEX files are still built)"
  ./pants --filter-target-type=-docker_image package :: "${SKIPPED[@]}"
fi
echo "[ci] package: $((SECONDS - start)) s"
ls -l dist/*/*.pex
