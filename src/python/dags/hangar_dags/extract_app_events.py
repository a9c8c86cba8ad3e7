"""
### Extract `app_events` incrementally (PostgreSQL → Parquet, Airflow DAG)

Each run copies the source rows whose `occurred_at` falls in its data interval to
`extracts/app_events/<partition>/part-0.parquet` (server-side cursor, bounded batches). A
re-run replaces the interval's file; a failed run leaves the previous one. A run without a logical
date copies the latest complete day before it was triggered (its log says which).
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import DAG, task
from airflow.sdk.definitions.timetables.interval import CronDataIntervalTimetable

from hangar_plugins.defaults import default_task_args

SOURCE_TABLE = "public.app_events"
WATERMARK = "occurred_at"

with DAG(
    dag_id="extract_app_events",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    tags=["extraction", "source_db"],
    default_args=default_task_args(owner="data-eng"),
    doc_md=__doc__,
) as extract_app_events:

    @task
    def extract(**context: Any) -> dict[str, Any]:
        from hangar_plugins.pipelines.extract import extract_interval
        from hangar_plugins.pipelines.intervals import run_interval
        from hangar_plugins.pipelines.settings import partition_folder

        start, end = run_interval(context)
        return extract_interval(
            conn_id="source_db",
            table=SOURCE_TABLE,
            watermark=WATERMARK,
            start=start,
            end=end,
            destination=partition_folder("extracts/app_events", start) / "part-0.parquet",
        )

    extract()

if __name__ == "__main__":
    extract_app_events.test()
