"""The daily mart converges to the day's aggregate, whatever ran before (real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pyarrow.parquet as pq
import pytest
from airflow.sdk import ObjectStoragePath

from hangar_plugins.pipelines.user_events import publish_day
from tests.support.postgres import airflow_connection, scratch_database

DAY = date(2026, 11, 1)


@pytest.fixture
def warehouse(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with scratch_database("hangar_it_user_events") as url:
        monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", airflow_connection(url))
        yield url


def _mart(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT day, event_type, events, users FROM marts.user_events_daily ORDER BY 1, 2"
        ).fetchall()


def test_rerunning_a_day_replaces_exactly_that_day(warehouse: str, tmp_path: Path) -> None:
    destination = ObjectStoragePath(f"file://{tmp_path}/day=01/part-0.parquet")
    first = publish_day(
        [["click", 10, 4], ["view", 30, 9]],
        day=DAY,
        destination=destination,
        warehouse_conn_id="warehouse",
    )
    other_day = ObjectStoragePath(f"file://{tmp_path}/day=02/part-0.parquet")
    publish_day(
        [["view", 1, 1]],
        day=date(2026, 11, 2),
        destination=other_day,
        warehouse_conn_id="warehouse",
    )
    assert first["event_types"] == 2 and first["inserted"] == 2

    # The source changed: `click` is gone, `view` grew. The day converges; 2 Nov is untouched.
    publish_day([["view", 31, 10]], day=DAY, destination=destination, warehouse_conn_id="warehouse")
    assert _mart(warehouse) == [
        (DAY, "view", 31, 10),
        (date(2026, 11, 2), "view", 1, 1),
    ]
    parquet = pq.read_table(tmp_path / "day=01" / "part-0.parquet").to_pylist()
    assert parquet == [{"day": DAY, "event_type": "view", "events": 31, "users": 10}]
