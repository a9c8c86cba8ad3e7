#!/usr/bin/env bash
# Quality gates: BUILD files complete and formatted, then lint + type-check.
# Usage: ci_scripts/gates.sh [--changed-since=GIT_REF]
set -euo pipefail
cd "$(dirname "$0")/.."
source ci_scripts/changed_targets.sh "$@"

start=$SECONDS
# BUILD-file hygiene is cheap and repo-wide: always check all of it.
./pants tailor --check update-build-files --check ::
./pants "${PANTS_SELECTION[@]}" lint check
echo "[ci] gates (${CHANGED_SINCE:+changed since $CHANGED_SINCE, }tailor, update-build-files, lint, check): $((SECONDS - start)) s"
