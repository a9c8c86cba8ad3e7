"""
### initialize_environment (maintenance Airflow DAG)

Applies `config/environment.yaml` — pools, connections, variables — as `./hangar init` does,
through the REST API as the `provisioner` user (pools, connections and variables, nothing else). Idempotent: run it after editing the file.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, task

from hangar_plugins.defaults import default_task_args

with DAG(
    dag_id="initialize_environment",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["maintenance"],
    default_args=default_task_args(owner="platform"),
    doc_md=__doc__,
) as initialize_environment:

    @task
    def apply_environment() -> dict[str, list[str]]:
        from hangar_plugins.environment.apply_via_api import apply_configured_environment
        from hangar_plugins.pipelines.airflow_api import PROVISIONER_CONN_ID, api_from_connection

        report = apply_configured_environment(api_from_connection(PROVISIONER_CONN_ID))
        for line in report.lines():
            print(line)
        return {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}

    apply_environment()

if __name__ == "__main__":
    initialize_environment.test()
