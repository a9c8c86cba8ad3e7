"""Find DAG runs that failed in a window and clear their failed tasks through the REST API."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from hangar_common.platform.api_client import AirflowApi

OPT_OUT_TAG = "no-auto-restart"


@dataclass(frozen=True)
class ClearedRun:
    dag_id: str
    run_id: str
    end_date: str
    tasks: list[str]
    dry_run: bool


def opted_out(api: AirflowApi) -> set[str]:
    """DAGs tagged ``no-auto-restart``: never restarted automatically."""
    found = api.get("dags", tags=OPT_OUT_TAG, limit=1000)
    return {dag["dag_id"] for dag in found.get("dags", [])}


def failed_runs(api: AirflowApi, *, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Failed runs of every DAG that ended in ``[since, until)``, oldest first."""
    runs: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = api.get(
            "dags/~/dagRuns",
            state="failed",
            end_date_gte=since.isoformat(),
            end_date_lt=until.isoformat(),
            order_by="end_date",
            limit=100,
            offset=offset,
        )
        runs.extend(page.get("dag_runs", []))
        offset += 100
        if offset >= int(page.get("total_entries", 0)):
            return runs


def restart_failed_runs(
    api: AirflowApi, *, since: datetime, until: datetime, dry_run: bool, skip: set[str]
) -> list[dict[str, Any]]:
    """Clear the failed tasks of each failed run in the window (or, dry run, list them)."""
    if since >= until:
        raise ValueError(f"empty window: since {since} is not before until {until}")
    excluded = opted_out(api) | skip
    report = []
    for run in failed_runs(api, since=since, until=until):
        if run["dag_id"] in excluded:
            continue
        tasks = api.clear_run(run["dag_id"], run["dag_run_id"], dry_run=dry_run)
        report.append(
            asdict(ClearedRun(run["dag_id"], run["dag_run_id"], run["end_date"], tasks, dry_run))
        )
    return report
