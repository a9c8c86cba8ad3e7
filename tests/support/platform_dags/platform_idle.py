"""
### A DAG the platform suites leave paused

A triggered run stays queued and nothing runs: what the role tests trigger and clear.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, task

from hangar_plugins.defaults import default_task_args

with DAG(
    dag_id="platform_idle",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["test"],
    default_args=default_task_args(owner="platform"),
    doc_md=__doc__,
):

    @task
    def noop() -> None:
        return None

    noop()
