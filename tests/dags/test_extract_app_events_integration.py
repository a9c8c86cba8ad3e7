"""``extract_app_events`` for real, in seconds: the example source table on PostgreSQL, the
interval's Parquet file on SeaweedFS, run by ``./hangar test``'s runner (``dag.test()``).

Its target depends on extract_app_events.py only (tests/dags/BUILD).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pyarrow.parquet as pq
import pytest

from hangar_common.examples import app_events
from tests.support.dag_runs import PipelineServices, pipeline_services

DAY = date(2026, 11, 5)
KEY = "extracts/app_events/year=2026/month=11/day=05/part-0.parquet"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineServices]:
    with pipeline_services(tmp_path_factory.mktemp("extract_app_events")) as found:
        app_events.seed(found.source_url, until=date(2026, 11, 7))
        yield found


def test_the_day_s_rows_are_extracted_once_however_often_it_runs(
    services: PipelineServices,
) -> None:
    first = services.run("extract_app_events", day=DAY)
    assert first.exit_code == 0, first.run
    assert [(task.task_id, task.state) for task in first.run.tasks] == [("extract", "success")]
    table = pq.read_table(io.BytesIO(services.object(KEY)))
    expected = [row[0] for row in app_events.event_rows(DAY)]
    assert sorted(table.column("event_id").to_pylist()) == expected
    assert str(table.schema.field("occurred_at").type) == "timestamp[us, tz=UTC]"
    assert first.footprint is not None
    assert [(obj.key, obj.change) for obj in first.footprint.objects] == [(KEY, "added")]

    again = services.run("extract_app_events", day=DAY)
    assert again.exit_code == 0, again.run
    assert services.keys("extracts/") == [KEY]  # the interval's file replaced, not added to
    rerun = pq.read_table(io.BytesIO(services.object(KEY)))
    assert sorted(rerun.column("event_id").to_pylist()) == expected
