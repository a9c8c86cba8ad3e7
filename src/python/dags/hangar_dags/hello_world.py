"""
### Dynamic Airflow DAGs: `hello_world_<n>`, their number from the Variable `dag_number`

Change the Variable (UI → Admin → Variables, or `AIRFLOW_VAR_DAG_NUMBER`) and the next parse
after the secrets cache expires builds that many DAGs (default 10; removed ones go stale).
Each says hello with its number and the day its run was due.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import DAG, task

from hangar_plugins.defaults import default_task_args
from hangar_plugins.pipelines.dynamic import configured_dag_count

DAG_COUNT = configured_dag_count("dag_number", default=10)


def hello_world_dag(number: int) -> DAG:
    with DAG(
        dag_id=f"hello_world_{number}",
        schedule="@daily",
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        tags=["example", "dynamic"],
        default_args=default_task_args(owner="data-eng"),
        doc_md=__doc__,
    ) as dag:

        @task
        def say_hello(dag_run: Any = None) -> str:
            # run_after: when the run was due (manual runs have no data interval).
            return f"hello from DAG {number} for {dag_run.run_after:%Y-%m-%d}"

        say_hello()
    return dag


for _number in range(1, DAG_COUNT + 1):
    globals()[f"hello_world_{_number}"] = hello_world_dag(_number)

if __name__ == "__main__":
    hello_world_dag(1).test()
