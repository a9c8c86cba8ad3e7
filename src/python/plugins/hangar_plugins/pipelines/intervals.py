"""The data interval a task of an interval pipeline processes, the same for every task of a run.

A run with a logical date has its data interval (Airflow infers it from the schedule when the
run is triggered). A run triggered without one (``{"logical_date": null}``, what REST clients
send when no date is given) has none: Airflow 3 requires ``data_interval`` to be ``None`` when
``logical_date`` is (``SerializedDAG.create_dagrun``, ``DagRun.__init__``), and leaves
``data_interval_*`` out of such a run's template context. Such a run processes the interval the
UI's *now* would have given it: the latest complete interval of the DAG's schedule before the
run's ``run_after``. ``run_after`` is stored with the run, so every task (and every retry or
re-run) derives the same interval, and each says in its log which one it took.

Task code calls :func:`run_interval` with its context; templated fields use the same through
``{{ macros.hangar.data_interval().start }}`` (:func:`hangar_plugins.macros.data_interval`), as
``{{ data_interval_start }}`` is undefined in a dateless run's templates. Never ``now()`` in
task logic.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowFailException

from hangar_plugins.run_dates import RunOutsideDagRange

if TYPE_CHECKING:
    from airflow.timetables.base import DataInterval

log = logging.getLogger(__name__)

# Task instances (ids) whose log already names their derived interval: one line per task, even
# when a template asks for the interval twice (start and end).
_announced: set[Any] = set()


class RunWithoutInterval(AirflowFailException):
    """The run has no data interval and its schedule gives none; retrying cannot help."""


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def run_interval(context: Mapping[str, Any]) -> DataInterval:
    """``(start, end)`` of the data interval the run of ``context`` processes.

    The run's own interval when it has one; for a run without a logical date, the latest
    complete interval of the DAG's schedule before the run's ``run_after`` (logged once per
    task). Raises :class:`~hangar_plugins.run_dates.RunOutsideDagRange` when that interval lies
    outside the DAG's ``start_date``..``end_date`` and :class:`RunWithoutInterval` when the
    schedule has no intervals; both fail the task without retries.
    """
    from airflow.timetables.base import DataInterval

    from hangar_plugins.timetables import latest_complete_interval

    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None:
        return DataInterval(start, end)
    dag, dag_run = context["dag"], context["dag_run"]
    run_after = dag_run.run_after
    interval = latest_complete_interval(dag.timetable, run_after)
    if not interval.start < interval.end:
        raise RunWithoutInterval(
            f"DAG {dag.dag_id} processes data intervals, this run has none (no logical date) "
            "and its schedule gives none to derive: trigger it with a logical date (UI: Logical "
            "date; REST: logical_date), or use `airflow backfill create`"
        )
    _check_range(dag, interval, run_after)
    ti = context.get("ti")
    key = getattr(ti, "id", None) or (dag.dag_id, dag_run.run_id, getattr(ti, "task_id", None))
    if key not in _announced:
        _announced.add(key)
        log.info(
            "run without a logical date: processing the latest complete interval %s → %s "
            "(before run_after %s)",
            _when(interval.start),
            _when(interval.end),
            _when(run_after),
        )
    return interval


def _check_range(dag: Any, interval: DataInterval, run_after: datetime) -> None:
    took = (
        f"run without a logical date of DAG {dag.dag_id}: the latest complete interval before "
        f"its run_after ({_when(run_after)}) is {_when(interval.start)} → {_when(interval.end)}"
    )
    if dag.start_date is not None and interval.start < dag.start_date:
        raise RunOutsideDagRange(
            f"{took}, before the DAG's history starts ({_when(dag.start_date)}, its "
            "start_date): nothing was run. Trigger it again once an interval starting on or "
            "after the start date has completed, or with a logical date on or after it; or move "
            "start_date back (datasets: config/datasets/<name>.yaml) to load older history"
        )
    if dag.end_date is not None and interval.start > dag.end_date:
        raise RunOutsideDagRange(
            f"{took}, after the DAG ends ({_when(dag.end_date)}, its end_date): nothing was run. "
            "Trigger it with a logical date inside the DAG's range"
        )
