"""pre-commit runs the checks CI runs, and nothing it needs comes from GitHub."""

from __future__ import annotations

import yaml

from tests.support.paths import repo_root


def _hooks() -> list[dict]:
    config = yaml.safe_load((repo_root() / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert all(repo["repo"] == "local" for repo in config["repos"]), "hook repos are cloned"
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def test_every_hook_is_local_and_installs_only_from_pypi() -> None:
    for hook in _hooks():
        assert hook["language"] in ("python", "system"), hook["id"]
        for dependency in hook.get("additional_dependencies", []):
            assert "://" not in dependency and "git+" not in dependency, dependency


def test_python_checks_go_through_pants() -> None:
    entries = {hook["id"]: hook["entry"] for hook in _hooks()}
    assert entries["black"] == "./pants fmt --only=black"
    assert entries["isort"] == "./pants fmt --only=isort"
    assert entries["ruff"] == "./pants lint --only=ruff"
    assert entries["mypy"] == "./pants check"
    hygiene = {"trailing-whitespace", "end-of-file-fixer", "check-yaml", "check-merge-conflict"}
    assert hygiene <= entries.keys()
