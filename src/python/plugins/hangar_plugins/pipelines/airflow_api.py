"""A REST client for tasks that manage Airflow itself (they cannot touch the metadata DB)."""

from __future__ import annotations

from hangar_common.platform.api_client import AirflowApi

# The maintenance DAGs' logins (config/environment.yaml), each with its own least-privilege role.
API_CONN_ID = "airflow_api"  # `maintenance`: reads and clears runs (restart_failed_runs)
PROVISIONER_CONN_ID = "airflow_api_provisioner"  # `provisioner`: pools, connections, variables


def api_from_connection(conn_id: str = API_CONN_ID) -> AirflowApi:
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    if not conn.host or not conn.login or not conn.password:
        raise ValueError(
            f"connection {conn_id} needs host (the API URL), login and password: "
            "run ./hangar init (it creates it from the secrets)"
        )
    base = conn.host if "://" in conn.host else f"{conn.schema or 'http'}://{conn.host}"
    if conn.port:
        base = f"{base}:{conn.port}"
    return AirflowApi(base, conn.login, conn.password)
