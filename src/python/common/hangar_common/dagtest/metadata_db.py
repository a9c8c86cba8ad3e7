"""A metadata database of its own for each test run: a copy of a migrated template.

``airflow db migrate`` of an empty database takes ~17 s; ``CREATE DATABASE run TEMPLATE
template`` of a migrated one takes ~0.35 s. So the template is migrated once per Airflow version
(:func:`ensure_template`, one process at a time under an advisory lock) and every run gets a
fresh copy (:func:`run_database`), dropped when the run ends. The running platform's metadata
DB is never used: its scheduler would race the test for the run.
"""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil

from hangar_common.redaction import redact_url
from hangar_common.settings import ConfigurationError

TEMPLATE_PREFIX = "hangar_dagtest_template_"
RUN_PREFIX = "hangar_dagtest_run_"
# The template's comment once its migration completed (a half-migrated one is made again).
READY = "hangar dag-test template: migrated"
# A run database's comment: who made it, so a killed run's copy is dropped by the next one.
RUN_MARK = "hangar dag-test run: "


def airflow_version() -> str:
    """The installed Airflow's version (read without importing Airflow)."""
    return version("apache-airflow")


def template_name(airflow: str) -> str:
    """``hangar_dagtest_template_3_3_2`` for Airflow 3.3.2: one template per version."""
    return TEMPLATE_PREFIX + re.sub(r"[^a-z0-9]+", "_", airflow.lower()).strip("_")


def with_database(server_url: str, name: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def admin_connection(server_url: str) -> Any:
    """An autocommit connection to the server's ``postgres`` database."""
    import psycopg

    try:
        return psycopg.connect(
            with_database(server_url, "postgres"), autocommit=True, connect_timeout=5
        )
    except psycopg.OperationalError as exc:
        raise ConfigurationError(
            f"PostgreSQL at {redact_url(server_url)} does not answer ({str(exc).strip()}): a "
            "test run keeps its metadata DB there (HANGAR_POSTGRES_URL)"
        ) from None


def drop_database(conn: Any, name: str) -> None:
    from psycopg import sql

    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def ensure_template(
    server_url: str, *, migrate: Callable[[str], None], name: str | None = None
) -> str:
    """The URL of this Airflow version's migrated template on ``server_url``'s server.

    ``migrate(url)`` migrates an empty database (``airflow db migrate``); it runs only when
    the template is missing or its migration never completed, by one process at a time.
    ``name``: the template's (default: :func:`template_name` of the installed Airflow).
    """
    from psycopg import sql

    name = name or template_name(airflow_version())
    with admin_connection(server_url) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (name,))
        try:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                " WHERE datname = %s",
                (name,),
            ).fetchone()
            if row is not None and row[0] == READY:
                return with_database(server_url, name)
            if row is not None:
                drop_database(conn, name)  # a migration that never finished
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            migrate(with_database(server_url, name))
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(READY)
                )
            )
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (name,))
    return with_database(server_url, name)


def run_mark() -> str:
    """The comment marking a database as this process's (:func:`drop_orphans` reads it)."""
    return f"{RUN_MARK}{socket.gethostname()} pid {os.getpid()}"


def drop_orphans(server_url: str) -> list[str]:
    """Drop the run databases of this host whose process is gone (a killed run's)."""
    host = socket.gethostname()
    dropped = []
    with admin_connection(server_url) as conn:
        rows = conn.execute(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
            " WHERE starts_with(datname, %s)",
            (RUN_PREFIX,),
        ).fetchall()
        for name, comment in rows:
            match = re.fullmatch(re.escape(RUN_MARK) + r"(\S+) pid (\d+)", comment or "")
            if match and match.group(1) == host and not psutil.pid_exists(int(match.group(2))):
                drop_database(conn, name)
                dropped.append(name)
    return dropped


@contextmanager
def run_database(template_url: str, *, wait: float = 30) -> Iterator[str]:
    """A fresh copy of the template (its URL), dropped when the block ends."""
    import psycopg
    from psycopg import sql

    template = urlsplit(template_url).path.lstrip("/")
    name = f"{RUN_PREFIX}{uuid.uuid4().hex[:12]}"
    with admin_connection(template_url) as conn:
        deadline = time.monotonic() + wait
        while True:
            try:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(name), sql.Identifier(template)
                    )
                )
                break
            except psycopg.errors.ObjectInUse:
                # Someone is connected to the template (a copy needs it idle): wait a little.
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(run_mark())
            )
        )
    try:
        yield with_database(template_url, name)
    finally:
        with admin_connection(template_url) as conn:
            drop_database(conn, name)
