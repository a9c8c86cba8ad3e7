"""
### Housekeeping (maintenance Airflow DAGs)

Three daily DAGs that keep the platform's storage bounded, as the official Helm chart's cleanup
job and log groomer do. Each is idempotent and reports what it removed (task log and return
value); trigger one with `dry_run` to see what it would remove.

- `housekeeping_metadata_db`: `airflow db clean` semantics — rows older than `retention_days`
  (default `HANGAR_DB_RETENTION_DAYS`), without archive tables; the last scheduled run of each
  DAG is kept.
- `housekeeping_task_logs`: task-log files and remote log objects older than `retention_days`
  (default `HANGAR_LOG_RETENTION_DAYS`).
- `housekeeping_bundle_store`: deployed bundle versions beyond the newest `keep` (default
  `HANGAR_BUNDLE_VERSIONS_KEPT`), except the current, the previous and any a run references.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param, task

from hangar_common.settings import current
from hangar_plugins.defaults import default_task_args

COMMON = {
    "start_date": pendulum.datetime(2026, 1, 1, tz="UTC"),
    "catchup": False,
    "max_active_runs": 1,
    "tags": ["maintenance"],
    "default_args": default_task_args(owner="platform"),
    "doc_md": __doc__,
}


def _dry_run() -> Param:
    return Param(False, type="boolean", description="Report what would go; delete nothing.")


with DAG(
    dag_id="housekeeping_metadata_db",
    params={
        "retention_days": Param(current("db_retention_days"), type="integer", minimum=1),
        "dry_run": _dry_run(),
    },
    schedule="@daily",
    **COMMON,
) as housekeeping_metadata_db:

    @task
    def clean_metadata_db(params: dict | None = None) -> dict:
        from hangar_plugins.housekeeping.tasks import clean_metadata_db

        assert params is not None
        return clean_metadata_db(
            retention_days=int(params["retention_days"]), dry_run=bool(params["dry_run"])
        )

    clean_metadata_db()

with DAG(
    dag_id="housekeeping_task_logs",
    params={
        "retention_days": Param(current("log_retention_days"), type="integer", minimum=1),
        "dry_run": _dry_run(),
    },
    schedule="@daily",
    **COMMON,
):

    @task
    def prune_task_logs(params: dict | None = None) -> list:
        from hangar_plugins.housekeeping.tasks import prune_task_logs

        assert params is not None
        return prune_task_logs(
            retention_days=int(params["retention_days"]), dry_run=bool(params["dry_run"])
        )

    prune_task_logs()

with DAG(
    dag_id="housekeeping_bundle_store",
    params={
        "keep": Param(current("bundle_versions_kept"), type="integer", minimum=1),
        "dry_run": _dry_run(),
    },
    schedule="@daily",
    **COMMON,
):

    @task
    def prune_bundle_store(params: dict | None = None) -> dict:
        from hangar_plugins.housekeeping.tasks import prune_bundle_store

        assert params is not None
        return prune_bundle_store(keep=int(params["keep"]), dry_run=bool(params["dry_run"]))

    prune_bundle_store()

if __name__ == "__main__":
    housekeeping_metadata_db.test(run_conf={"dry_run": True})
