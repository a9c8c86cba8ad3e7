"""Incremental extraction from a real PostgreSQL table into Parquet files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from airflow.sdk import ObjectStoragePath

from hangar_plugins.pipelines.extract import arrow_type, extract_interval
from tests.support.postgres import airflow_connection, scratch_database

DAY = datetime(2026, 11, 1, tzinfo=UTC)
NEXT = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture
def source(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with scratch_database("hangar_it_extract") as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA app")
            conn.execute(
                "CREATE TABLE app.events (id int8, kind text, score float8, ok bool,"
                " payload jsonb, occurred_at timestamptz)"
            )
            conn.execute(
                "INSERT INTO app.events SELECT i, 'k' || (i %% 3), i / 2.0, i %% 2 = 0,"
                " jsonb_build_object('i', i), %s + i * interval '1 minute'"
                " FROM generate_series(0, 2999) AS i",
                (datetime(2026, 10, 31, 12, tzinfo=UTC),),
            )
        monkeypatch.setenv("AIRFLOW_CONN_SOURCE_DB", airflow_connection(url))
        yield url


def _extract(target: Path, **overrides: Any) -> dict[str, Any]:
    """1 Nov of app.events on its watermark into ``target`` (``overrides``: what a test varies)."""
    arguments: dict[str, Any] = {
        "conn_id": "source_db",
        "table": "app.events",
        "watermark": "occurred_at",
        "start": DAY,
        "end": NEXT,
        "destination": ObjectStoragePath(f"file://{target}"),
        **overrides,
    }
    return extract_interval(**arguments)


def test_the_interval_lands_whole_typed_and_ordered(source: str, tmp_path: Path) -> None:
    target = tmp_path / "extract" / "day.parquet"
    # Several batches: the writer appends them to one file.
    result = _extract(target, batch_rows=500)
    # 12:00 on 31 Oct + i minutes: i in [720, 2160) fall on 1 Nov.
    assert result["rows"] == 1440
    table = pq.read_table(target)
    assert table.num_rows == 1440
    assert table.schema.field("id").type == pa.int64()
    assert table.schema.field("occurred_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("payload").type == pa.string()  # jsonb: as text
    ids = table.column("id").to_pylist()
    assert ids == sorted(ids) and ids[0] == 720 and ids[-1] == 2159


def test_a_failed_extract_leaves_the_previous_file(source: str, tmp_path: Path) -> None:
    target = tmp_path / "day.parquet"
    target.write_bytes(b"previous")
    with pytest.raises(psycopg.errors.UndefinedColumn):
        _extract(target, watermark="no_such_column")
    assert target.read_bytes() == b"previous"
    with pytest.raises(ValueError, match="empty interval"):
        _extract(target, start=NEXT, end=DAY)


def test_unknown_types_become_text() -> None:
    assert arrow_type("int2") == pa.int16()
    assert arrow_type("numeric") == pa.string()
    assert arrow_type("timestamp") == pa.timestamp("us")
