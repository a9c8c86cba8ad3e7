#!/usr/bin/env bash
# Quality gates: BUILD files complete and formatted, then lint + type-check.
# Usage: ci_scripts/gates.sh [--changed-since=GIT_REF]
set -euo pipefail
cd "$(dirname "$0")/.."
source ci_scripts/changed_targets.sh "$@"

start=$SECONDS
# BUILD-file hygiene is cheap and repo-wide: always check all of it.
# On a cold machine the gates install the lockfile first (249 wheels, mostly downloads): pex
# takes as many jobs as Pants' local parallelism (the core count, 2 here). 8 jobs measured
# 201 s against 264 s for that step on these 2 cores (the whole cold step 244 s vs 307 s);
# the tests keep the default (their stacks are CPU-bound).
gates_jobs=(--process-execution-local-parallelism=8)
./pants "${gates_jobs[@]}" tailor --check update-build-files --check ::
./pants "${gates_jobs[@]}" "${PANTS_SELECTION[@]}" lint check
echo "[ci] gates (${CHANGED_SINCE:+changed since $CHANGED_SINCE, }tailor, update-build-files, lint, check): $((SECONDS - start)) s"
