"""The warehouse operators against a real PostgreSQL database of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hangar_plugins.operators.warehouse_sql import WarehouseSQLOperator
from hangar_plugins.operators.warehouse_upsert import WarehouseUpsertOperator
from tests.support.postgres import airflow_connection, scratch_database


@pytest.fixture
def warehouse(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with scratch_database("hangar_it_operators") as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA prod_marts")
            conn.execute("CREATE TABLE prod_marts.users (id int PRIMARY KEY, name text)")
        monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", airflow_connection(url))
        yield url


def test_sql_runs_in_the_rendered_schema(warehouse: str) -> None:
    insert = WarehouseSQLOperator(
        task_id="t", sql="INSERT INTO users VALUES (1, 'ada')", search_path="prod_marts"
    )
    insert.execute({})
    with psycopg.connect(warehouse) as conn:
        assert conn.execute("SELECT name FROM prod_marts.users").fetchall() == [("ada",)]
    query = WarehouseSQLOperator(
        task_id="q",
        sql="SELECT current_schemas(false), count(*) FROM users",
        search_path="prod_marts, public",
    )
    assert query.execute({}) == [(["prod_marts", "public"], 1)]


def test_upsert_operator_loads_parquet_idempotently(warehouse: str, tmp_path: Path) -> None:
    table = pa.table({"id": pa.array([1, 2, 2], pa.int32()), "name": ["a", "b", "b2"]})
    pq.write_table(table, tmp_path / "users.parquet")
    op = WarehouseUpsertOperator(
        task_id="load",
        source=f"file://{tmp_path}/users.parquet",
        source_conn_id=None,
        table="prod_marts.users",
        keys=["id"],
        batch_rows=2,  # two batches: the load is streamed, not read whole
    )
    context: Any = {}
    assert op.execute(context) == {"staged": 3, "inserted": 2, "updated": 0, "unchanged": 1}
    assert op.execute(context) == {"staged": 3, "inserted": 0, "updated": 0, "unchanged": 3}
    with psycopg.connect(warehouse) as conn:
        assert conn.execute("SELECT id, name FROM prod_marts.users ORDER BY id").fetchall() == [
            (1, "a"),
            (2, "b2"),
        ]
