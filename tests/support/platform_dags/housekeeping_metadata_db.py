"""
### Metadata DB housekeeping (the platform suites' copy)

The library's `housekeeping_metadata_db` (id, params, task): `airflow db clean` semantics through
`hangar_plugins.housekeeping.tasks.clean_metadata_db`, from a task process (which has no
metadata DB connection of its own).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param, task

from hangar_plugins.defaults import default_task_args

with DAG(
    dag_id="housekeeping_metadata_db",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["maintenance", "test"],
    default_args=default_task_args(owner="platform"),
    params={
        "retention_days": Param(90, type="integer", minimum=1),
        "dry_run": Param(False, type="boolean"),
    },
    doc_md=__doc__,
):

    @task
    def clean_metadata_db(params: dict | None = None) -> dict:
        from hangar_plugins.housekeeping.tasks import clean_metadata_db

        assert params is not None
        return clean_metadata_db(
            retention_days=int(params["retention_days"]), dry_run=bool(params["dry_run"])
        )

    clean_metadata_db()
