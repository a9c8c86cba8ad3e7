"""The data interval a task processes, with a clear error when a run has none."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk.exceptions import AirflowFailException


class RunWithoutInterval(AirflowFailException):
    """The run has no data interval; retrying cannot give it one (fails without retries)."""


def require_interval(start: Any, end: Any) -> tuple[datetime, datetime]:
    """``(start, end)`` of the run's data interval; runs triggered without a logical date have
    none, and interval pipelines must not guess one (never ``now()`` in task logic)."""
    if start is None or end is None:
        raise RunWithoutInterval(
            "this DAG processes data intervals and the run has none: trigger it with a logical "
            "date (UI: Logical date; REST: logical_date), or use `airflow backfill create`"
        )
    return start, end
