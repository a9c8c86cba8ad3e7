"""Build one ingestion DAG per dataset file of ``config/datasets/`` (a new dataset is config)."""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import DAG, task
from airflow.sdk.definitions.timetables.interval import CronDataIntervalTimetable

from hangar_plugins.defaults import default_task_args
from hangar_plugins.ingestion.datasets import Dataset
from hangar_plugins.operators.warehouse_upsert import WarehouseUpsertOperator
from hangar_plugins.pipelines.intervals import run_interval
from hangar_plugins.pipelines.settings import LAKE_CONN_ID, lake_url

DOC = """
### Ingest `{name}`

{description}

1. `download_source`: `{url}` (HTTP connection `{conn}`) → `raw/{name}/<partition>/source.csv`
2. `convert_to_parquet`: typed Parquet → `parquet/{name}/<partition>/part-0.parquet`; malformed
   rows with line numbers and reasons → `quarantine/{name}/<partition>/bad_rows.csv`. Fails,
   loading nothing, when more than {share:.1%} of the rows are malformed.
3. `create_table` / `load_warehouse`: the day's rows in `{table}` replaced by the file's in one
   transaction (COPY; `hangar_partition` = the day; keys {keys}, a key another day holds moves).

Partitions are the data interval's start (`year=/month=/day=`); re-running a day is idempotent.
A run without a logical date loads the latest complete interval before it was triggered (its
task logs say which). History starts {start} (`start_date` in config/datasets/{name}.yaml): a run
for an earlier day fails, saying so.
"""


def build_ingestion_dag(dataset: Dataset) -> DAG:
    with DAG(
        dag_id=f"ingest_{dataset.name}",
        schedule=CronDataIntervalTimetable(dataset.schedule, timezone="UTC"),
        start_date=pendulum.instance(dataset.start_date),
        # Backfill past days deliberately (`airflow backfill create`), not on first deploy.
        catchup=False,
        max_active_runs=4,
        tags=["ingestion", f"dataset:{dataset.name}"],
        default_args=default_task_args(owner=dataset.owner),
        doc_md=DOC.format(
            name=dataset.name,
            description=dataset.description,
            url=dataset.url,
            conn=dataset.http_conn_id or "-",
            share=dataset.max_bad_share,
            keys=", ".join(dataset.keys),
            table=dataset.table,
            start=f"{dataset.start_date:%Y-%m-%d}",
        ),
    ) as dag:

        def _start_and_paths(context: Any) -> tuple[Any, Any]:
            from hangar_plugins.ingestion.tasks import interval_paths

            start, _ = run_interval(context)
            return start, interval_paths(lake_url(), dataset, start, conn_id=LAKE_CONN_ID)

        @task
        def download_source(**context: Any) -> dict[str, Any]:
            from hangar_plugins.ingestion import tasks as ingestion

            start, paths = _start_and_paths(context)
            url = ingestion.source_url(dataset, start)
            return ingestion.download(url, paths.raw, http_conn_id=dataset.http_conn_id)

        @task
        def convert_to_parquet(**context: Any) -> dict[str, Any]:
            from hangar_plugins.ingestion import tasks as ingestion

            start, paths = _start_and_paths(context)
            return {**ingestion.convert(dataset, paths), "partition": f"{start:%Y-%m-%d}"}

        @task
        def create_table() -> None:
            from hangar_plugins.hooks.warehouse import WarehouseHook
            from hangar_plugins.ingestion.tasks import create_table_sql

            WarehouseHook().create_serialized(table=dataset.table, ddl=create_table_sql(dataset))

        load = WarehouseUpsertOperator(
            task_id="load_warehouse",
            source="{{ ti.xcom_pull(task_ids='convert_to_parquet')['parquet'] }}",
            source_conn_id=LAKE_CONN_ID,
            table=dataset.table,
            keys=dataset.keys,
            partition="{{ ti.xcom_pull(task_ids='convert_to_parquet')['partition'] }}",
        )
        download_source() >> convert_to_parquet() >> create_table() >> load
    return dag
