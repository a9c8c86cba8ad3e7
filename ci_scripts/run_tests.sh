#!/usr/bin/env bash
# Run the tests selected by a change (or all of them) and print one summary line.
# Usage: ci_scripts/run_tests.sh [--changed-since=GIT_REF]
#
# Installs the Debian packages the tests need when missing (as root; otherwise it names the
# command to run). The image and Compose-stack tests need a container engine: Docker where it
# answers, else Podman's socket, started here for the run and stopped after it
# (ci_scripts/container_env.sh).
#
# A changed-only run that selects no test must not look like a green test run: Pants would print
# nothing and exit 0. This script says so explicitly (and in the GitHub job summary) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci_scripts/changed_targets.sh "$@"
# The Debian packages the tests use (Chromium, Prometheus, exporters...): installed as root,
# otherwise one line naming the command to run.
ci_scripts/install_system_packages.sh
source ci_scripts/container_env.sh

rm -rf dist/test/reports
if [ -n "$CHANGED_SINCE" ]; then
  # The whole-stack every-DAG suites (tag `every-dag`) run on main and nightly, and for a change
  # that touches anything beyond the DAG library; a change confined to DAG files, their config
  # and their tests is gated by each pipeline's own test (a real run of that pipeline) instead.
  every_dag_filter=()
  outside_library="$({ git diff --name-only "$CHANGED_SINCE" --; git ls-files --others --exclude-standard; } \
    | grep -Ev '^(src/python/dags/|tests/dags/)' || true)"
  if [ -z "$outside_library" ]; then
    every_dag_filter=(--tag=-every-dag)
    echo "[ci] the change touches only the DAG library: the every-DAG stack suites run on main and nightly"
  fi
  mapfile -t targets < <(./pants "${PANTS_SELECTION[@]}" "${every_dag_filter[@]}" --filter-target-type=python_test list)
  if [ "${#targets[@]}" -eq 0 ]; then
    msg="NO TESTS SELECTED: nothing changed since $CHANGED_SINCE is a test or a dependency of one; no test ran."
    echo "[ci] $msg"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then echo "### $msg" >> "$GITHUB_STEP_SUMMARY"; fi
    if [ -n "${GITHUB_ACTIONS:-}" ]; then echo "::notice title=No tests selected::$msg"; fi
    exit 0
  fi
  echo "[ci] ${#targets[@]} test target(s) selected by the change since $CHANGED_SINCE"
  ci_scripts/explain_selection.sh "$CHANGED_SINCE" "${targets[@]}"
  ./pants test "${targets[@]}"
else
  ./pants test ::
fi
python3 ci_scripts/summarize_test_reports.py dist/test/reports
