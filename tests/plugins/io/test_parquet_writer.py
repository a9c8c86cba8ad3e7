from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from airflow.sdk import ObjectStoragePath

from hangar_plugins.io.parquet_writer import ObjectStorageParquetWriter

SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string())])


def _batch(start: int, count: int) -> pa.RecordBatch:
    ids = list(range(start, start + count))
    return pa.RecordBatch.from_arrays(
        [pa.array(ids, pa.int64()), pa.array([f"n{i}" for i in ids])], schema=SCHEMA
    )


def test_batches_become_one_parquet_object(tmp_path: Path) -> None:
    target = ObjectStoragePath(f"file://{tmp_path}/lake/day=2026-11-20/part.parquet")
    with ObjectStorageParquetWriter(
        destination=target, schema=SCHEMA, spool_dir=str(tmp_path)
    ) as w:
        w.write_batch(_batch(0, 1000))
        w.write_batch(_batch(1000, 500))
    table = pq.read_table(tmp_path / "lake/day=2026-11-20/part.parquet")
    assert table.num_rows == w.rows_written == 1500
    assert table.column("id").to_pylist() == list(range(1500))
    assert w.bytes_written == (tmp_path / "lake/day=2026-11-20/part.parquet").stat().st_size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake"]  # spool removed


def test_a_failure_publishes_nothing_and_keeps_the_previous_object(tmp_path: Path) -> None:
    target = ObjectStoragePath(f"file://{tmp_path}/part.parquet")
    with ObjectStorageParquetWriter(destination=target, schema=SCHEMA) as writer:
        writer.write_batch(_batch(0, 3))
    with pytest.raises(RuntimeError, match="source broke"):
        with ObjectStorageParquetWriter(destination=target, schema=SCHEMA) as writer:
            writer.write_batch(_batch(100, 50))
            raise RuntimeError("source broke")
    assert pq.read_table(tmp_path / "part.parquet").column("id").to_pylist() == [0, 1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["part.parquet"]


def test_a_batch_of_another_schema_is_refused(tmp_path: Path) -> None:
    target = ObjectStoragePath(f"file://{tmp_path}/part.parquet")
    other = pa.RecordBatch.from_arrays([pa.array([1])], names=["id"])
    with pytest.raises(ValueError, match="does not match"):
        with ObjectStorageParquetWriter(destination=target, schema=SCHEMA) as writer:
            writer.write_batch(other)
    assert not (tmp_path / "part.parquet").exists()
