from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest

from hangar_common.platform.api_client import AirflowApi
from hangar_plugins.pipelines.restart_failed import OPT_OUT_TAG, restart_failed_runs
from tests.support.airflow_api_double import AirflowApiDouble

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
UNTIL = datetime(2026, 11, 2, tzinfo=UTC)


def _runs(count: int) -> list[dict[str, str]]:
    return [
        {"dag_id": f"dag_{i % 3}", "dag_run_id": f"run_{i}", "end_date": f"2026-11-01T{i % 24:02}"}
        for i in range(count)
    ]


def test_every_page_of_failed_runs_is_cleared_except_opted_out_and_skipped() -> None:
    api = AirflowApiDouble()
    api.failed_runs = _runs(250)  # three pages of 100
    api.tagged[OPT_OUT_TAG] = ["dag_1"]
    report = restart_failed_runs(
        cast(AirflowApi, api), since=SINCE, until=UNTIL, dry_run=False, skip={"dag_2"}
    )
    pages = [params["offset"] for path, params in api.gets if path == "dags/~/dagRuns"]
    assert pages == [0, 100, 200]
    assert {dag for dag, _, _ in api.cleared} == {"dag_0"}
    assert len(report) == len(api.cleared) == 84  # i % 3 == 0 for i < 250
    assert report[0] == {
        "dag_id": "dag_0",
        "run_id": "run_0",
        "end_date": "2026-11-01T00",
        "tasks": ["load"],
        "dry_run": False,
    }


def test_dry_run_is_passed_through_and_an_empty_window_is_refused() -> None:
    api = AirflowApiDouble()
    api.failed_runs = _runs(2)
    restart_failed_runs(cast(AirflowApi, api), since=SINCE, until=UNTIL, dry_run=True, skip=set())
    assert [dry for _, _, dry in api.cleared] == [True, True]
    with pytest.raises(ValueError, match="empty window"):
        restart_failed_runs(
            cast(AirflowApi, api), since=UNTIL, until=SINCE, dry_run=True, skip=set()
        )
