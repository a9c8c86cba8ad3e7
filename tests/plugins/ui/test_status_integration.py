"""What the Hangar page reports, read from a real, migrated metadata database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from tests.support.metadata_db import migrated_metadata_db, run_python

COLLECT = """
import json
from airflow.utils.session import create_session
from hangar_plugins.ui.status import collect
with create_session() as session:
    print("STATUS " + json.dumps(collect(session).as_dict()))
"""


def _collect(env: dict[str, str]) -> dict[str, object]:
    proc = run_python(env, "-c", COLLECT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("STATUS "))
    result: dict[str, object] = json.loads(line.removeprefix("STATUS "))
    return result


def test_components_import_errors_and_bundles_from_the_metadata_db(tmp_path: Path) -> None:
    with migrated_metadata_db("hangar_it_ui_status", tmp_path / "home") as (url, env):
        env = {
            **env,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "dags"),
        }
        (tmp_path / "dags").mkdir()
        empty = _collect(env)
        assert empty["executor"] == "LocalExecutor"
        assert empty["components"] == [] and empty["import_errors"] == []
        assert empty["workers"] == [] and empty["workers_error"] is None

        now = datetime.now(UTC)
        with psycopg.connect(url, autocommit=True) as conn:
            for job_type, host, beat in (
                ("SchedulerJob", "a", now - timedelta(seconds=90)),
                ("SchedulerJob", "a", now),  # the newest job per (component, host) counts
                ("SchedulerJob", "b", now),
                ("TriggererJob", "a", now),
            ):
                conn.execute(
                    "INSERT INTO job (job_type, hostname, state, latest_heartbeat, start_date)"
                    " VALUES (%s, %s, 'running', %s, %s)",
                    (job_type, host, beat, beat),
                )
            conn.execute(
                "INSERT INTO import_error (filename, bundle_name, timestamp, stacktrace)"
                " VALUES ('broken.py', 'hangar', %s, %s)",
                (
                    now,
                    "Traceback (most recent call last):\n  ...\nNameError: name 'x' is not defined\n",
                ),
            )
        status = _collect(env)
        listed = status["components"]
        assert isinstance(listed, list)
        components = [(c["component"], c["hostname"]) for c in listed]
        assert components == [("scheduler", "a"), ("scheduler", "b"), ("triggerer", "a")]
        newest = listed[0]["last_heartbeat"]
        assert newest == now.isoformat(timespec="seconds")
        assert status["import_errors"] == [
            {
                "filename": "broken.py",
                "bundle": "hangar",
                "timestamp": now.isoformat(timespec="seconds"),
                "message": "NameError: name 'x' is not defined",
            }
        ]
        bundles = status["bundles"]
        assert isinstance(bundles, list) and bundles and bundles[0]["error"] is None
