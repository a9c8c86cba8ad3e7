"""The Dockerfiles, checked statically (test_compose_stack_integration.py builds and runs them)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.paths import repo_root
from tests.support.tools import find_packaged_binary


def _hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(find_packaged_binary("hadolint")), "--no-color", str(dockerfile)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "dockerfile", ["Dockerfile", "standins/postgres.Dockerfile", "standins/redis.Dockerfile"]
)
def test_hadolint_passes(dockerfile: str) -> None:
    proc = _hadolint(repo_root() / "docker" / dockerfile)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    """Guards the test above: hadolint really checks (an untagged base image fails DL3006)."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian\nRUN cd /tmp && apt-get install curl\n")
    proc = _hadolint(bad)
    assert proc.returncode != 0
    assert "DL3006" in proc.stdout


def test_image_copies_only_what_pants_puts_in_its_context() -> None:
    """COPY sources are the PEX file and config the docker_image target provides (or a stage)."""
    text = (repo_root() / "docker" / "Dockerfile").read_text(encoding="utf-8")
    sources = [
        part
        for line in text.splitlines()
        if line.startswith("COPY") and "--from=" not in line
        for part in line.split()[1:-1]
        if not part.startswith("--")
    ]
    assert sources == [
        "docker/platform-requirements.pex",
        "docker/platform-code.pex",
        "config/environment.yaml",
    ]


def test_the_base_is_a_build_argument_defaulting_to_the_registry_image() -> None:
    """Where no registry is reachable a local base is passed; the file keeps the official one."""
    for name in ("Dockerfile", "standins/postgres.Dockerfile", "standins/redis.Dockerfile"):
        text = (repo_root() / "docker" / name).read_text(encoding="utf-8")
        assert "ARG BASE_IMAGE=debian:bookworm-slim\n" in text, name
        assert "FROM ${BASE_IMAGE}" in text, name


def test_the_image_runs_as_an_unprivileged_user_and_takes_no_secret() -> None:
    text = (repo_root() / "docker" / "Dockerfile").read_text(encoding="utf-8")
    users = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert users == ["50000"]  # the airflow user, made with --uid 50000
    assert "useradd --uid 50000" in text
    for word in ("PASSWORD", "SECRET", "FERNET", "TOKEN"):
        assert not any(
            line.startswith(("ARG", "ENV")) and word in line for line in text.splitlines()
        ), word
