"""Run ``hangar`` CLI commands against a stack of a test's own (state folder, ports, DBs)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

from tests.support.paths import repo_root
from tests.support.ports import free_port, free_port_range

ADMIN_PASSWORD = "hangar-test-admin"
_stacks = itertools.count(1)
_started: list[str] = []


def stacks_started() -> bool:
    return bool(_started)


def database_prefix() -> str:
    """Databases a stack of this test process creates start with this (dropped at its end)."""
    return f"hangar_t{os.environ.get('HANGAR_TEST_SLOT', '0')}_{os.getpid()}_"


def drop_test_databases(*, orphans: bool = False) -> list[str]:
    """Drop every database this test process's stacks created (on HANGAR_POSTGRES_URL); with
    ``orphans``, instead those of test processes that no longer exist (a killed run's)."""
    import psycopg
    from psycopg import sql

    from tests.support.services import service_env

    admin = urlunsplit(urlsplit(service_env().postgres_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        pattern = r"^hangar_t[0-9]+_([0-9]+)_" if orphans else None
        names = [
            row[0]
            for row in conn.execute(
                (
                    "SELECT datname FROM pg_database WHERE starts_with(datname, %s)"
                    if not orphans
                    else "SELECT datname FROM pg_database WHERE datname ~ %s"
                ),
                (database_prefix() if not orphans else pattern,),
            )
        ]
        if orphans:
            names = [n for n in names if not psutil.pid_exists(int(n.split("_")[2]))]
        for name in names:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    return names


def drop_orphaned_marked_databases() -> list[str]:
    """Drop the databases of test stacks (state folders under pytest's temporary folders) of
    this host whose state folder is gone: a killed test run's stacks that chose their own names."""
    import socket

    import psycopg

    from tests.support.services import service_env

    admin = urlunsplit(urlsplit(service_env().postgres_url)._replace(path="/postgres"))
    pattern = f"hangar stack % {socket.gethostname()}:%/pytest-of-%"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT DISTINCT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE shobj_description(oid, 'pg_database') LIKE %s",
            (pattern,),
        ).fetchall()
    dropped = []
    for (comment,) in rows:
        state_dir = Path(comment.split(":", 1)[1])
        if not state_dir.exists():
            dropped += drop_databases_marked_for(state_dir)
    return dropped


def drop_databases_marked_for(state_dir: Path) -> list[str]:
    """Drop the databases whose ownership marker names ``state_dir`` (a stack that chose its own
    database names: see hangar_common.platform.ownership); a failed test's cleanup."""
    import psycopg
    from psycopg import sql

    from tests.support.services import service_env

    admin = urlunsplit(urlsplit(service_env().postgres_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE starts_with("
                "shobj_description(oid, 'pg_database'), 'hangar stack ') AND "
                "shobj_description(oid, 'pg_database') LIKE %s",
                (f"%:{state_dir}",),
            )
        ]
        for name in names:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    return names


def stack_env(state_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a test stack: its own state folder, ports and databases (metadata,
    warehouse, example source), the test profile."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HANGAR_", "AIRFLOW"))
        or key in ("HANGAR_POSTGRES_URL", "HANGAR_REDIS_URL", "HANGAR_TEST_SLOT")
    }
    from tests.support.services import service_env

    if not _started:
        drop_test_databases(orphans=True)
        drop_orphaned_marked_databases()
    databases = f"{database_prefix()}{next(_stacks)}"
    _started.append(databases)
    server = urlsplit(service_env().postgres_url)
    env.update(
        HANGAR_METADATA_DB_URL=urlunsplit(server._replace(path=f"/{databases}_meta")),
        HANGAR_WAREHOUSE_DB=f"{databases}_wh",
        HANGAR_SOURCE_DB=f"{databases}_src",
        HANGAR_HOME=str(repo_root()),
        HANGAR_STATE_DIR=str(state_dir),
        HANGAR_API_PORT=str(free_port()),
        HANGAR_FLOWER_PORT=str(free_port()),
        HANGAR_WORKER_LOG_PORT_BASE=str(free_port_range(4)),
        HANGAR_ADMIN_PASSWORD=ADMIN_PASSWORD,
        HANGAR_PROFILE="test",
        HANGAR_BUNDLE_REFRESH_INTERVAL="5",
        # The interpreter and import path of this test run: Airflow, providers, Hangar's code.
        PYTHONPATH=os.pathsep.join(os.path.abspath(entry) for entry in sys.path if entry),
    )
    env.update(extra)
    return env


def hangar(
    env: dict[str, str], *args: str, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hangar_common.cli", *args],
        env=env,
        cwd=repo_root(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def api_url(env: dict[str, str]) -> str:
    return f"http://127.0.0.1:{env['HANGAR_API_PORT']}"


def processes_of(state_dir: Path) -> list[psutil.Process]:
    """Every live process started for the stack kept in ``state_dir``."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("HANGAR_STATE_DIR") == str(state_dir):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found
