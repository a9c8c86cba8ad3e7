"""``ingest_sales`` for real, in seconds: the example sales source over HTTP, SeaweedFS, the
warehouse on PostgreSQL, run by ``./hangar test``'s runner (``dag.test()``, no scheduler).

Its target depends on ingestion.py and config/datasets/sales.yaml only (tests/dags/BUILD).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pyarrow.parquet as pq
import pytest

from hangar_common.examples.sales import good_rows
from hangar_common.examples.source_server import answer
from tests.support.dag_runs import PipelineServices, pipeline_services

DAY = date(2026, 11, 20)
PARTITION = "year=2026/month=11/day=20"
DAY_ROWS = (
    "SELECT count(*), md5(string_agg(concat_ws('|', order_id, ordered_at, store, sku, quantity,"
    " amount, paid), ',' ORDER BY order_id)) FROM raw.sales"
    " WHERE ordered_at >= %s::date AND ordered_at < %s::date + 1"
)


def sales_source(path: str) -> tuple[str, bytes] | None:
    status, content_type, body = answer(path, today=datetime.now(UTC).date())
    return (content_type, body) if status == 200 else None


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineServices]:
    with pipeline_services(tmp_path_factory.mktemp("ingest_sales"), http=sales_source) as found:
        yield found


def test_a_day_lands_in_the_lake_and_the_warehouse_and_reruns_idempotently(
    services: PipelineServices,
) -> None:
    first = services.run("ingest_sales", day=DAY)
    assert first.exit_code == 0, first.run
    assert [task.state for task in first.run.tasks] == ["success"] * 4
    assert first.run.data_interval is not None and first.run.data_interval[0].startswith(
        "2026-11-20"
    )
    assert services.keys(f"raw/sales/{PARTITION}/") == [f"raw/sales/{PARTITION}/source.csv"]
    [parquet] = services.keys(f"parquet/sales/{PARTITION}/")
    assert pq.read_table(io.BytesIO(services.object(parquet))).num_rows == good_rows()
    assert services.keys(f"quarantine/sales/{PARTITION}/") != []
    [(count, checksum)] = services.rows(DAY_ROWS, DAY, DAY)
    assert count == good_rows()
    # The report says what the run wrote.
    assert first.footprint is not None
    assert [(t.table, t.before, t.after) for t in first.footprint.tables] == [
        ("raw.sales", None, good_rows())
    ]
    assert {obj.change for obj in first.footprint.objects} == {"added"}
    assert len(first.footprint.objects) == 3

    again = services.run("ingest_sales", day=DAY)
    assert again.exit_code == 0, again.run
    assert services.rows(DAY_ROWS, DAY, DAY) == [(count, checksum)]
    assert again.footprint is not None and again.footprint.tables == ()
    assert [obj for obj in again.footprint.objects if obj.change != "changed"] == []


def test_a_day_before_the_history_starts_is_refused_with_the_reason(
    services: PipelineServices,
) -> None:
    refused = services.run("ingest_sales", day=date(2026, 10, 15))
    assert refused.exit_code == 1
    assert refused.run.state == "refused"
    assert "history starts 2026-11-01" in refused.run.message
    assert refused.run.tasks == ()  # no run was made, nothing was written
    assert refused.footprint is not None and refused.footprint.objects == ()
