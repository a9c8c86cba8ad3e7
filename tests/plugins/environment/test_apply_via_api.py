from __future__ import annotations

from typing import Any, cast

from hangar_common.platform.api_client import AirflowApi
from hangar_common.platform.environment_spec import parse_environment
from hangar_plugins.environment.apply_via_api import apply_via_api
from tests.support.airflow_api_double import AirflowApiDouble

DOCUMENT: dict[str, Any] = {
    "pools": {
        "default_pool": {"slots": 16, "description": "Default pool"},
        "warehouse": {"slots": 4, "description": "loads"},
    },
    "connections": {"db": {"conn_type": "postgres", "host": "h", "port": 5432, "extra": {"a": 1}}},
    "variables": {"dag_number": "3"},
}


def _apply(api: AirflowApiDouble, document: dict[str, Any]) -> Any:
    return apply_via_api(cast(AirflowApi, api), parse_environment(document, {}))


def test_first_run_creates_and_second_run_changes_nothing() -> None:
    api = AirflowApiDouble({"pools/default_pool": {"slots": 128, "description": "Default pool"}})
    first = _apply(api, DOCUMENT)
    assert first.created == ["pool warehouse", "connection db", "variable dag_number"]
    assert first.updated == ["pool default_pool"]
    # Airflow lets only default_pool's slots change: the PATCH says so.
    assert ("PATCH", "pools/default_pool", {"slots": 16}, {"update_mask": ["slots"]}) in api.writes

    writes = len(api.writes)
    second = _apply(api, DOCUMENT)
    assert second.created == second.updated == []
    assert len(second.unchanged) == 4 and len(api.writes) == writes


def test_a_changed_connection_is_patched_and_an_operators_variable_is_kept() -> None:
    api = AirflowApiDouble()
    _apply(api, DOCUMENT)
    api.resources["variables/dag_number"] = {"key": "dag_number", "value": "7"}  # set in the UI
    changed = {**DOCUMENT, "connections": {"db": {**DOCUMENT["connections"]["db"], "host": "x"}}}
    report = _apply(api, changed)
    assert report.updated == ["connection db"]
    assert api.writes[-1][:2] == ("PATCH", "connections/db")
    assert "variable dag_number" in report.unchanged
    assert api.resources["variables/dag_number"]["value"] == "7"
