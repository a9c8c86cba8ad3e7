"""A machine-wide pip configuration cannot break Pants' lock downloads.

A global ``pip.conf`` with ``constraint =`` made every lock download of pex's pip (legacy
resolver, ``pip download --no-deps URL``) fail with ``AssertionError`` (pypa/pip#9283): pex runs
pip ``--isolated``, which still reads global files. pants.toml hides every pip configuration from
pex's pip (``PIP_CONFIG_FILE=/dev/null`` in ``[subprocess-environment]``). The global file is
simulated with ``XDG_CONFIG_DIRS``, where pip looks for global files first; the run without the
fix proves the test can fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import repo_root, user_home

FIXTURE_LOCK = Path(__file__).parent / "fixtures" / "six.lock"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The real launcher and pants.toml over a one-requirement resolve (six)."""
    root = tmp_path / "checkout"
    (root / "3rdparty" / "python").mkdir(parents=True)
    for name in ("pants", "pants.toml", "pyproject.toml"):
        shutil.copy2(repo_root() / name, root / name)
    shutil.copy2(FIXTURE_LOCK, root / "3rdparty" / "python" / "python-default.lock")
    (root / "3rdparty" / "python" / "BUILD").write_text(
        'python_requirement(name="six", requirements=["six==1.17.0"], resolve="python-default")\n'
    )
    return root


@pytest.fixture
def global_pip_config(tmp_path: Path) -> Path:
    """A machine-wide pip configuration like the one these machines' images carry."""
    config_dirs = tmp_path / "xdg"
    (config_dirs / "pip").mkdir(parents=True)
    constraints = config_dirs / "pip" / "constraints.txt"
    constraints.write_text("torch<=2.14.1\n")
    (config_dirs / "pip" / "pip.conf").write_text(f"[global]\nconstraint = {constraints}\n")
    return config_dirs


def _export(checkout: Path, tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``./pants export`` with empty Pants caches, so every artifact is downloaded again."""
    caches = tmp_path / f"caches-{len(list(tmp_path.glob('caches-*')))}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PANTS_", "PEX", "PIP_CONFIG_FILE"))
    }
    env.update(
        HOME=str(user_home()),  # the bootstrapped Pants is reused; its caches are not
        PANTS_NAMED_CACHES_DIR=str(caches / "named"),
        PANTS_LOCAL_STORE_DIR=str(caches / "store"),
    )
    return subprocess.run(
        [str(checkout / "pants"), "--no-pantsd", *options, "export", "--resolve=python-default"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_lock_downloads_ignore_a_global_pip_constraint(
    checkout: Path, global_pip_config: Path, tmp_path: Path
) -> None:
    simulate_global = f"--subprocess-environment-env-vars=+['XDG_CONFIG_DIRS={global_pip_config}']"

    without_fix = _export(
        checkout,
        tmp_path,
        simulate_global,
        "--subprocess-environment-env-vars=-['PIP_CONFIG_FILE=/dev/null']",
    )
    assert without_fix.returncode != 0
    assert "errors downloading required artifacts" in without_fix.stderr or (
        "error downloading required artifacts" in without_fix.stderr
    ), without_fix.stderr[-3000:]
    assert "AssertionError" in without_fix.stderr

    with_fix = _export(checkout, tmp_path, simulate_global)
    assert with_fix.returncode == 0, with_fix.stderr[-3000:]
    venvs = list((checkout / "dist" / "export" / "python" / "virtualenvs").glob("*/3.11*"))
    assert len(venvs) == 1, with_fix.stderr[-3000:]
    installed = list(venvs[0].glob("lib/python3.11/site-packages/six-1.17.0.dist-info"))
    assert installed, "six from the lockfile is missing from the exported venv"
