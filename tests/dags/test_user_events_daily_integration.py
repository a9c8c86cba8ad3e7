"""``user_events_daily`` for real, in seconds: aggregates the example source's events of a day
into the warehouse mart and its Parquet partition, run by ``./hangar test``'s runner.

Its target depends on user_events_daily.py only (tests/dags/BUILD).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest

from hangar_common.examples import app_events
from tests.support.dag_runs import PipelineServices, pipeline_services

DAY = date(2026, 11, 3)
MART = (
    "SELECT day::text, event_type, events, users FROM marts.user_events_daily"
    " WHERE day = %s ORDER BY 1, 2"
)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineServices]:
    with pipeline_services(tmp_path_factory.mktemp("user_events_daily")) as found:
        app_events.seed(found.source_url, until=date(2026, 11, 7))
        yield found


def _expected(source_url: str, day: date) -> list[tuple[object, ...]]:
    with psycopg.connect(source_url) as conn:
        return conn.execute(
            "SELECT (occurred_at AT TIME ZONE 'UTC')::date::text, event_type, count(*),"
            " count(DISTINCT user_id) FROM app_events"
            " WHERE (occurred_at AT TIME ZONE 'UTC')::date = %s GROUP BY 1, 2 ORDER BY 1, 2",
            (day,),
        ).fetchall()


def test_a_day_is_aggregated_into_the_mart_and_reruns_change_nothing(
    services: PipelineServices,
) -> None:
    first = services.run("user_events_daily", day=DAY)
    assert first.exit_code == 0, first.run
    assert [task.task_id for task in first.run.tasks] == ["aggregate_events", "publish"]
    expected = _expected(services.source_url, DAY)
    assert len(expected) == len(app_events.EVENT_TYPES)
    assert services.rows(MART, DAY) == expected
    partition = "marts/user_events_daily/year=2026/month=11/day=03/"
    assert services.keys(partition) == [f"{partition}part-0.parquet"]
    assert first.footprint is not None
    assert [(t.table, t.before, t.after) for t in first.footprint.tables] == [
        ("marts.user_events_daily", None, len(expected))
    ]

    again = services.run("user_events_daily", day=DAY)
    assert again.exit_code == 0, again.run
    assert services.rows(MART, DAY) == expected
    assert services.rows("SELECT count(*) FROM marts.user_events_daily") == [(len(expected),)]
    assert again.footprint is not None and again.footprint.tables == ()
