"""A migrated Airflow metadata database of the test's own, and Python run against it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.postgres import scratch_database

# A fixed test key: connections written by one process must be readable by the next.
TEST_FERNET_KEY = "8NZ3Kg0tZc6qmfTPOIMZ0HuLXyyDUmIeNBwUgJ5SkiY="


def airflow_env(database_url: str, airflow_home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(entry for entry in sys.path if entry),
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database_url.replace(
            "postgresql://", "postgresql+psycopg2://", 1
        ),
        "AIRFLOW__CORE__FERNET_KEY": TEST_FERNET_KEY,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }


@contextmanager
def migrated_metadata_db(prefix: str, airflow_home: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(URL, environment of an Airflow process using it), after ``airflow db migrate``."""
    with scratch_database(prefix) as url:
        env = airflow_env(url, airflow_home)
        migrate = subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert migrate.returncode == 0, migrate.stdout[-2000:] + migrate.stderr[-2000:]
        yield url, env


def run_python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
