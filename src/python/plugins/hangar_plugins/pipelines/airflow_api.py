"""A REST client for tasks that manage Airflow itself (they cannot touch the metadata DB)."""

from __future__ import annotations

from hangar_common.platform.api_client import AirflowApi

API_CONN_ID = "airflow_api"  # the `maintenance` user's login (config/environment.yaml)


def api_from_connection(conn_id: str = API_CONN_ID) -> AirflowApi:
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    if not conn.host or not conn.login or not conn.password:
        raise ValueError(
            f"connection {conn_id} needs host (the API URL), login and password: "
            "run ./hangar init (it creates it for the `maintenance` user)"
        )
    base = conn.host if "://" in conn.host else f"{conn.schema or 'http'}://{conn.host}"
    if conn.port:
        base = f"{base}:{conn.port}"
    return AirflowApi(base, conn.login, conn.password)
