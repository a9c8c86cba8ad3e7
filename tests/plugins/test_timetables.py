"""Dated schedules refuse manual runs outside the DAG's range; they serialize round trip; the
latest complete interval a dateless run takes comes from the schedule alone."""

from __future__ import annotations

from datetime import timedelta

import pendulum
import pytest
from airflow.sdk.definitions.timetables.interval import (
    CronDataIntervalTimetable as SdkCronDataIntervalTimetable,
)
from airflow.timetables.interval import CronDataIntervalTimetable

from hangar_plugins.plugin import HangarPlugin
from hangar_plugins.timetables import (
    DatedCronDataIntervalTimetable,
    DatedCronTriggerTimetable,
    check_range,
    latest_complete_interval,
)

START = pendulum.datetime(2026, 11, 1, tz="UTC")


def test_a_data_interval_before_the_start_is_refused_with_the_reason() -> None:
    timetable = DatedCronDataIntervalTimetable("0 2 * * *", "UTC", range_start=START)
    inside = timetable.infer_manual_data_interval(run_after=pendulum.datetime(2026, 11, 3, 2))
    assert inside.start == pendulum.datetime(2026, 11, 2, 2, tz="UTC")
    with pytest.raises(ValueError, match="history starts 2026-11-01 00:00 UTC.*2026-10-14"):
        timetable.infer_manual_data_interval(run_after=pendulum.datetime(2026, 10, 15, 3))


def test_a_trigger_schedule_checks_the_logical_date_and_the_end() -> None:
    end = pendulum.datetime(2026, 12, 1, tz="UTC")
    timetable = DatedCronTriggerTimetable(
        "0 8 * * *", timezone="UTC", range_start=START, range_end=end
    )
    timetable.infer_manual_data_interval(run_after=pendulum.datetime(2026, 11, 20, 9, tz="UTC"))
    with pytest.raises(ValueError, match="ends 2026-12-01"):
        timetable.infer_manual_data_interval(run_after=pendulum.datetime(2026, 12, 2, tz="UTC"))


def test_no_range_means_no_check() -> None:
    check_range(pendulum.datetime(1999, 1, 1, tz="UTC"), None, None)


@pytest.mark.parametrize(
    "timetable",
    [
        DatedCronDataIntervalTimetable("@daily", "UTC", range_start=START),
        DatedCronTriggerTimetable("0 8 * * *", timezone="UTC", range_start=START),
    ],
)
def test_serialized_and_read_back_with_the_range(timetable: object) -> None:
    data = timetable.serialize()  # type: ignore[attr-defined]
    again = type(timetable).deserialize(data)  # type: ignore[attr-defined]
    assert again.range_start == START and again.range_end is None
    assert again.serialize() == data
    # Registered by the plugin, so every component can read them back from serialized DAGs
    # (end to end: tests/dags, a refused trigger needs the API server to read them).
    assert type(timetable) in HangarPlugin.timetables


@pytest.mark.parametrize(
    "timetable",
    [
        DatedCronDataIntervalTimetable("@daily", "UTC", range_start=START),
        CronDataIntervalTimetable("@daily", "UTC"),  # core, no range
        SdkCronDataIntervalTimetable("@daily", timezone="UTC"),  # what a DAG file declares
    ],
    ids=["dated", "core", "sdk"],
)
def test_latest_complete_interval_is_the_uis_now_interval_without_the_range_check(
    timetable: object,
) -> None:
    # Before the range: the dated timetable's manual-run check refuses; the schedule alone
    # still names the interval (the caller judges the range with its own reason).
    assert latest_complete_interval(timetable, pendulum.datetime(2026, 10, 15, 3)) == (
        pendulum.datetime(2026, 10, 14, tz="UTC"),
        pendulum.datetime(2026, 10, 15, tz="UTC"),
    )
    now = pendulum.datetime(2026, 12, 7, 9, 13, tz="UTC")
    expected = CronDataIntervalTimetable("@daily", "UTC").infer_manual_data_interval(run_after=now)
    assert latest_complete_interval(timetable, now) == expected
    assert expected == (pendulum.datetime(2026, 12, 6, tz="UTC"), pendulum.datetime(2026, 12, 7))


def test_the_unchecked_interval_of_a_dated_trigger_schedule() -> None:
    timetable = DatedCronTriggerTimetable(
        "0 8 * * *", timezone="UTC", interval=timedelta(hours=1), range_start=START
    )
    early = pendulum.datetime(2026, 10, 15, 9, tz="UTC")
    with pytest.raises(ValueError, match="history starts"):
        timetable.infer_manual_data_interval(run_after=early)
    assert latest_complete_interval(timetable, early) == (early - timedelta(hours=1), early)
