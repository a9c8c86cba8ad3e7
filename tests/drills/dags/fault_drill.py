"""The fault drills' pipeline, deployed as a bundle version: stage rows as Parquet in the lake,
hold (the window a drill injects its fault in), load them into the warehouse idempotently."""

from __future__ import annotations

import time

import pendulum
from airflow.sdk import dag, task

from hangar_plugins.defaults import default_task_args
from hangar_plugins.hooks.warehouse import WarehouseHook
from hangar_plugins.operators.warehouse_upsert import WarehouseUpsertOperator

ROWS = 1_000
TABLE = "drills.events"


@dag(
    dag_id="fault_drill",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=16,
    params={"hold_s": 15},
    default_args=default_task_args(owner="platform", retries=3),
    tags=["test"],
    doc_md="Stages 1,000 rows, holds, loads them: a drill's fault lands during the hold.",
)
def fault_drill():
    @task
    def create_table() -> None:
        WarehouseHook().create_serialized(
            table=TABLE,
            ddl=(
                "CREATE SCHEMA IF NOT EXISTS drills; CREATE TABLE IF NOT EXISTS drills.events "
                "(run_id text, event_id bigint, PRIMARY KEY (run_id, event_id))"
            ),
        )

    @task
    def stage(params=None, run_id=None, ti=None) -> str:
        import pyarrow as pa
        import pyarrow.parquet as pq
        from airflow.sdk import ObjectStoragePath

        name = "".join(c if c.isalnum() else "_" for c in run_id)
        path = ObjectStoragePath(
            f"s3://hangar-lake/drills/{name}.parquet", conn_id="object_storage"
        )
        rows = pa.table(
            {
                "run_id": [run_id] * ROWS,
                "event_id": list(range(ROWS)),
            }
        )
        with path.open("wb") as handle:
            pq.write_table(rows, handle)
        if ti.try_number == 1:  # the fault window: the retry after a fault does not wait again
            time.sleep(int(params["hold_s"]))
        return str(path)

    load = WarehouseUpsertOperator(
        task_id="load",
        source="{{ ti.xcom_pull(task_ids='stage') }}",
        table=TABLE,
        keys=["run_id", "event_id"],
    )
    create_table() >> stage() >> load


fault_drill()
