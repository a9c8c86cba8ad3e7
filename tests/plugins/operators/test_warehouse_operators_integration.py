"""The warehouse operators against a real PostgreSQL database of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hangar_plugins.hooks.warehouse import PARTITION_COLUMN, partition_column_sql
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


def test_with_a_partition_the_operator_replaces_that_partition(
    warehouse: str, tmp_path: Path
) -> None:
    with psycopg.connect(warehouse, autocommit=True) as conn:
        conn.execute(partition_column_sql("prod_marts.users"))
        conn.execute("INSERT INTO prod_marts.users VALUES (7, 'other day', '2026-11-19')")
    pq.write_table(
        pa.table({"id": pa.array([1, 2, 3], pa.int32()), "name": ["a", "b", "c"]}),
        tmp_path / "users.parquet",
    )
    op = WarehouseUpsertOperator(
        task_id="load",
        source=f"file://{tmp_path}/users.parquet",
        source_conn_id=None,
        table="prod_marts.users",
        keys=["id"],
        batch_rows=2,
        partition="{{ ds }}",
    )
    op.render_template_fields(cast("Any", {"ds": "2026-11-20"}))
    assert op.partition == "2026-11-20"
    assert op.execute({}) == {"loaded": 3, "replaced": 0, "method": "copy"}
    assert op.execute({}) == {"loaded": 3, "replaced": 3, "method": "copy"}
    with psycopg.connect(warehouse) as conn:
        rows = conn.execute(
            f"SELECT id, name, {PARTITION_COLUMN} FROM prod_marts.users ORDER BY id"
        ).fetchall()
    assert rows == [
        (1, "a", "2026-11-20"),
        (2, "b", "2026-11-20"),
        (3, "c", "2026-11-20"),
        (7, "other day", "2026-11-19"),
    ]


def test_a_preview_s_tasks_write_to_the_preview_s_own_schemas(
    warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task of ``<dag>__preview_feat_x`` (./hangar deploy --preview): the same operators, the
    same table names, and production's tables stay as they were."""
    from airflow import sdk

    class Dag:
        dag_id = "refresh_users__preview_feat_x"

    monkeypatch.setattr(sdk, "get_current_context", lambda: {"dag": Dag()})
    WarehouseSQLOperator(
        task_id="t",
        sql=[
            "CREATE TABLE IF NOT EXISTS users (id int PRIMARY KEY, name text)",
            "INSERT INTO users VALUES (1, 'preview')",
        ],
        search_path="prod_marts",
    ).execute({})
    pq.write_table(
        pa.table({"id": pa.array([2], pa.int32()), "name": ["loaded"]}), tmp_path / "u.parquet"
    )
    WarehouseUpsertOperator(
        task_id="load",
        source=f"file://{tmp_path}/u.parquet",
        source_conn_id=None,
        table="prod_marts.users",
        keys=["id"],
    ).execute(cast(Any, {}))
    with psycopg.connect(warehouse) as conn:
        assert conn.execute("SELECT count(*) FROM prod_marts.users").fetchone() == (0,)
        assert conn.execute(
            'SELECT id, name FROM "preview_feat_x__prod_marts".users ORDER BY id'
        ).fetchall() == [(1, "preview"), (2, "loaded")]
