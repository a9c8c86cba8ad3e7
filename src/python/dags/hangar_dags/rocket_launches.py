"""
### Rocket launches (Airflow DAG)

Fetches upcoming launches from the Launch Library 2 API (HTTP connection `launches_api`),
keeps the answer and every launch image under `launches/<partition>/` in object storage, and
posts a summary to Slack (`slack` connection, channel from `slack:` tag / default).
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import DAG, task

from hangar_plugins.defaults import default_task_args

with DAG(
    dag_id="rocket_launches",
    schedule="0 8 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "http", "slack:#launches"],
    default_args=default_task_args(owner="data-eng"),
    doc_md=__doc__,
) as rocket_launches:

    def _folder(dag_run: Any) -> Any:
        # Partitioned by when the run was due (run_after): manual runs have no logical date.
        from hangar_plugins.pipelines.settings import partition_folder

        return partition_folder("launches", dag_run.run_after)

    @task
    def fetch(dag_run: Any = None) -> list[dict[str, Any]]:
        from hangar_plugins.pipelines.launches import fetch_launches

        return fetch_launches("launches_api", _folder(dag_run) / "launches.json")

    @task
    def download(launches: list[dict[str, Any]], dag_run: Any = None) -> list[str]:
        from hangar_plugins.pipelines.launches import download_images

        return download_images(launches, _folder(dag_run) / "images", http_conn_id="launches_api")

    @task
    def notify(
        launches: list[dict[str, Any]], images: list[str], dag_run: Any = None, dag: Any = None
    ) -> None:
        from airflow.providers.slack.notifications.slack import SlackNotifier

        from hangar_plugins.alerts import config
        from hangar_plugins.alerts.messages import channel_for
        from hangar_plugins.pipelines.launches import summary

        text = summary(launches, images, f"{dag_run.run_after:%Y-%m-%d}")
        if not config.slack_enabled():
            print(f"Slack is not configured (HANGAR_SLACK_TOKEN); the summary:\n{text}")
            return
        channel = channel_for(tags=dag.tags, params=None, default=config.default_channel())
        SlackNotifier(slack_conn_id=config.SLACK_CONN_ID, channel=channel, text=text).notify({})

    launches = fetch()
    notify(launches, download(launches))

if __name__ == "__main__":
    rocket_launches.test()
