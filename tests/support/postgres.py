"""Databases of their own for tests that need one, dropped afterwards."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from tests.support.services import service_env


@contextmanager
def scratch_database(prefix: str, *, template: str | None = None) -> Iterator[str]:
    """A new database (named after the Pants execution slot and PID); yields its URL. Empty, or
    with ``template`` a copy of that database (``CREATE DATABASE ... TEMPLATE``)."""
    server = urlsplit(service_env().postgres_url)
    slot = os.environ.get("HANGAR_TEST_SLOT", "0")
    name = f"{prefix}_{slot}_{os.getpid()}"
    admin = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            create = sql.SQL("{} TEMPLATE {}").format(create, sql.Identifier(template))
        conn.execute(create)
    try:
        yield urlunsplit(server._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def airflow_connection(url: str) -> str:
    """``url`` as an Airflow ``postgres`` connection in JSON (for ``AIRFLOW_CONN_<ID>``)."""
    parts = urlsplit(url)
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": parts.hostname,
            "port": parts.port,
            "login": parts.username or "postgres",
            "password": parts.password or "",
            "schema": parts.path.lstrip("/"),
        }
    )
