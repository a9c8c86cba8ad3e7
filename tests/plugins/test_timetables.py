"""Dated schedules refuse manual runs outside the DAG's range; they serialize round trip."""

from __future__ import annotations

import pendulum
import pytest

from hangar_plugins.plugin import HangarPlugin
from hangar_plugins.timetables import (
    DatedCronDataIntervalTimetable,
    DatedCronTriggerTimetable,
    check_range,
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
