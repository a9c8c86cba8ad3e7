"""Session-wide test setup: Airflow never touches ~/airflow, and examples are never loaded."""

from __future__ import annotations

import os
import tempfile

# Set before anything imports airflow: its configuration is read once, at import time.
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="hangar-test-airflow-home-")
os.environ["AIRFLOW_HOME"] = _AIRFLOW_HOME
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
