"""Apply an :class:`EnvironmentSpec` straight to the metadata DB (``./hangar init``).

Runs in a process started by the Hangar entrypoint (Airflow settings in its environment), where
the metadata DB is reachable: the init path, before any API server runs. Idempotent: pools and
connections are upserted to match the spec; variables are created when absent and otherwise left
as operators set them.

Usage: python -m hangar_plugins.environment.apply_to_db CONFIG.yaml
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# The ORM models, not the Task SDK's Connection/Variable (ruff AIR311 points there): this module
# writes the metadata DB directly, on the init path, before any API server runs.
from airflow.models.connection import Connection
from airflow.models.pool import Pool
from airflow.models.variable import Variable
from airflow.utils.session import create_session

from hangar_common.platform.environment_spec import EnvironmentSpec, load_environment
from hangar_common.settings import ConfigurationError, process_environ
from hangar_plugins.environment.report import ApplyReport


def _connection_fields(conn: Connection) -> tuple[object, ...]:
    return (
        conn.conn_type,
        conn.description,
        conn.host,
        conn.port,
        conn.schema,
        conn.login,
        conn.password,
        json.loads(conn.extra) if conn.extra else {},
    )


def apply(spec: EnvironmentSpec) -> ApplyReport:
    report = ApplyReport()
    with create_session() as session:
        for pool in spec.pools:
            existing = session.query(Pool).filter(Pool.pool == pool.name).one_or_none()
            same = existing is not None and (existing.slots, existing.description or "") == (
                pool.slots,
                pool.description,
            )
            if same:
                report.unchanged.append(f"pool {pool.name}")
                continue
            Pool.create_or_update_pool(
                pool.name, pool.slots, pool.description, False, session=session
            )
            (report.updated if existing else report.created).append(f"pool {pool.name}")
        for want in spec.connections:
            desired = Connection(
                conn_id=want.conn_id,
                conn_type=want.conn_type,
                description=want.description,
                host=want.host,
                port=want.port,
                schema=want.schema,
                login=want.login,
                password=want.password,
                extra=json.dumps(want.extra) if want.extra else None,
            )
            current = (
                session.query(Connection).filter(Connection.conn_id == want.conn_id).one_or_none()
            )
            if current is None:
                session.add(desired)
                report.created.append(f"connection {want.conn_id}")
            elif _connection_fields(current) == _connection_fields(desired):
                report.unchanged.append(f"connection {want.conn_id}")
            else:
                for attr in ("conn_type", "description", "host", "port", "schema", "login"):
                    setattr(current, attr, getattr(desired, attr))
                current.password = want.password
                current.set_extra(desired.extra)
                report.updated.append(f"connection {want.conn_id}")
        for key, value in spec.variables.items():
            if session.query(Variable).filter(Variable.key == key).one_or_none() is None:
                Variable.set(key, value, session=session)
                report.created.append(f"variable {key}")
            else:
                report.unchanged.append(f"variable {key}")
    return report


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(
            "usage: python -m hangar_plugins.environment.apply_to_db CONFIG.yaml", file=sys.stderr
        )
        return 2
    try:
        spec = load_environment(Path(argv[0]), process_environ())
    except ConfigurationError as exc:
        print(f"hangar init: error: {exc}", file=sys.stderr)
        return 2
    for line in apply(spec).lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
