#!/usr/bin/env bash
# Shared by the other ci_scripts: turns "[--changed-since=REF]" into Pants target-selection
# arguments. With a ref: the changed targets and everything that depends on them, transitively
# (a library change must re-test the DAGs that import it). Without: the whole repo (`::`).
# Usage: source ci_scripts/changed_targets.sh "$@"; ./pants "${PANTS_SELECTION[@]}" lint
PANTS_SELECTION=("::")
CHANGED_SINCE=""
for arg in "$@"; do
  case "$arg" in
    --changed-since=*)
      CHANGED_SINCE="${arg#--changed-since=}"
      PANTS_SELECTION=("--changed-since=$CHANGED_SINCE" "--changed-dependents=transitive")
      ;;
    *) echo "usage: $0 [--changed-since=GIT_REF]" >&2; exit 2 ;;
  esac
done
export CHANGED_SINCE
