from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hangar_plugins.macros import partition_path


def test_day_partition_is_named_after_the_utc_interval_start() -> None:
    start = datetime(2026, 11, 21, 1, 30, tzinfo=timezone(timedelta(hours=3)))
    assert partition_path(start) == "year=2026/month=11/day=20"


@pytest.mark.parametrize(
    ("granularity", "expected"),
    [
        ("year", "year=2026"),
        ("month", "year=2026/month=02"),
        ("hour", "year=2026/month=02/day=03/hour=04"),
    ],
)
def test_granularity(granularity: str, expected: str) -> None:
    start = datetime(2026, 2, 3, 4, 5, tzinfo=UTC)
    assert partition_path(start, granularity=granularity) == expected


def test_naive_datetime_and_unknown_granularity_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        partition_path(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="granularity must be one of"):
        partition_path(datetime(2026, 1, 1, tzinfo=UTC), granularity="week")


def test_data_interval_renders_the_runs_interval_or_a_dateless_runs_derived_one() -> None:
    """``{{ data_interval_start }}`` is undefined in the templates of a run triggered without a
    logical date; ``macros.hangar.data_interval()`` gives every run its interval."""
    import uuid
    from types import SimpleNamespace

    import pendulum
    from airflow.sdk import DAG
    from airflow.sdk.definitions.timetables.interval import CronDataIntervalTimetable

    from hangar_plugins.macros import data_interval

    dag = DAG(
        "provider_acme_dev",
        schedule=CronDataIntervalTimetable("30 3 * * *", timezone="UTC"),
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
    )
    template = dag.get_template_env().from_string(  # Airflow's own environment and `ds` filter
        "{{ macros.hangar.data_interval().start | ds }}/{{ macros.hangar.data_interval().end }}"
    )
    context: dict[str, object] = {
        "dag": dag,
        "dag_run": SimpleNamespace(run_id="manual__x", run_after=pendulum.datetime(2026, 12, 7, 9)),
        "ti": SimpleNamespace(id=uuid.uuid4(), task_id="refresh_deliveries"),
        "macros": SimpleNamespace(hangar=SimpleNamespace(data_interval=data_interval)),
    }
    assert template.render(context) == "2026-12-06/2026-12-07 03:30:00+00:00"
    dated = {
        **context,
        "data_interval_start": pendulum.datetime(2026, 11, 2, 3, 30),
        "data_interval_end": pendulum.datetime(2026, 11, 3, 3, 30),
    }
    assert template.render(dated) == "2026-11-02/2026-11-03 03:30:00+00:00"
