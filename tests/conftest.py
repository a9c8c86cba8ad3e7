"""Session-wide test setup: Airflow never touches ~/airflow, and examples are never loaded."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

# Set before anything imports airflow: its configuration is read once, at import time.
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="hangar-test-airflow-home-")
atexit.register(shutil.rmtree, _AIRFLOW_HOME, ignore_errors=True)
os.environ["AIRFLOW_HOME"] = _AIRFLOW_HOME
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")


@pytest.fixture(scope="session", autouse=True)
def _drop_stack_databases() -> Iterator[None]:
    """Databases the stacks of this test process created go when the process's tests end
    (and those a killed test process left behind go when the next one starts a stack)."""
    yield
    from tests.support import hangar_stack

    if hangar_stack.stacks_started():
        hangar_stack.drop_test_databases()
