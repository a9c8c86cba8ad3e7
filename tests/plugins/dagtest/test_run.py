from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pendulum
from airflow.sdk import DAG
from airflow.sdk.definitions.timetables.interval import CronDataIntervalTimetable

from hangar_plugins.dagtest.run import ListenerErrors, logical_date_for
from hangar_plugins.timetables import DatedCronDataIntervalTimetable

START = pendulum.datetime(2026, 11, 1, tz="UTC")


def test_a_day_is_the_schedule_s_interval_starting_on_it() -> None:
    """dag.test() runs the interval ending at its logical date: the day's interval's end."""
    nightly = DAG(
        "nightly", schedule=CronDataIntervalTimetable("0 2 * * *", "UTC"), start_date=START
    )
    assert logical_date_for(nightly, date(2026, 11, 20)) == datetime(2026, 11, 21, 2, tzinfo=UTC)
    daily = DAG("daily", schedule=CronDataIntervalTimetable("@daily", "UTC"), start_date=START)
    assert logical_date_for(daily, date(2026, 11, 20)) == datetime(2026, 11, 21, tzinfo=UTC)


def test_the_policy_s_dated_timetable_gives_the_same_day() -> None:
    dag = DAG("dated", schedule=None, start_date=START)
    dag.timetable = DatedCronDataIntervalTimetable("0 2 * * *", "UTC", range_start=START)
    assert logical_date_for(dag, date(2026, 11, 20)) == datetime(2026, 11, 21, 2, tzinfo=UTC)


def test_without_intervals_the_day_s_midnight_is_the_logical_date() -> None:
    manual = DAG("manual", schedule=None, start_date=START)
    assert logical_date_for(manual, date(2026, 11, 20)) == datetime(2026, 11, 20, tzinfo=UTC)
    cron = DAG("cron", schedule="0 8 * * *", start_date=START)
    assert logical_date_for(cron, date(2026, 11, 20)) == datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_the_listener_keeps_each_failed_task_s_exception() -> None:
    listener = ListenerErrors()
    ti = SimpleNamespace(task_id="boom", map_index=2)
    listener.on_task_instance_failed(None, ti, ValueError("no header row"))
    listener.on_task_instance_failed(None, SimpleNamespace(task_id="quiet", map_index=-1), None)
    assert listener.errors == {("boom", 2): "ValueError: no header row"}
