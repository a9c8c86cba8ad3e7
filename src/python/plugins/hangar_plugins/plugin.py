"""The Airflow plugin that registers Hangar's extensions with every Airflow component."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from hangar_plugins.macros import partition_path


class HangarPlugin(AirflowPlugin):
    """Registers Hangar's macros as ``macros.hangar``."""

    name = "hangar"
    macros = [partition_path]
