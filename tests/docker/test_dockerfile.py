"""The platform Dockerfile, checked statically (no Docker engine runs on CI machines)."""

from __future__ import annotations

import subprocess
from pathlib import Path

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


def test_hadolint_passes() -> None:
    proc = _hadolint(repo_root() / "docker" / "Dockerfile")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    """Guards the test above: hadolint really checks (an untagged base image fails DL3006)."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian\nRUN cd /tmp && apt-get install curl\n")
    proc = _hadolint(bad)
    assert proc.returncode != 0
    assert "DL3006" in proc.stdout


def test_image_copies_only_what_pants_puts_in_its_context() -> None:
    """COPY sources are the PEX files and requirement files the docker_image target provides."""
    text = (repo_root() / "docker" / "Dockerfile").read_text(encoding="utf-8")
    sources = [
        part
        for line in text.splitlines()
        if line.startswith("COPY")
        for part in line.split()[1:-1]
        if not part.startswith("--")
    ]
    assert sources == [
        "3rdparty/python/requirements.txt",
        "3rdparty/python/constraints.txt",
        "src.python.plugins/plugins.pex",
        "src.python.common/hangar.pex",
        "config/environment.yaml",
    ]
