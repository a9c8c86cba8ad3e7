from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from hangar_plugins.macros import partition_path
from hangar_plugins.plugin import HangarPlugin


def test_plugin_registers_hangar_macros() -> None:
    assert issubclass(HangarPlugin, AirflowPlugin)
    assert HangarPlugin.name == "hangar"
    assert partition_path in HangarPlugin.macros
