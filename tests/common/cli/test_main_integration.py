"""``hangar doctor`` as a user runs it: a child process, real services, the real launcher."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import repo_root, user_home
from tests.support.services import closed_port


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A minimal Hangar checkout: the real launcher and Pants config, nothing else."""
    for name in ("pants", "pants.toml", "hangar"):
        shutil.copy2(repo_root() / name, tmp_path / name)
    return tmp_path


def _doctor(checkout: Path, **env: str) -> subprocess.CompletedProcess[str]:
    child_env = {
        **os.environ,
        # The launcher's bootstrap cache lives in the account's home, which CI warms up first.
        "HOME": str(user_home()),
        "HANGAR_HOME": str(checkout),
        "PYTHONPATH": os.pathsep.join(os.path.abspath(entry) for entry in sys.path if entry),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "hangar_common.cli", "doctor"],
        env=child_env,
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _rows(stdout: str) -> dict[str, str]:
    rows = {}
    for line in stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[1] in ("OK", "FAIL"):
            rows[parts[0]] = parts[1]
    return rows


def test_doctor_all_ok_on_a_working_machine(checkout: Path) -> None:
    proc = _doctor(checkout, HANGAR_MIN_FREE_DISK_GB="0.1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _rows(proc.stdout) == dict.fromkeys(
        ("python", "airflow", "postgresql", "redis", "pants", "pip-config", "disk"), "OK"
    )
    assert "7 of 7 checks OK" in proc.stdout


def test_doctor_reports_unreachable_services_with_fixes(checkout: Path) -> None:
    unreachable = {
        "HANGAR_POSTGRES_URL": f"postgresql://postgres:pw@127.0.0.1:{closed_port()}/postgres",
        "HANGAR_REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0",
        "HANGAR_MIN_FREE_DISK_GB": "0.1",
    }
    # Silent servers are fine where `up` can start its own from installed binaries...
    proc = _doctor(checkout, **unreachable)
    assert proc.returncode == 0, proc.stdout
    assert "`./hangar up` starts its own PostgreSQL from" in proc.stdout
    # ... and a failure, with the fix, where it cannot.
    proc = _doctor(
        checkout,
        **unreachable,
        HANGAR_PG_BIN=str(checkout / "no-postgres"),
        HANGAR_REDIS_SERVER=str(checkout / "no-redis-server"),
    )
    assert proc.returncode == 1
    rows = _rows(proc.stdout)
    assert rows["postgresql"] == "FAIL"
    assert rows["redis"] == "FAIL"
    assert rows["python"] == rows["airflow"] == rows["pants"] == "OK"
    assert proc.stdout.count("fix: ") == 2
    assert ":pw@" not in proc.stdout
    assert "5 of 7 checks OK, 2 FAILED" in proc.stdout
