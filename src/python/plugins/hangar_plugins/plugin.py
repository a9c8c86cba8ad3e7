"""The Airflow plugin that registers Hangar's extensions with every Airflow component."""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

from hangar_plugins.macros import data_interval, partition_path
from hangar_plugins.timetables import DatedCronDataIntervalTimetable, DatedCronTriggerTimetable


def _fastapi_apps() -> list[dict[str, Any]]:
    # Imported lazily: only the API server serves the page; workers load macros only.
    from hangar_plugins.bundles.rerun_latest import install
    from hangar_plugins.ui.app import URL_PREFIX, app

    # The API server clears runs (REST and UI): "run with latest bundle version" must move a
    # running run's bundle version too (apache/airflow #67657; see rerun_latest).
    install()

    return [{"app": app, "url_prefix": URL_PREFIX, "name": "Hangar"}]


class HangarPlugin(AirflowPlugin):
    """Registers Hangar's macros (``macros.hangar``), timetables and the Hangar page."""

    name = "hangar"
    macros = [partition_path, data_interval]
    # The dated schedules the cluster policy gives DAGs: every component must read them back.
    timetables = [DatedCronDataIntervalTimetable, DatedCronTriggerTimetable]
    external_views = [
        {
            "name": "Hangar",
            # Relative (no leading slash): resolved against the UI's base URL.
            "href": "hangar/",
            "destination": "nav",
            "url_route": "hangar",
        }
    ]

    @property
    def fastapi_apps(self) -> list[dict[str, Any]]:  # type: ignore[override]
        return _fastapi_apps()
