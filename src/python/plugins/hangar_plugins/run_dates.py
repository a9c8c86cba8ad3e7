"""Honest run dates, checked by every task before it runs (a pre-execute hook).

Manual runs outside a DAG's range are refused when triggered (:mod:`hangar_plugins.timetables`);
backfills, though, get task instances for any day: there the first task fails with a clear
error, without retries, instead of loading days before the DAG's history starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowFailException

if TYPE_CHECKING:
    from airflow.sdk import DAG


class RunOutsideDagRange(AirflowFailException):
    """The run's dates lie outside the DAG's ``start_date``..``end_date``; nothing was run."""


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def check_run_dates(context: Any) -> None:
    """Fail unless the run's dates lie inside its DAG's range (a task's pre-execute hook)."""
    dag = context["dag"]
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    has_interval = start is not None and end is not None and start < end
    # What the run covers: its data interval, else its logical date, else when it was due.
    dag_run = context.get("dag_run")
    first = (start if has_interval else None) or context.get("logical_date")
    if first is None and dag_run is not None:
        first = dag_run.run_after
    last = (end if has_interval else None) or first
    if first is None:
        return
    if dag.start_date is not None and first < dag.start_date:
        raise RunOutsideDagRange(
            f"DAG {dag.dag_id} starts at {_when(dag.start_date)} and this run covers "
            f"{_when(first)}, before it: nothing was run. Pick a logical date on or after the "
            "start date, or move the DAG's start_date back (datasets: start_date in "
            "config/datasets/<name>.yaml) to load older history"
        )
    if dag.end_date is not None and last > dag.end_date:
        raise RunOutsideDagRange(
            f"DAG {dag.dag_id} ends at {_when(dag.end_date)} and this run covers "
            f"{_when(last)}, after it: nothing was run"
        )


def _chained(existing: Any) -> Any:
    if existing is None:
        return check_run_dates

    def both(context: Any) -> None:
        check_run_dates(context)
        existing(context)

    both.__hangar_run_dates__ = True  # type: ignore[attr-defined]
    return both


def guard_run_dates(dag: DAG) -> None:
    """Make every task of ``dag`` check its run's dates first."""
    for task in dag.tasks:
        if not hasattr(task, "_pre_execute_hook"):
            # A mapped task (its arguments are serialized for expansion; a hook is not):
            # the trigger-time refusal and its upstream tasks' checks still hold.
            continue
        hook = task._pre_execute_hook  # what the operator's `pre_execute=` argument sets
        if not _is_guarded(hook):
            task._pre_execute_hook = _chained(hook)


def _is_guarded(hook: Any) -> bool:
    return hook is check_run_dates or bool(getattr(hook, "__hangar_run_dates__", False))
