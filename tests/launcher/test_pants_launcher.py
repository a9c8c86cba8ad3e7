"""The ./pants launcher on a fresh machine: bootstrap, concurrency, fast path and the error path."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.paths import repo_root, user_home

PINNED_PEX_SHA256 = "4758c22500e272539137e11853ce57d6e5bfc4e4bc7222e64a84397475e32ef0"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    root.mkdir()
    for name in ("pants", "pants.toml", "pyproject.toml"):
        shutil.copy2(repo_root() / name, root / name)
    return root


def _base_env(home: Path) -> dict[str, str]:
    """A fresh user: empty HOME and caches; only the machine's pyenv and PATH are shared."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PANTS_", "XDG_", "PYENV", "VIRTUAL_ENV", "PEX"))
    }
    env.update(
        HOME=str(home),
        PYENV_ROOT=str(user_home() / ".pyenv"),
        PATH=os.environ.get("PATH", "/usr/bin:/bin"),
    )
    return env


def _run(checkout: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(checkout / "pants"), *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_concurrent_first_runs_bootstrap_once_then_run_pants(
    checkout: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**_base_env(home), "PANTS_BOOTSTRAP_ONLY": "1"}

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda _: _run(checkout, env), range(2))

    for proc in (first, second):
        assert proc.returncode == 0, proc.stderr
        assert "pants 2.17.1 bootstrapped" in proc.stdout
    # flock serialises the two: exactly one of them created the venv and built pex.
    combined = first.stderr + second.stderr
    assert combined.count("creating ") == 1
    assert combined.count("building pex") == 1

    cache = home / ".cache" / "pants-bootstrap"
    pex = cache / "pex-v2.1.137"
    assert hashlib.sha256(pex.read_bytes()).hexdigest() == PINNED_PEX_SHA256
    assert (cache / "venv-pants-2.17.1" / ".complete").is_file()

    # Later calls take the fast path (no bootstrap output) and really run Pants.
    again = _run(checkout, env)
    assert again.returncode == 0 and again.stderr == ""
    env.pop("PANTS_BOOTSTRAP_ONLY")
    version = _run(checkout, env, "--no-pantsd", "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == "2.17.1"


def _minimal_path(tmp_path: Path) -> str:
    """A PATH with the tools the launcher needs and no Python and no uv at all."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("bash", "sed", "head", "ls", "sort", "mkdir", "flock", "cat", "dirname", "rm"):
        found = shutil.which(tool)
        assert found, tool
        (bindir / tool).symlink_to(found)
    return str(bindir)


def test_no_python39_fails_with_one_clear_line(checkout: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = _base_env(home)
    env.update(PATH=_minimal_path(tmp_path), PYENV_ROOT=str(tmp_path / "no-pyenv"))
    proc = _run(checkout, env, "--version")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("ERROR: Pants 2.17.1 needs CPython 3.9 and none was found")
    assert "PANTS_BOOTSTRAP_PYTHON" in lines[0]
    assert not (home / ".cache" / "pants-bootstrap" / "venv-pants-2.17.1").exists()


def test_wrong_bootstrap_python_is_named(checkout: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    python311 = shutil.which("python3.11") or shutil.which("python3")
    assert python311
    env = {**_base_env(home), "PANTS_BOOTSTRAP_PYTHON": python311}
    proc = _run(checkout, env, "--version")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert f"PANTS_BOOTSTRAP_PYTHON={python311} is not a CPython 3.9" in lines[0]
