"""Every task checks its run's dates first: a backfill day before the start fails, clearly."""

from __future__ import annotations

from types import SimpleNamespace

import pendulum
import pytest

from hangar_plugins.run_dates import RunOutsideDagRange, check_run_dates

DAG = SimpleNamespace(
    dag_id="ingest_sales", start_date=pendulum.datetime(2026, 11, 1, tz="UTC"), end_date=None
)


def _context(start: object, end: object, logical: object = None) -> dict[str, object]:
    return {
        "dag": DAG,
        "data_interval_start": start,
        "data_interval_end": end,
        "logical_date": logical or start,
        "dag_run": SimpleNamespace(run_after=end),
    }


def test_an_interval_inside_the_range_passes() -> None:
    check_run_dates(_context(pendulum.datetime(2026, 11, 1), pendulum.datetime(2026, 11, 2)))


def test_an_interval_before_the_start_fails_without_retries_naming_both_dates() -> None:
    with pytest.raises(RunOutsideDagRange, match="starts at 2026-11-01.*covers 2026-10-14"):
        check_run_dates(_context(pendulum.datetime(2026, 10, 14), pendulum.datetime(2026, 10, 15)))


def test_a_manual_run_without_a_logical_date_is_judged_by_when_it_was_due() -> None:
    context = _context(None, None)
    context["dag_run"] = SimpleNamespace(run_after=pendulum.datetime(2026, 11, 20))
    check_run_dates(context)
