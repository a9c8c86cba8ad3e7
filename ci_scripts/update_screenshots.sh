#!/usr/bin/env bash
# Re-take the UI screenshots the README shows (docs/images/), from the tests that take them.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/images
HANGAR_SCREENSHOT_DIR="$PWD/docs/images" ./pants test --force \
  tests/dags/test_library_on_embedded_platform_integration.py \
  tests/plugins/bundles/test_versioned_store_integration.py
ls -l docs/images/*.png
