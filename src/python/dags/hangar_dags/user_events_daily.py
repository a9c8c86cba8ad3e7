"""
### User events, daily (incremental Airflow DAG with backfill)

Aggregates `app_events` of the source database for one data interval (templated bounds, bound
as query parameters) into one Parquet partition (`marts/user_events_daily/<partition>/`) and
the warehouse table `marts.user_events_daily`. Re-running a day is idempotent. A run without a
logical date aggregates the latest complete day before it was triggered (its logs say which).

Backfill a past range (runs one interval each, oldest first):

    airflow backfill create --dag-id user_events_daily \\
        --from-date 2026-11-01 --to-date 2026-11-07 --max-active-runs 2
    # or REST: POST /api/v2/backfills {"dag_id": "user_events_daily",
    #          "from_date": "2026-11-01T00:00:00Z", "to_date": "2026-11-07T00:00:00Z"}
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG, task
from airflow.sdk.definitions.timetables.interval import CronDataIntervalTimetable

from hangar_plugins.defaults import default_task_args
from hangar_plugins.pipelines.user_events import AGGREGATE_SQL

with DAG(
    dag_id="user_events_daily",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    # New intervals run as they close; past ones only through an explicit backfill.
    catchup=False,
    max_active_runs=3,
    tags=["events", "incremental"],
    default_args=default_task_args(owner="analytics"),
    doc_md=__doc__,
) as user_events_daily:
    aggregate_events = SQLExecuteQueryOperator(
        task_id="aggregate_events",
        conn_id="source_db",
        sql=AGGREGATE_SQL,
        # The run's interval, also for a run without a logical date (no data_interval_start).
        parameters={
            "start": "{{ macros.hangar.data_interval().start }}",
            "end": "{{ macros.hangar.data_interval().end }}",
        },
    )

    @task
    def publish(rows: list[list[Any]], **context: Any) -> dict[str, Any]:
        from hangar_plugins.pipelines.intervals import run_interval
        from hangar_plugins.pipelines.settings import partition_folder
        from hangar_plugins.pipelines.user_events import publish_day

        start, _ = run_interval(context)
        return publish_day(
            rows,
            day=start.date(),
            destination=partition_folder("marts/user_events_daily", start) / "part-0.parquet",
            warehouse_conn_id="warehouse",
        )

    publish(aggregate_events.output)

if __name__ == "__main__":
    user_events_daily.test()
