"""The GitHub Actions workflows pass actionlint and gate what the repository promises."""

from __future__ import annotations

import subprocess

import yaml

from tests.support.paths import repo_root
from tests.support.tools import find_packaged_binary


def test_actionlint_passes_on_every_workflow() -> None:
    root = repo_root()
    workflows = sorted((root / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) >= 3
    proc = subprocess.run(
        [str(find_packaged_binary("actionlint")), "-no-color", *map(str, workflows)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path) -> None:
    """Guards the test above: actionlint really lints (a wrong key and an undefined job fail)."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    needs: [missing]\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    proc = subprocess.run(
        [str(find_packaged_binary("actionlint")), "-no-color", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert "missing" in proc.stdout


def _workflow(name: str) -> dict:
    with open(repo_root() / ".github" / "workflows" / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _run_lines(workflow: dict) -> list[str]:
    return [
        step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
    ]


def test_pull_requests_are_gated_on_changed_targets_and_dependents() -> None:
    workflow = _workflow("pull-request.yml")
    # PyYAML reads the bare key `on` as True.
    assert workflow[True]["pull_request"]["branches"] == ["main"]
    runs = _run_lines(workflow)
    assert "ci_scripts/gates.sh --changed-since=origin/main" in runs
    assert "ci_scripts/run_tests.sh --changed-since=origin/main" in runs


def test_main_runs_everything_on_every_push_and_every_night_and_tags_package() -> None:
    main = _workflow("main.yml")
    assert main[True]["push"]["branches"] == ["main"]
    assert [entry["cron"] for entry in main[True]["schedule"]] == ["17 3 * * *"]
    main_runs = _run_lines(main)
    assert {"ci_scripts/gates.sh", "ci_scripts/run_tests.sh", "ci_scripts/package.sh"} <= set(
        main_runs
    )
    release = _workflow("release.yml")
    assert release[True]["push"]["tags"] == ["v*"]
    release_lines = [line.strip() for run in _run_lines(release) for line in run.splitlines()]
    assert "ci_scripts/package.sh" in release_lines
    # The image is tagged with the tag's version and pushed.
    assert 'export HANGAR_VERSION="${GITHUB_REF_NAME#v}" VCS_REF="$GITHUB_SHA"' in release_lines
    assert any(line.startswith('docker push "${target}:${VERSION}"') for line in release_lines)
