"""Schedules that know their DAG's date range: a manual run outside it is refused.

Airflow creates no task instances for a run whose logical date lies before the DAG's
``start_date``, so such a run would end ``success`` with nothing done. The cluster policy
(:func:`date_schedule`) swaps each DAG's cron timetable for one of these subclasses, which add
the range to what the timetable already does: triggering outside it answers HTTP 400 with the
reason (the REST API turns the timetable's ``ValueError`` into one), and the run is never made.
They are registered by :class:`hangar_plugins.plugin.HangarPlugin`, so every component can read
them back from the serialized DAG.

A run triggered without a logical date gets no data interval from Airflow (nor any call to the
timetable); :func:`latest_complete_interval` names the one its tasks process
(:mod:`hangar_plugins.pipelines.intervals`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow.timetables.interval import CronDataIntervalTimetable
from airflow.timetables.trigger import CronTriggerTimetable

if TYPE_CHECKING:
    from airflow.sdk import DAG
    from airflow.timetables.base import DataInterval
    from pendulum import DateTime


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def check_range(covers: datetime, start: datetime | None, end: datetime | None) -> None:
    """Raise ``ValueError`` saying why a run covering ``covers`` lies outside the range."""
    if start is not None and covers < start:
        raise ValueError(
            f"this DAG's history starts {_day(start)} (its start_date) and the run would cover "
            f"{_day(covers)}: Airflow would run no task for it. Pick a logical date on or after "
            "the start date, or move start_date back to load older history"
        )
    if end is not None and covers > end:
        raise ValueError(
            f"this DAG ends {_day(end)} (its end_date) and the run would cover {_day(covers)}"
        )


class _DateRange:
    """The range part shared by both timetables: kept, serialized, checked."""

    range_start: datetime | None
    range_end: datetime | None

    def _range(self) -> dict[str, Any]:
        return {
            "range_start": self.range_start.isoformat() if self.range_start else None,
            "range_end": self.range_end.isoformat() if self.range_end else None,
        }

    @staticmethod
    def _read_range(data: dict[str, Any]) -> dict[str, datetime | None]:
        from pendulum import parse

        return {
            key: (parse(data[key]) if data.get(key) else None)  # type: ignore[misc]
            for key in ("range_start", "range_end")
        }


class DatedCronDataIntervalTimetable(_DateRange, CronDataIntervalTimetable):
    """``CronDataIntervalTimetable`` refusing manual runs whose data interval starts outside
    ``range_start``..``range_end``."""

    def __init__(
        self,
        cron: str,
        timezone: Any,
        *,
        range_start: datetime | None = None,
        range_end: datetime | None = None,
    ) -> None:
        super().__init__(cron, timezone)
        self.range_start, self.range_end = range_start, range_end

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        interval = self.unchecked_manual_data_interval(run_after=run_after)
        check_range(interval.start, self.range_start, self.range_end)
        return interval

    def unchecked_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        """What the cron schedule alone gives (the latest complete interval), unchecked."""
        return super().infer_manual_data_interval(run_after=run_after)

    def serialize(self) -> dict[str, Any]:
        return {**super().serialize(), **self._range()}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> DatedCronDataIntervalTimetable:
        from airflow._shared.timezones.timezone import parse_timezone

        return cls(data["expression"], parse_timezone(data["timezone"]), **cls._read_range(data))


class DatedCronTriggerTimetable(_DateRange, CronTriggerTimetable):
    """``CronTriggerTimetable`` refusing manual runs whose logical date lies outside
    ``range_start``..``range_end``."""

    def __init__(
        self,
        cron: str,
        *,
        timezone: Any,
        interval: Any = None,
        run_immediately: Any = False,
        range_start: datetime | None = None,
        range_end: datetime | None = None,
    ) -> None:
        from datetime import timedelta

        super().__init__(
            cron,
            timezone=timezone,
            interval=interval if interval is not None else timedelta(),
            run_immediately=run_immediately,
        )
        self.range_start, self.range_end = range_start, range_end

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        interval = self.unchecked_manual_data_interval(run_after=run_after)
        check_range(interval.end, self.range_start, self.range_end)
        return interval

    def unchecked_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        """What the cron schedule alone gives (``interval`` back from run_after), unchecked."""
        return super().infer_manual_data_interval(run_after=run_after)

    def serialize(self) -> dict[str, Any]:
        return {**super().serialize(), **self._range()}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> DatedCronTriggerTimetable:
        from airflow._shared.timezones.timezone import parse_timezone
        from airflow.serialization.decoders import decode_interval, decode_run_immediately

        return cls(
            data["expression"],
            timezone=parse_timezone(data["timezone"]),
            interval=decode_interval(data["interval"]),
            run_immediately=decode_run_immediately(data.get("run_immediately", False)),
            **cls._read_range(data),
        )


def latest_complete_interval(timetable: Any, run_after: datetime) -> DataInterval:
    """The data interval a manual run due at ``run_after`` covers by the schedule alone: for a
    cron data-interval schedule, the latest interval that ended at or before ``run_after``
    (what the UI's *now* as the logical date gives). The DAG's date range is not checked.

    ``timetable`` is a DAG's: a dated one (the cluster policy's), a core one, or the Task SDK
    one a DAG file declares (converted as Airflow's own ``dag.test()`` does).
    """
    from airflow.sdk import timezone
    from airflow.serialization.encoders import coerce_to_core_timetable

    due = timezone.coerce_datetime(run_after)
    if isinstance(timetable, (DatedCronDataIntervalTimetable, DatedCronTriggerTimetable)):
        return timetable.unchecked_manual_data_interval(run_after=due)
    return coerce_to_core_timetable(timetable).infer_manual_data_interval(run_after=due)


def date_schedule(dag: DAG) -> None:
    """Swap ``dag``'s cron timetable for its dated twin (other timetables are kept as they are;
    a DAG without a schedule has no date range: its manual runs are always made whole)."""
    from airflow.sdk.definitions.timetables.interval import (
        CronDataIntervalTimetable as SdkCronDataInterval,
    )
    from airflow.sdk.definitions.timetables.simple import NullTimetable
    from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable as SdkCronTrigger

    timetable = dag.timetable
    dates = {"range_start": dag.start_date, "range_end": dag.end_date}
    if type(timetable) is SdkCronDataInterval:
        dag.timetable = DatedCronDataIntervalTimetable(
            timetable.expression, timetable.timezone, **dates
        )
    elif type(timetable) is SdkCronTrigger:
        dag.timetable = DatedCronTriggerTimetable(
            timetable.expression,
            timezone=timetable.timezone,
            interval=timetable.interval,
            run_immediately=timetable.run_immediately,
            **dates,
        )
    elif type(timetable) is NullTimetable:
        # Manual-only: a start date would only make Airflow skip every task of an older run.
        dag.start_date = None
        for task in dag.tasks:
            task.start_date = None
