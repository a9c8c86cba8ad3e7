"""Apply an :class:`EnvironmentSpec` through the REST API (the initialize_environment DAG).

The same file and the same parsing as ``./hangar init`` (which writes to the metadata DB before
any API server runs); tasks cannot touch the metadata DB in Airflow 3, so this path uses the
API as the `provisioner` user. Idempotent: pools and connections are made to match, variables
are created when absent. Connection passwords are write-only in the API, so a connection whose
other fields match is left alone (``./hangar init`` applies a changed password).
"""

from __future__ import annotations

import json
from typing import Any

from hangar_common.platform.api_client import AirflowApi
from hangar_common.platform.environment_spec import (
    EnvironmentSpec,
    environment_file,
    load_environment,
)
from hangar_common.settings import process_environ
from hangar_plugins.environment.report import ApplyReport

DEFAULT_POOL = "default_pool"


def apply_via_api(api: AirflowApi, spec: EnvironmentSpec) -> ApplyReport:
    report = ApplyReport()
    for pool in spec.pools:
        current = api.get_or_none(f"pools/{pool.name}")
        body = {"name": pool.name, "slots": pool.slots, "description": pool.description}
        if current is None:
            api.send("POST", "pools", body)
            report.created.append(f"pool {pool.name}")
        else:
            # Airflow lets only the slots of default_pool change (not its description).
            fields = ["slots"] if pool.name == DEFAULT_POOL else ["slots", "description"]
            wanted = {"slots": pool.slots, "description": pool.description}
            have = {"slots": current["slots"], "description": current.get("description") or ""}
            if all(have[f] == wanted[f] for f in fields):
                report.unchanged.append(f"pool {pool.name}")
            else:
                patch = {f: wanted[f] for f in fields}
                api.send("PATCH", f"pools/{pool.name}", patch, update_mask=fields)
                report.updated.append(f"pool {pool.name}")
    for conn in spec.connections:
        body = {
            "connection_id": conn.conn_id,
            "conn_type": conn.conn_type,
            "description": conn.description,
            "host": conn.host,
            "port": conn.port,
            "schema": conn.schema,
            "login": conn.login,
            "password": conn.password,
            "extra": _extra_json(conn.extra),
        }
        current = api.get_or_none(f"connections/{conn.conn_id}")
        if current is None:
            api.send("POST", "connections", body)
            report.created.append(f"connection {conn.conn_id}")
        elif _visible(current) == _visible(body):
            report.unchanged.append(f"connection {conn.conn_id}")
        else:
            api.send("PATCH", f"connections/{conn.conn_id}", body)
            report.updated.append(f"connection {conn.conn_id}")
    for key, value in spec.variables.items():
        if api.get_or_none(f"variables/{key}") is None:
            api.send("POST", "variables", {"key": key, "value": value})
            report.created.append(f"variable {key}")
        else:
            report.unchanged.append(f"variable {key}")
    return report


def _extra_json(extra: dict[str, Any]) -> str | None:
    return json.dumps(extra) if extra else None


def _visible(conn: dict[str, Any]) -> tuple[Any, ...]:
    extra = conn.get("extra")
    parsed = json.loads(extra) if isinstance(extra, str) and extra else (extra or {})
    return (
        conn.get("conn_type"),
        conn.get("description") or None,
        conn.get("host") or None,
        conn.get("port"),
        conn.get("schema") or None,
        conn.get("login") or None,
        parsed,
    )


def apply_configured_environment(api: AirflowApi) -> ApplyReport:
    """Apply the environment file this process is configured with (``HANGAR_ENVIRONMENT_FILE``,
    else ``config/environment.yaml`` of ``HANGAR_HOME``), its ``${...}`` from the environment."""
    environ = process_environ()
    return apply_via_api(api, load_environment(environment_file(environ), environ))
