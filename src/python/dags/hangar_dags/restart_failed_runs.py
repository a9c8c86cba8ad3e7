"""
### Restart failed runs (maintenance Airflow DAG)

Finds DAG runs that failed in the data interval (manual runs: the `lookback_hours` before the
run) and clears their failed tasks through the REST API as the `maintenance` user (connection
`airflow_api`; tasks in Airflow 3 cannot touch the metadata DB). DAGs tagged `no-auto-restart`
are skipped. `dry_run` lists what would be cleared. The report is the task's XCom and log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, Param, task
from airflow.sdk.definitions.timetables.interval import CronDataIntervalTimetable

from hangar_plugins.defaults import default_task_args

with DAG(
    dag_id="restart_failed_runs",
    # Daily windows that do not overlap: each failed run is restarted once, automatically.
    schedule=CronDataIntervalTimetable("0 6 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["maintenance", "no-auto-restart"],
    default_args=default_task_args(owner="platform"),
    params={
        "dry_run": Param(False, type="boolean"),
        "lookback_hours": Param(24, type="integer", minimum=1, maximum=24 * 30),
    },
    doc_md=__doc__,
) as restart_failed_runs:

    @task
    def restart(
        params: dict[str, Any] | None = None,
        data_interval_start: Any = None,
        data_interval_end: Any = None,
        dag_run: Any = None,
        dag: Any = None,
    ) -> list[dict[str, Any]]:
        from hangar_plugins.pipelines.airflow_api import api_from_connection
        from hangar_plugins.pipelines.restart_failed import restart_failed_runs as restart_runs

        assert params is not None
        until, since = data_interval_end, data_interval_start
        if until is None or since == until:  # a manual run: look back from when it was due
            until = until or dag_run.run_after
            since = until - timedelta(hours=int(params["lookback_hours"]))
        report = restart_runs(
            api_from_connection(),
            since=since,
            until=until,
            dry_run=bool(params["dry_run"]),
            skip={dag.dag_id} if dag else set(),
        )
        for item in report:
            verb = "would clear" if item["dry_run"] else "cleared"
            print(f"{verb} {item['dag_id']} {item['run_id']}: {item['tasks']}")
        return report

    restart()

if __name__ == "__main__":
    restart_failed_runs.test()
