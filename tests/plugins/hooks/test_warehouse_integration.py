"""COPY + UPSERT and partition replacement against a real PostgreSQL database of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import psycopg
import pyarrow as pa
import pytest

from hangar_plugins.hooks.warehouse import (
    PARTITION_COLUMN,
    ReplaceResult,
    UpsertResult,
    WarehouseHook,
    partition_column_sql,
)
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


# Partition replacement (the ingestion load): a table with the partition column, keyed on id.


@pytest.fixture
def lake_table(warehouse: str) -> str:
    with psycopg.connect(warehouse, autocommit=True) as conn:
        conn.execute("CREATE TABLE marts.orders (id int PRIMARY KEY, amount numeric, note text)")
        conn.execute(partition_column_sql("marts.orders"))
    return warehouse


def _orders(rows: list[tuple[int, float, str | None]]) -> pa.RecordBatch:
    ids, amounts, notes = zip(*rows, strict=True)
    return pa.RecordBatch.from_arrays(
        [pa.array(ids, pa.int32()), pa.array(amounts, pa.float64()), pa.array(notes, pa.string())],
        names=["id", "amount", "note"],
    )


def _order_rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            f"SELECT {PARTITION_COLUMN}, id, amount::float, note FROM marts.orders ORDER BY id"
        ).fetchall()


def _replace(day: str, *batches: pa.RecordBatch) -> ReplaceResult:
    return WarehouseHook().replace_partition(
        table="marts.orders", keys=["id"], partition=day, read_batches=lambda: list(batches)
    )


def test_a_partition_is_replaced_whole_by_copy_and_other_partitions_stay(lake_table: str) -> None:
    assert _replace("2026-11-19", _orders([(9, 9.0, "other day")])).method == "copy"
    first = _replace(
        "2026-11-20", _orders([(1, 1.0, "a"), (2, 2.0, None)]), _orders([(3, 3.0, "")])
    )
    assert first == ReplaceResult(loaded=3, replaced=0, method="copy")
    again = _replace(
        "2026-11-20", _orders([(1, 1.0, "a"), (2, 2.0, None)]), _orders([(3, 3.0, "")])
    )
    assert again == ReplaceResult(loaded=3, replaced=3, method="copy")
    # A corrected export of the day with a row fewer: the day is what the file holds now.
    fewer = _replace("2026-11-20", _orders([(1, 1.5, "a2"), (3, 3.0, "")]))
    assert fewer == ReplaceResult(loaded=2, replaced=3, method="copy")
    assert _order_rows(lake_table) == [
        ("2026-11-20", 1, 1.5, "a2"),
        ("2026-11-20", 3, 3.0, ""),
        ("2026-11-19", 9, 9.0, "other day"),
    ]


def test_a_key_held_by_another_partition_moves_and_the_last_duplicate_wins(
    lake_table: str,
) -> None:
    _replace("2026-11-19", _orders([(1, 1.0, "first seen on the 19th"), (2, 2.0, "stays")]))
    moved = _replace(
        "2026-11-20", _orders([(1, 10.0, "early"), (5, 5.0, "x")]), _orders([(1, 11.0, "last")])
    )
    assert moved == ReplaceResult(loaded=3, replaced=0, method="upsert")
    assert _order_rows(lake_table) == [
        ("2026-11-20", 1, 11.0, "last"),
        ("2026-11-19", 2, 2.0, "stays"),
        ("2026-11-20", 5, 5.0, "x"),
    ]


def test_a_failing_replacement_leaves_the_partition_as_it_was(lake_table: str) -> None:
    _replace("2026-11-20", _orders([(1, 1.0, "kept"), (2, 2.0, "kept")]))
    before = _order_rows(lake_table)
    odd = pa.RecordBatch.from_arrays([pa.array([9], pa.int32())], names=["id"])
    with pytest.raises(ValueError, match="differ from the first batch"):
        _replace("2026-11-20", _orders([(3, 3.0, "new")]), odd)
    assert _order_rows(lake_table) == before
    with pytest.raises(ValueError, match="partition must be a non-empty string"):
        _replace("", _orders([(3, 3.0, "new")]))
    assert _order_rows(lake_table) == before


def test_two_replacements_of_one_day_at_once_leave_one_of_them_whole(lake_table: str) -> None:
    loads = {
        "a": _orders([(n, float(n), "a") for n in range(1, 2001)]),
        "b": _orders([(n, float(n), "b") for n in range(1001, 2501)]),
    }
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda batch: _replace("2026-11-20", batch), loads.values()))
    assert all(result.method == "copy" for result in results)
    notes = {row[3] for row in _order_rows(lake_table)}
    assert len(notes) == 1, "rows of both loads: the day was not replaced as a unit"
    [winner] = notes
    assert len(_order_rows(lake_table)) == loads[winner].num_rows


def test_a_table_from_before_partitions_gets_the_column_and_keeps_its_rows(
    warehouse: str,
) -> None:
    with psycopg.connect(warehouse, autocommit=True) as conn:
        conn.execute("CREATE TABLE marts.orders (id int PRIMARY KEY, amount numeric, note text)")
        conn.execute("INSERT INTO marts.orders VALUES (1, 1, 'old'), (2, 2, 'old')")
        conn.execute(partition_column_sql("marts.orders"))
        conn.execute(partition_column_sql("marts.orders"))  # twice: a no-op, no lock taken
        indexes = conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'orders' ORDER BY 1"
        ).fetchall()
    assert indexes == [(f"orders_{PARTITION_COLUMN}",), ("orders_pkey",)]
    assert _order_rows(warehouse) == [(None, 1, 1.0, "old"), (None, 2, 2.0, "old")]
    # Reloading the day those rows came from: they are taken over, not duplicated.
    assert _replace("2026-11-20", _orders([(1, 1.0, "new")])).method == "upsert"
    assert _order_rows(warehouse) == [("2026-11-20", 1, 1.0, "new"), (None, 2, 2.0, "old")]
