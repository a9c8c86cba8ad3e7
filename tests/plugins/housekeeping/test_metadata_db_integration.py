"""The metadata DB cleanup against a real, migrated metadata database: runs and event-log rows
older and newer than the retention, through the same child process the DAG's task starts."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from hangar_plugins.housekeeping.metadata_db import clean_in_child_process
from tests.support.metadata_db import migrated_metadata_db

NOW = datetime.now(UTC)
OLD, RECENT = NOW - timedelta(days=100), NOW - timedelta(days=5)
ARCHIVE = "_airflow_deleted__log__20250101000000"


@pytest.fixture
def metadata_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with migrated_metadata_db("hangar_it_housekeeping", tmp_path / "home") as (url, env):
        with psycopg.connect(url, autocommit=True) as conn:
            for i, started in enumerate([OLD, OLD, OLD, RECENT, RECENT]):
                conn.execute(
                    "INSERT INTO dag_run (dag_id, run_id, run_type, run_after, start_date, state)"
                    " VALUES ('ingest', %s, 'manual', %s, %s, 'success')",
                    (f"manual__{i}", started, started),
                )
            # The last scheduled run of a DAG stays, however old (`airflow db clean` semantics).
            conn.execute(
                "INSERT INTO dag_run (dag_id, run_id, run_type, run_after, start_date, state)"
                " VALUES ('report', 'scheduled__old', 'scheduled', %s, %s, 'success')",
                (OLD, OLD),
            )
            for when in [OLD] * 4 + [RECENT] * 2:
                conn.execute("INSERT INTO log (dttm, event) VALUES (%s, 'cli_test')", (when,))
            # An archive table a manual `airflow db clean` (without --skip-archive) left behind.
            conn.execute(f"CREATE TABLE {ARCHIVE} (id integer)")
        # What the task's process has: the platform's settings, Airflow's home, the code.
        monkeypatch.setenv("HANGAR_METADATA_DB_URL", url)
        monkeypatch.setenv("AIRFLOW_HOME", env["AIRFLOW_HOME"])
        monkeypatch.setenv("AIRFLOW__CORE__FERNET_KEY", env["AIRFLOW__CORE__FERNET_KEY"])
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(e for e in sys.path if e))
        # As in a real task process: Airflow has blocked the DB URL of the task itself.
        monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "airflow-db-not-allowed:///")
        yield url


def _left(url: str) -> tuple[list[str], int, bool]:
    with psycopg.connect(url) as conn:
        runs = [row[0] for row in conn.execute("SELECT run_id FROM dag_run ORDER BY run_id")]
        logs = conn.execute("SELECT count(*) FROM log WHERE event = 'cli_test'").fetchone()
        archive = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (ARCHIVE,)).fetchone()
    assert logs is not None and archive is not None
    return runs, logs[0], archive[0]


def test_old_rows_go_new_ones_stay_and_a_second_run_removes_nothing(metadata_db: str) -> None:
    before = NOW - timedelta(days=30)
    everything = (
        ["manual__0", "manual__1", "manual__2", "manual__3", "manual__4", "scheduled__old"],
        6,
        True,
    )

    preview = clean_in_child_process(before=before, dry_run=True)
    assert preview.rows["dag_run"] == 3
    assert preview.rows["log"] == 4
    assert preview.archive_tables_dropped == []
    assert _left(metadata_db) == everything  # a dry run deletes nothing

    done = clean_in_child_process(before=before, dry_run=False)
    assert done.rows["dag_run"] == 3
    assert done.rows["log"] == 4
    assert done.archive_tables_dropped == [ARCHIVE]
    assert f"deleted {done.total} rows older than" in done.lines()[0]
    assert _left(metadata_db) == (["manual__3", "manual__4", "scheduled__old"], 2, False)

    again = clean_in_child_process(before=before, dry_run=False)
    assert again.total == 0
    assert again.archive_tables_dropped == []
    assert _left(metadata_db)[:2] == (["manual__3", "manual__4", "scheduled__old"], 2)
