#!/usr/bin/env bash
# Print, for each selected test target, the changed file(s) that pulled it in, so a reviewer sees
# why a suite ran. Pants 2.17's `dependents` has no per-input output, so each changed file is
# asked on its own (about 1 s each with pantsd warm).
# Usage: ci_scripts/explain_selection.sh GIT_REF TARGET...
set -euo pipefail
cd "$(dirname "$0")/.."
ref="$1"; shift
declare -A selected=() why=()
for target in "$@"; do selected["$target"]=1; done

mapfile -t changed < <({ git diff --name-only "$ref" --; git ls-files --others --exclude-standard; } | sort -u)
for file in "${changed[@]}"; do
  [ -e "$file" ] || continue  # a deleted file has no target left to ask about
  while read -r target; do
    [ -n "${selected[$target]:-}" ] || continue
    why["$target"]="${why[$target]:+${why[$target]}, }$file"
  done < <(./pants dependents --transitive --closed "$file" 2>/dev/null || true)
done

echo "[ci] why each test target runs (target <- changed files that reach it):"
for target in "$@"; do
  reasons="${why[$target]:-a change Pants sees beyond files (e.g. pants.toml or a lockfile)}"
  echo "  $target <- $reasons"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then echo "- \`$target\` ← $reasons" >> "$GITHUB_STEP_SUMMARY"; fi
done
