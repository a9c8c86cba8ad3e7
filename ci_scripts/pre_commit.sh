#!/usr/bin/env bash
# Run every pre-commit hook on every file, with pre-commit installed in a cached venv.
# The hooks are local (see .pre-commit-config.yaml): nothing is cloned from GitHub.
set -euo pipefail
cd "$(dirname "$0")/.."
PRE_COMMIT_VERSION="4.7.0"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/hangar/pre-commit-$PRE_COMMIT_VERSION"
if [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "pre-commit==$PRE_COMMIT_VERSION"
fi
start=$SECONDS
"$venv/bin/pre-commit" run --all-files --show-diff-on-failure
echo "[ci] pre-commit run --all-files: $((SECONDS - start)) s"
