"""COPY + UPSERT against a real PostgreSQL database of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pyarrow as pa
import pytest

from hangar_plugins.hooks.warehouse import UpsertResult, WarehouseHook
from tests.support.postgres import airflow_connection, scratch_database


@pytest.fixture
def warehouse(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with scratch_database("hangar_it_warehouse") as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA marts")
            conn.execute(
                "CREATE TABLE marts.sales (id int, day date, amount numeric, note text,"
                " PRIMARY KEY (id, day))"
            )
        monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", airflow_connection(url))
        yield url


def _batch(rows: list[tuple[int, str, float, str | None]]) -> pa.RecordBatch:
    ids, days, amounts, notes = zip(*rows, strict=True)
    return pa.RecordBatch.from_arrays(
        [
            pa.array(ids, pa.int32()),
            pa.array([date.fromisoformat(d) for d in days], pa.date32()),
            pa.array(amounts, pa.float64()),
            pa.array(notes, pa.string()),
        ],
        names=["id", "day", "amount", "note"],
    )


def _rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT id, day::text, amount::float, note FROM marts.sales ORDER BY id, day"
        ).fetchall()


ROWS = [(1, "2026-11-20", 10.5, "a"), (2, "2026-11-20", 20.0, None), (3, "2026-11-20", 0.0, "")]


def test_reloading_the_same_rows_changes_nothing(warehouse: str) -> None:
    hook = WarehouseHook()
    first = hook.upsert_batches(table="marts.sales", keys=["id", "day"], batches=[_batch(ROWS)])
    assert first == UpsertResult(staged=3, inserted=3, updated=0)
    assert _rows(warehouse) == [
        (1, "2026-11-20", 10.5, "a"),
        (2, "2026-11-20", 20.0, None),
        (3, "2026-11-20", 0.0, ""),  # an empty string stays a string, not NULL
    ]
    again = hook.upsert_batches(table="marts.sales", keys=["id", "day"], batches=[_batch(ROWS)])
    assert again == UpsertResult(staged=3, inserted=0, updated=0)
    assert again.unchanged == 3


def test_changed_rows_are_updated_and_the_last_duplicate_wins(warehouse: str) -> None:
    hook = WarehouseHook()
    hook.upsert_batches(table="marts.sales", keys=["id", "day"], batches=[_batch(ROWS)])
    changed: list[tuple[int, str, float, str | None]] = [
        (1, "2026-11-20", 11.0, "a"),
        (1, "2026-11-20", 12.0, "last"),
        (4, "2026-11-21", 1.0, "n"),
    ]
    result = hook.upsert_batches(
        table="marts.sales", keys=["id", "day"], batches=[_batch(changed[:1]), _batch(changed[1:])]
    )
    assert result == UpsertResult(staged=3, inserted=1, updated=1)
    assert _rows(warehouse)[0] == (1, "2026-11-20", 12.0, "last")
    assert len(_rows(warehouse)) == 4


def test_a_failing_load_leaves_the_table_as_it_was(warehouse: str) -> None:
    hook = WarehouseHook()
    hook.upsert_batches(table="marts.sales", keys=["id", "day"], batches=[_batch(ROWS)])
    before = _rows(warehouse)
    odd = pa.RecordBatch.from_arrays([pa.array([9], pa.int32())], names=["id"])
    with pytest.raises(ValueError, match="batch columns \\['id'\\] differ"):
        hook.upsert_batches(
            table="marts.sales",
            keys=["id", "day"],
            batches=[_batch([(1, "2026-11-20", 99.0, "x")]), odd],
        )
    assert _rows(warehouse) == before
