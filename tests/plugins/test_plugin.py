from __future__ import annotations

import pytest
from airflow.plugins_manager import AirflowPlugin

from hangar_plugins.bundles import rerun_latest
from hangar_plugins.macros import partition_path
from hangar_plugins.plugin import HangarPlugin


def test_plugin_registers_hangar_macros() -> None:
    assert issubclass(HangarPlugin, AirflowPlugin)
    assert HangarPlugin.name == "hangar"
    assert partition_path in HangarPlugin.macros


def test_plugin_adds_the_hangar_page_to_the_ui_nav(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = []  # the API server's clear fix; not patched into this shared test process
    monkeypatch.setattr(rerun_latest, "install", lambda: installed.append(True))
    plugin = HangarPlugin()
    [view] = plugin.external_views
    assert (view["href"], view["destination"], view["url_route"]) == ("hangar/", "nav", "hangar")
    [app] = plugin.fastapi_apps
    assert app["url_prefix"] == "/hangar"
    assert installed == [True]


def test_the_page_refuses_requests_without_credentials() -> None:
    from fastapi.testclient import TestClient

    from hangar_plugins.ui.app import app

    client = TestClient(app)
    for path in ("/", "/status.json"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Not authenticated"}
