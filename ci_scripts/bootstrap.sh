#!/usr/bin/env bash
# Bootstrap ./pants (CPython 3.9 venv + local pex build) and report how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
PANTS_BOOTSTRAP_ONLY=1 ./pants
echo "[ci] pants bootstrap: $((SECONDS - start)) s"
