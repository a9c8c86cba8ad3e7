"""Read the metadata DB's pools, connections and variables for ``./hangar env export``.

Runs in a process started by the Hangar entrypoint (Airflow settings in its environment), the
way :mod:`hangar_plugins.environment.apply_to_db` does: only the metadata DB holds connection
passwords (the REST API never returns them), and they never leave this process. What it prints
is the rendered document, secrets as ``${NAME}`` references
(:mod:`hangar_common.platform.environment_export`), as JSON on its last stdout line (Airflow
may log before it).

Usage: python -m hangar_plugins.environment.export_from_db ENVIRONMENT.yaml
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

# The masking rule's names come from Airflow's own configuration, so what the logs hide the
# export writes as a reference. Deliberately not `should_hide_value_for_key`: it answers False
# for everything when [core] hide_sensitive_var_conn_fields is off, and an export never may.
from airflow._shared.secrets_masker import DEFAULT_SENSITIVE_FIELDS
from airflow.configuration import conf

# The ORM models, not the Task SDK's (ruff AIR311 points there): this reads the metadata DB.
from airflow.models.connection import Connection
from airflow.models.pool import Pool
from airflow.models.variable import Variable
from airflow.utils.session import create_session
from sqlalchemy.exc import SQLAlchemyError

from hangar_common.platform.environment_export import (
    RunningConnection,
    RunningEnvironment,
    RunningPool,
    RunningVariable,
    export_environment,
)
from hangar_common.settings import process_environ
from hangar_plugins.policy_record import VARIABLE_PREFIX as POLICY_RECORD_PREFIX

USAGE = "usage: python -m hangar_plugins.environment.export_from_db ENVIRONMENT.yaml"


def sensitive_fields() -> frozenset[str]:
    """Airflow's sensitive names plus ``[core] sensitive_var_conn_names``."""
    configured = conf.get("core", "sensitive_var_conn_names", fallback="") or ""
    extra = {name.strip().lower() for name in configured.split(",") if name.strip()}
    return frozenset(DEFAULT_SENSITIVE_FIELDS) | extra


def _extra(conn: Connection) -> Any:
    if not conn.extra:
        return None
    try:
        return json.loads(conn.extra)
    except ValueError:
        return conn.extra  # reported as "not a JSON object"


def read_running() -> RunningEnvironment:
    """Every pool, connection and variable of the metadata DB, secrets decrypted (Fernet)."""
    with create_session() as session:
        pools = [
            RunningPool(
                name=str(pool.pool),
                slots=pool.slots,
                description=pool.description or "",
                include_deferred=bool(pool.include_deferred),
            )
            for pool in session.query(Pool).order_by(Pool.pool)
        ]
        connections = [
            RunningConnection(
                conn_id=conn.conn_id,
                conn_type=conn.conn_type,
                description=conn.description,
                host=conn.host,
                port=conn.port,
                schema=conn.schema,
                login=conn.login,
                password=conn.password,
                extra=_extra(conn),
            )
            for conn in session.query(Connection).order_by(Connection.conn_id)
        ]
        # Warn mode's per-DAG policy records are the dag-processor's, not configuration.
        variables = [
            RunningVariable(key=var.key, value=var.val or "", description=var.description)
            for var in session.query(Variable).order_by(Variable.key)
            if not var.key.startswith(POLICY_RECORD_PREFIX)
        ]
    return RunningEnvironment(pools=pools, connections=connections, variables=variables)


def load_reference(path: Path) -> dict[str, Any]:
    """The environment file as written (references unresolved); none: an empty one."""
    if not path.is_file():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict):
        raise ValueError(f"{path} must hold a mapping with pools/connections/variables")
    return document


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        reference = load_reference(Path(argv[0]))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(f"hangar env export: error: cannot read {argv[0]}: {exc}", file=sys.stderr)
        return 2
    try:
        running = read_running()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(
            f"hangar env export: error: the metadata DB cannot be read ({reason}): "
            "is the platform initialised (./hangar up)?",
            file=sys.stderr,
        )
        return 2
    exported = export_environment(
        running, reference=reference, env=process_environ(), sensitive_fields=sensitive_fields()
    )
    print(json.dumps({"text": exported.text, "needs": exported.needs, "notes": exported.notes}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
