"""
### Workers on more hosts (the platform suites' DAG)

`chunks` mapped tasks each write `rows` warehouse rows for their chunk, replacing what an
earlier try of the same chunk wrote, in one transaction: a run whose tasks were lost, retried on
another host or run twice still leaves exactly `chunks` x `rows` rows. The table has no key, so
a duplicate would show. `work_seconds` holds the first try of each chunk (the window a test
takes a host away in).
"""

from __future__ import annotations

import socket
import time

import pendulum
from airflow.sdk import dag, task

from hangar_plugins.defaults import default_task_args
from hangar_plugins.hooks.warehouse import WarehouseHook

TABLE = "scale_out.chunk_rows"


@dag(
    dag_id="platform_scale_out",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=4,
    params={"chunks": 8, "rows": 100, "work_seconds": 0},
    default_args=default_task_args(owner="platform", retries=3),
    tags=["platform", "test"],
    doc_md=__doc__,
)
def platform_scale_out():
    @task
    def create_table() -> None:
        WarehouseHook().create_serialized(
            table=TABLE,
            ddl=(
                "CREATE SCHEMA IF NOT EXISTS scale_out; CREATE TABLE IF NOT EXISTS "
                f"{TABLE} (run_id text, chunk int, n int, host text, try_number int)"
            ),
        )

    @task
    def plan(params=None) -> list[int]:
        return list(range(int(params["chunks"])))

    @task
    def write_chunk(chunk: int, params=None, run_id=None, ti=None) -> str:
        if ti.try_number == 1:
            time.sleep(float(params["work_seconds"]))
        host = socket.gethostname()
        WarehouseHook().run(
            [
                f"DELETE FROM {TABLE} WHERE run_id = %(run_id)s AND chunk = %(chunk)s",
                f"INSERT INTO {TABLE} SELECT %(run_id)s, %(chunk)s, n, %(host)s, %(try)s "
                "FROM generate_series(1, %(rows)s) AS n",
            ],
            autocommit=False,
            parameters={
                "run_id": run_id,
                "chunk": chunk,
                "host": host,
                "try": ti.try_number,
                "rows": int(params["rows"]),
            },
        )
        return host

    create_table() >> write_chunk.expand(chunk=plan())


platform_scale_out()
