"""The template is migrated once, copied per run, and a killed run's copy is dropped later."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator

import psycopg
import pytest
from psycopg import sql

from hangar_common.dagtest.metadata_db import (
    RUN_MARK,
    RUN_PREFIX,
    admin_connection,
    drop_database,
    drop_orphans,
    ensure_template,
    run_database,
    with_database,
)
from tests.support.services import service_env

SERVER = service_env().postgres_url


@pytest.fixture
def template() -> Iterator[str]:
    name = f"hangar_dagtest_template_test_{os.environ.get('HANGAR_TEST_SLOT', '0')}_{os.getpid()}"
    yield name
    with admin_connection(SERVER) as conn:
        drop_database(conn, name)


def _fake_migrate(calls: list[str]) -> Callable[[str], None]:
    def migrate(url: str) -> None:
        calls.append(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE alembic_version (version_num text)")
            conn.execute("INSERT INTO alembic_version VALUES ('head')")

    return migrate


def test_migrated_once_then_copied_fresh_for_each_run(template: str) -> None:
    calls: list[str] = []
    url = ensure_template(SERVER, migrate=_fake_migrate(calls), name=template)
    assert ensure_template(SERVER, migrate=_fake_migrate(calls), name=template) == url
    assert calls == [with_database(SERVER, template)]
    with run_database(url) as first, run_database(url) as second:
        assert first != second
        for copy in (first, second):
            with psycopg.connect(copy) as conn:
                assert conn.execute("SELECT * FROM alembic_version").fetchall() == [("head",)]
        with psycopg.connect(first, autocommit=True) as conn:
            conn.execute("INSERT INTO alembic_version VALUES ('changed by a run')")
    with run_database(url) as third, psycopg.connect(third) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchall() == [(1,)]
    with admin_connection(SERVER) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname IN (%s, %s, %s)",
                tuple(copy.rsplit("/", 1)[1] for copy in (first, second, third)),
            )
        ]
    assert names == []  # every copy dropped


def test_a_template_whose_migration_never_finished_is_made_again(template: str) -> None:
    with admin_connection(SERVER) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template)))
    calls: list[str] = []
    ensure_template(SERVER, migrate=_fake_migrate(calls), name=template)
    assert len(calls) == 1


def test_a_killed_run_s_copy_is_dropped_by_the_next_run() -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    name = f"{RUN_PREFIX}orphan{os.getpid()}"
    with admin_connection(SERVER) as conn:
        drop_database(conn, name)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        mark = f"{RUN_MARK}{socket.gethostname()} pid {dead.stdout.strip()}"
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(mark))
        )
    try:
        assert name in drop_orphans(SERVER)
    finally:
        with admin_connection(SERVER) as conn:
            drop_database(conn, name)
