"""What a test run wrote: warehouse row counts and lake objects, before and after.

Both are reached through the connections the run itself uses (``warehouse`` and
``object_storage`` of config/environment.yaml, resolved from the same settings), so the report
shows the places the DAG wrote to, not a guess. A part that cannot be looked at is named in the
report instead of failing the test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hangar_common.dagtest.report import Footprint, ObjectChange, TableChange
from hangar_common.platform.environment_spec import ConnectionSpec, EnvironmentSpec

WAREHOUSE_CONN_ID = "warehouse"
LAKE_CONN_ID = "object_storage"
_TABLES = (
    "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
    " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    " AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%' ORDER BY 1, 2"
)


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    tables: dict[str, int] | None  # "schema.table" -> rows; None: not reachable
    objects: dict[str, tuple[int, str]] | None  # key -> (size, ETag); None: not reachable
    problems: tuple[str, ...] = ()


def _connection(spec: EnvironmentSpec, conn_id: str) -> ConnectionSpec | None:
    return next((conn for conn in spec.connections if conn.conn_id == conn_id), None)


def warehouse_conninfo(conn: ConnectionSpec) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(
        host=conn.host or "127.0.0.1",
        port=conn.port or 5432,
        user=conn.login or None,
        password=conn.password or None,
        dbname=conn.schema or None,
        connect_timeout=5,
    )


def describe_warehouse(conn: ConnectionSpec | None) -> str:
    if conn is None:
        return f"(no {WAREHOUSE_CONN_ID} connection)"
    return f"{conn.schema} on {conn.host or '127.0.0.1'}:{conn.port or 5432}"


def table_rows(conninfo: str) -> dict[str, int]:
    """Exact row counts of every table outside PostgreSQL's own schemas."""
    import psycopg
    from psycopg import sql

    counts = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SET statement_timeout = '30s'")
        for schema, table in conn.execute(_TABLES).fetchall():
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            row = conn.execute(query).fetchone()
            counts[f"{schema}.{table}"] = int(row[0]) if row else 0
    return counts


def _bucket_and_prefix(lake_url: str) -> tuple[str, str]:
    bucket, _, prefix = lake_url.removeprefix("s3://").partition("/")
    return bucket, (prefix.strip("/") + "/") if prefix.strip("/") else ""


def lake_client(conn: ConnectionSpec) -> Any:
    import boto3
    from botocore.config import Config

    extra = conn.extra or {}
    return boto3.client(
        "s3",
        endpoint_url=extra.get("endpoint_url") or None,
        aws_access_key_id=conn.login or None,
        aws_secret_access_key=conn.password or None,
        region_name=extra.get("region_name") or None,
        config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 2}),
    )


def lake_objects(client: Any, lake_url: str) -> dict[str, tuple[int, str]]:
    """Every object under ``lake_url`` (``s3://bucket[/prefix]``): key -> (size, ETag)."""
    bucket, prefix = _bucket_and_prefix(lake_url)
    objects = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            objects[item["Key"]] = (int(item["Size"]), str(item.get("ETag", "")))
    return objects


def snapshot(spec: EnvironmentSpec, *, lake_url: str) -> Snapshot:
    """The warehouse's row counts and the lake's objects now."""
    problems = []
    tables: dict[str, int] | None = None
    objects: dict[str, tuple[int, str]] | None = None
    warehouse = _connection(spec, WAREHOUSE_CONN_ID)
    if warehouse is None:
        problems.append(f"the warehouse: no {WAREHOUSE_CONN_ID} connection in the environment")
    else:
        try:
            tables = table_rows(warehouse_conninfo(warehouse))
        except Exception as exc:  # noqa: BLE001 - any driver error: reported, not fatal
            problems.append(f"the warehouse ({describe_warehouse(warehouse)}): {exc}".strip())
    lake = _connection(spec, LAKE_CONN_ID)
    if not lake_url.startswith("s3://"):
        problems.append(f"the lake: {lake_url} is not an s3:// URL")
    elif lake is None:
        problems.append(f"the lake: no {LAKE_CONN_ID} connection in the environment")
    else:
        try:
            objects = lake_objects(lake_client(lake), lake_url)
        except Exception as exc:  # noqa: BLE001 - any botocore error: reported, not fatal
            problems.append(f"the lake ({lake_url}): {exc}")
    return Snapshot(tables=tables, objects=objects, problems=tuple(problems))


def compare(before: Snapshot, after: Snapshot, *, warehouse: str, lake: str) -> Footprint:
    """What changed between two snapshots (only parts reachable both times are compared)."""
    tables: list[TableChange] = []
    unchanged = 0
    warehouse_seen = before.tables is not None and after.tables is not None
    if before.tables is not None and after.tables is not None:
        for name in sorted(set(before.tables) | set(after.tables)):
            old, new = before.tables.get(name), after.tables.get(name)
            if old == new:
                unchanged += 1
            else:
                tables.append(TableChange(table=name, before=old, after=new))
    objects = []
    lake_seen = before.objects is not None and after.objects is not None
    if before.objects is not None and after.objects is not None:
        objects = _object_changes(before.objects, after.objects)
    problems = tuple(dict.fromkeys((*before.problems, *after.problems)))
    return Footprint(
        warehouse=warehouse,
        lake=lake,
        tables=tuple(tables),
        tables_unchanged=unchanged,
        objects=tuple(objects),
        warehouse_seen=warehouse_seen,
        lake_seen=lake_seen,
        problems=problems,
    )


def _object_changes(
    before: Mapping[str, tuple[int, str]], after: Mapping[str, tuple[int, str]]
) -> list[ObjectChange]:
    changes = []
    for key in sorted(set(before) | set(after)):
        if key not in before:
            changes.append(ObjectChange(key=key, change="added", size=after[key][0]))
        elif key not in after:
            changes.append(ObjectChange(key=key, change="removed", size=before[key][0]))
        elif before[key] != after[key]:
            changes.append(ObjectChange(key=key, change="changed", size=after[key][0]))
    return changes
