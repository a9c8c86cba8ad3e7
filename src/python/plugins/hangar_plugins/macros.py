"""Template macros that Hangar registers with Airflow (``{{ macros.hangar.<name>(...) }}``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jinja2 import pass_context

if TYPE_CHECKING:
    from airflow.timetables.base import DataInterval


def partition_path(interval_start: datetime, *, granularity: str = "day") -> str:
    """Hive-style partition folder for a data interval, e.g. ``year=2026/month=11/day=21``.

    Partitions are named after the interval's start in UTC, so a re-run of the same interval
    writes to the same place (idempotence) whatever the scheduler's timezone.

    :param interval_start: the data interval start (timezone-aware).
    :param granularity: ``"year"``, ``"month"``, ``"day"`` or ``"hour"``.
    """
    if interval_start.tzinfo is None:
        raise ValueError("interval_start must be timezone-aware (use data_interval_start)")
    levels = ("year", "month", "day", "hour")
    if granularity not in levels:
        raise ValueError(f"granularity must be one of {', '.join(levels)}; got {granularity!r}")
    utc = interval_start.astimezone(UTC)
    values = {"year": f"{utc.year:04d}", "month": f"{utc.month:02d}", "day": f"{utc.day:02d}"}
    values["hour"] = f"{utc.hour:02d}"
    depth = levels.index(granularity) + 1
    return "/".join(f"{level}={values[level]}" for level in levels[:depth])


@pass_context
def data_interval(context: Any) -> DataInterval:
    """The data interval the run processes, in a template: ``{{
    macros.hangar.data_interval().start | ds }}``.

    The run's own interval, or for a run without a logical date (whose templates have no
    ``data_interval_start``) the latest complete interval of the schedule before its
    ``run_after``: what every task of the run derives
    (:func:`hangar_plugins.pipelines.intervals.run_interval`).
    """
    from hangar_plugins.pipelines.intervals import run_interval

    return run_interval(context)
