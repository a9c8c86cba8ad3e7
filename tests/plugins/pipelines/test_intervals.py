"""A run without a logical date processes the latest complete interval before its run_after,
the same for every task, and says so; one whose interval lies before start_date fails, saying
why."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pendulum
import pytest
from airflow.sdk import DAG
from airflow.sdk.definitions.timetables.interval import CronDataIntervalTimetable
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable
from airflow.sdk.exceptions import AirflowFailException

from hangar_plugins.pipelines.intervals import RunWithoutInterval, run_interval
from hangar_plugins.run_dates import RunOutsideDagRange
from hangar_plugins.timetables import DatedCronDataIntervalTimetable, date_schedule

START = pendulum.datetime(2026, 11, 1, tz="UTC")
UTC = "UTC"


def _dag(schedule: Any, *, dated: bool = True, end: Any = None) -> DAG:
    dag = DAG(
        "ingest_sales",
        schedule=schedule,
        start_date=START,
        end_date=end,
        catchup=False,
        tags=["test"],
    )
    if dated:
        date_schedule(dag)  # what the cluster policy does on every component
    return dag


def _dateless(dag: DAG, run_after: Any, ti: Any = None) -> dict[str, Any]:
    """The context Airflow gives a task of a run triggered with ``logical_date: null``: no
    ``logical_date`` and no ``data_interval_*`` keys, the run's ``run_after``."""
    return {
        "dag": dag,
        "dag_run": SimpleNamespace(
            run_id="manual__2026-12-07T09:13:00+00:00",
            run_after=run_after,
            logical_date=None,
            data_interval_start=None,
            data_interval_end=None,
        ),
        "ti": ti or SimpleNamespace(id=uuid.uuid4(), task_id="download_source"),
    }


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(year, month, day, hour, minute, tz="UTC")


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.endswith("pipelines.intervals")]


def test_a_run_with_an_interval_processes_exactly_it_and_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    start, end = pendulum.datetime(2026, 11, 19, 2), pendulum.datetime(2026, 11, 20, 2)
    context = _dateless(_dag(CronDataIntervalTimetable("0 2 * * *", timezone=UTC)), end)
    context.update(data_interval_start=start, data_interval_end=end, logical_date=end)
    assert run_interval(context) == (start, end)
    assert _lines(caplog) == []


@pytest.mark.parametrize("dated", [True, False], ids=["policy-applied", "sdk-timetable"])
@pytest.mark.parametrize(
    ("cron", "run_after", "start", "end"),
    [
        # @daily, triggered mid-morning: yesterday, midnight to midnight.
        ("@daily", _utc(2026, 12, 7, 9, 13), _utc(2026, 12, 6), _utc(2026, 12, 7)),
        # Exactly when an interval ends: that interval is complete.
        ("@daily", _utc(2026, 12, 7), _utc(2026, 12, 6), _utc(2026, 12, 7)),
        # 02:00 daily (the sales dataset), triggered at 01:00: the interval ending the day before.
        ("0 2 * * *", _utc(2026, 12, 7, 1), _utc(2026, 12, 5, 2), _utc(2026, 12, 6, 2)),
    ],
)
def test_a_run_without_a_logical_date_processes_the_latest_complete_interval_before_run_after(
    caplog: pytest.LogCaptureFixture,
    dated: bool,
    cron: str,
    run_after: pendulum.DateTime,
    start: pendulum.DateTime,
    end: pendulum.DateTime,
) -> None:
    caplog.set_level(logging.INFO)
    dag = _dag(CronDataIntervalTimetable(cron, timezone=UTC), dated=dated)
    interval = run_interval(_dateless(dag, run_after))
    assert interval == (start, end)
    [line] = _lines(caplog)
    assert line == (
        "run without a logical date: processing the latest complete interval "
        f"{interval.start:%Y-%m-%d %H:%M} UTC → {interval.end:%Y-%m-%d %H:%M} UTC "
        f"(before run_after {run_after:%Y-%m-%d %H:%M} UTC)"
    )


def test_it_is_the_interval_the_ui_now_gives_a_run() -> None:
    """The UI fills in *now* as the logical date; the API gives that run the timetable's manual
    interval for it. A dateless run due at the same moment processes the same interval."""
    dag = _dag(CronDataIntervalTimetable("0 2 * * *", timezone=UTC))
    now = pendulum.datetime(2026, 12, 7, 9, 13, 27, tz="UTC")
    assert isinstance(dag.timetable, DatedCronDataIntervalTimetable)  # the cluster policy's
    ui_run = dag.timetable.infer_manual_data_interval(run_after=now)
    assert run_interval(_dateless(dag, now)) == ui_run


def test_every_task_of_the_run_takes_the_same_interval_and_logs_it_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    dag = _dag(CronDataIntervalTimetable("@daily", timezone=UTC))
    due = pendulum.datetime(2026, 12, 7, 9, 13, tz="UTC")
    first = SimpleNamespace(id=uuid.uuid4(), task_id="aggregate_events")
    second = SimpleNamespace(id=uuid.uuid4(), task_id="publish")
    # A template asks twice (start, end); a later task, or a retry hours later, asks again.
    intervals = [
        run_interval(_dateless(dag, due, first)),
        run_interval(_dateless(dag, due, first)),
        run_interval(_dateless(dag, due, second)),
    ]
    assert len(set(intervals)) == 1
    assert len(_lines(caplog)) == 2  # one line in each task's log


def test_a_dateless_run_whose_latest_interval_lies_before_start_date_fails_saying_why() -> None:
    # Triggered on the first day of history at 10:00: the latest complete 02:00-02:00 interval
    # is the day before the start. Nothing to process yet: fail, without retries.
    dag = _dag(CronDataIntervalTimetable("0 2 * * *", timezone=UTC))
    context = _dateless(dag, pendulum.datetime(2026, 11, 1, 10, tz="UTC"))
    with pytest.raises(RunOutsideDagRange) as raised:
        run_interval(context)
    assert isinstance(raised.value, AirflowFailException)
    message = str(raised.value)
    assert "run without a logical date of DAG ingest_sales" in message
    assert "2026-10-31 02:00 UTC → 2026-11-01 02:00 UTC" in message
    assert "before its run_after (2026-11-01 10:00 UTC)" in message
    assert "history starts (2026-11-01 00:00 UTC, its start_date): nothing was run" in message
    # The same on the SDK timetable (a DAG file run without the cluster policy).
    with pytest.raises(RunOutsideDagRange, match="its start_date"):
        run_interval(_dateless(_dag(dag.timetable, dated=False), context["dag_run"].run_after))


def test_a_dateless_run_after_the_end_date_fails_saying_why() -> None:
    end = pendulum.datetime(2026, 11, 30, tz="UTC")
    dag = _dag(CronDataIntervalTimetable("@daily", timezone=UTC), end=end)
    with pytest.raises(RunOutsideDagRange, match="after the DAG ends .2026-11-30 00:00 UTC"):
        run_interval(_dateless(dag, pendulum.datetime(2026, 12, 7, tz="UTC")))


@pytest.mark.parametrize(
    "schedule",
    [None, CronTriggerTimetable("0 8 * * *", timezone=UTC)],
    ids=["manual-only", "trigger-without-interval"],
)
def test_a_schedule_without_intervals_gives_a_dateless_run_none_to_derive(schedule: Any) -> None:
    dag = _dag(schedule)
    with pytest.raises(RunWithoutInterval, match="trigger it with a logical date"):
        run_interval(_dateless(dag, pendulum.datetime(2026, 12, 7, 9, tz="UTC")))


def test_a_trigger_schedule_with_an_interval_gives_the_interval_before_run_after() -> None:
    timetable = CronTriggerTimetable("0 8 * * *", timezone=UTC, interval=timedelta(hours=24))
    due = pendulum.datetime(2026, 12, 7, 9, tz="UTC")
    assert run_interval(_dateless(_dag(timetable), due)) == (due - timedelta(hours=24), due)
