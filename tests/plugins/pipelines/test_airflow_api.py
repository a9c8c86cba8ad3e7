from __future__ import annotations

import json

import pytest

from hangar_plugins.pipelines import airflow_api


class _Recorder:
    calls: list[tuple[str, str, str]] = []

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.calls.append((base_url, username, password))


@pytest.mark.parametrize(
    ("connection", "base_url"),
    [
        ({"host": "http://api.internal:8080"}, "http://api.internal:8080"),
        ({"host": "api.internal", "port": 9090}, "http://api.internal:9090"),
        ({"host": "api.internal", "schema": "https"}, "https://api.internal"),
    ],
)
def test_the_connection_becomes_the_clients_login(
    monkeypatch: pytest.MonkeyPatch, connection: dict[str, object], base_url: str
) -> None:
    conn = {"conn_type": "http", "login": "maintenance", "password": "pw", **connection}
    monkeypatch.setenv("AIRFLOW_CONN_AIRFLOW_API", json.dumps(conn))
    monkeypatch.setattr(airflow_api, "AirflowApi", _Recorder)
    _Recorder.calls = []
    airflow_api.api_from_connection()
    assert _Recorder.calls == [(base_url, "maintenance", "pw")]


def test_a_connection_without_login_says_how_to_fix_it(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {"conn_type": "http", "host": "http://api:8080", "login": "maintenance"}
    monkeypatch.setenv("AIRFLOW_CONN_AIRFLOW_API", json.dumps(conn))
    with pytest.raises(ValueError, match="needs host .* login and password: run ./hangar init"):
        airflow_api.api_from_connection()
