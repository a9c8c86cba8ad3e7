from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq

from hangar_common.examples.sales import sales_csv
from hangar_plugins.hooks.warehouse import partition_column_sql
from hangar_plugins.ingestion.datasets import load_dataset_file
from hangar_plugins.ingestion.tasks import (
    convert,
    create_table_sql,
    interval_paths,
    quarantined_rows,
    source_url,
)
from tests.support.paths import repo_root

SALES = load_dataset_file(repo_root() / "src/python/dags/hangar_dags/config/datasets/sales.yaml")
DAY = dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC)


def test_paths_and_url_come_from_the_interval() -> None:
    paths = interval_paths("file:///lake", SALES, DAY, conn_id=None)
    assert str(paths.raw).endswith("/lake/raw/sales/year=2026/month=11/day=20/source.csv")
    assert str(paths.parquet).endswith("/parquet/sales/year=2026/month=11/day=20/part-0.parquet")
    assert source_url(SALES, DAY) == "/sales/2026-11-20.csv"


def test_table_ddl_uses_the_key_as_primary_key() -> None:
    ddl = create_table_sql(SALES)
    assert ddl.startswith(
        'CREATE SCHEMA IF NOT EXISTS "raw"; CREATE TABLE IF NOT EXISTS "raw"."sales"'
    )
    assert '"order_id" bigint NOT NULL' in ddl and '"ordered_at" timestamptz NOT NULL' in ddl
    assert 'hangar_partition text, PRIMARY KEY ("order_id"));' in ddl
    # Tables created before partition loads get the column and its index.
    assert ddl.endswith(partition_column_sql("raw.sales"))


def test_convert_writes_parquet_and_quarantine_then_a_clean_rerun_clears_it(tmp_path: Path) -> None:
    paths = interval_paths(f"file://{tmp_path}", SALES, DAY, conn_id=None)
    paths.raw.parent.mkdir(parents=True, exist_ok=True)
    paths.raw.write_bytes(sales_csv("2026-11-20", 200, bad_every=50))
    report = convert(SALES, paths)
    assert (report["rows_total"], report["bad_rows"]) == (200, 4)
    assert pq.read_table(str(paths.parquet).removeprefix("file://")).num_rows == 196
    assert [
        row["line"]
        for row in sorted(quarantined_rows(paths.quarantine), key=lambda r: int(r["line"]))
    ] == ["51", "101", "151", "201"]

    paths.raw.write_bytes(sales_csv("2026-11-20", 200, bad_every=0))
    assert convert(SALES, paths)["bad_rows"] == 0
    assert not paths.quarantine.exists()  # the stale quarantine of the bad run is gone


def test_too_many_bad_rows_keep_the_previous_parquet(tmp_path: Path) -> None:
    import pytest

    from hangar_plugins.ingestion.tasks import TooManyBadRows

    paths = interval_paths(f"file://{tmp_path}", SALES, DAY, conn_id=None)
    paths.raw.parent.mkdir(parents=True, exist_ok=True)
    paths.raw.write_bytes(sales_csv("2026-11-20", 100, bad_every=0))
    convert(SALES, paths)
    before = paths.parquet.read_bytes()
    paths.raw.write_bytes(sales_csv("2026-11-20", 100, bad_every=10))  # 10 %, over 5 %
    with pytest.raises(TooManyBadRows, match=r"10 of 100 rows \(10.0%\) are malformed"):
        convert(SALES, paths)
    assert paths.parquet.read_bytes() == before
    assert len(quarantined_rows(paths.quarantine)) == 10
