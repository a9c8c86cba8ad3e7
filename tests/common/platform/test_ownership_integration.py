"""Two state folders (two checkouts) on one shared PostgreSQL: each stack up at once on databases
of its own, a collision refused in one line before anything is written, and ``down --purge``
dropping only its own databases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests
from psycopg import sql

from hangar_common.platform.api_client import AirflowApi
from hangar_common.platform.ownership import fernet_signed_by, inspect_databases
from hangar_common.settings import read_dotenv
from tests.support.hangar_stack import (
    ADMIN_PASSWORD,
    api_url,
    drop_databases_marked_for,
    hangar,
    processes_of,
    stack_env,
)
from tests.support.paths import repo_root
from tests.support.services import service_env

# What tests/support/hangar_stack.py fixes for test stacks beyond their API port: these stacks
# choose their own databases and internal ports, as two checkouts with defaults would.
FIXED_BY_TESTS = (
    "HANGAR_METADATA_DB_URL",
    "HANGAR_WAREHOUSE_DB",
    "HANGAR_SOURCE_DB",
    "HANGAR_FLOWER_PORT",
    "HANGAR_WORKER_LOG_PORT_BASE",
)


def _env(state: Path) -> dict[str, str]:
    env = stack_env(state)
    for name in FIXED_BY_TESTS:
        env.pop(name)
    return env


def _databases() -> dict[str, str]:
    """Every database of the shared server, with its comment."""
    with psycopg.connect(service_env().postgres_url, autocommit=True, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database"
        ).fetchall()
    return dict(rows)


def _url_of(database: str) -> str:
    return urlunsplit(urlsplit(service_env().postgres_url)._replace(path=f"/{database}"))


def _comment(database: str, text: str | None) -> None:
    with psycopg.connect(service_env().postgres_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(database), sql.Literal(text)
            )
        )


def _start_up(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "hangar_common.cli", "up", "--timeout", "300"],
        env=env,
        cwd=repo_root(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_state_folders_own_their_databases_side_by_side(tmp_path: Path) -> None:
    states = {name: tmp_path / name for name in ("a", "b", "c")}
    envs = {name: _env(state) for name, state in states.items()}
    try:
        # Both up at once, each on the shared PostgreSQL.
        starting = {name: _start_up(envs[name]) for name in ("a", "b")}
        outputs = {name: proc.communicate(timeout=600)[0] for name, proc in starting.items()}
        for name, proc in starting.items():
            assert proc.returncode == 0, outputs[name]

        identities = {
            name: json.loads((states[name] / "identity.json").read_text()) for name in ("a", "b")
        }
        ids = {name: identity["id"] for name, identity in identities.items()}
        assert ids["a"] != ids["b"]
        databases = _databases()
        for name, identity in identities.items():
            assert identity["legacy"] is False
            assert identity["databases"] == {
                "metadata": f"hangar_{ids[name]}_airflow",
                "warehouse": f"hangar_{ids[name]}_warehouse",
                "source": f"hangar_{ids[name]}_source",
            }
            for database in identity["databases"].values():
                assert databases[database].startswith(f"hangar stack {ids[name]} ")
                assert databases[database].endswith(f":{states[name]}")
            assert f"stack {ids[name]}: databases hangar_{ids[name]}_airflow" in outputs[name]
            # Airflow's connections point at the stack's own warehouse.
            api = AirflowApi(api_url(envs[name]), "admin", ADMIN_PASSWORD)
            assert api.get("connections/warehouse")["schema"] == identity["databases"]["warehouse"]
            assert api.get("connections/source_db")["schema"] == identity["databases"]["source"]
        # What a stack's metadata database stores was written by its own Fernet key (the check
        # `up` makes of an existing one), not by the other's.
        keys = {
            name: read_dotenv(states[name] / "secrets.env")["HANGAR_FERNET_KEY"] for name in "ab"
        }
        metadata_b = _url_of(identities["b"]["databases"]["metadata"])
        tokens = inspect_databases([metadata_b], tokens_of=[metadata_b])[metadata_b].tokens
        assert tokens and all(fernet_signed_by(token, [keys["b"]]) for token in tokens)
        assert not any(fernet_signed_by(token, [keys["a"]]) for token in tokens)

        # A third checkout configured onto a's API port and a's warehouse: refused in one line,
        # before anything is written.
        clash = dict(envs["c"])
        clash["HANGAR_API_PORT"] = envs["a"]["HANGAR_API_PORT"]
        clash["HANGAR_WAREHOUSE_DB"] = identities["a"]["databases"]["warehouse"]
        refused = hangar(clash, "up", "--timeout", "60")
        assert refused.returncode == 2, refused.stdout + refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1, refused.stderr
        port = envs["a"]["HANGAR_API_PORT"]
        assert lines[0].startswith(
            f"hangar: error: database {identities['a']['databases']['warehouse']} on "
            f"127.0.0.1:5432 belongs to hangar stack {ids['a']} ("
        )
        assert f"; port {port} (HANGAR_API_PORT) is in use by another process (pid " in lines[0]
        assert f"the hangar stack of {states['a']}): set HANGAR_API_PORT to a free port" in lines[0]
        assert "Traceback" not in refused.stderr
        assert not states["c"].exists() or not any(states["c"].iterdir())

        # A metadata database another stack's Fernet key wrote (here: a's, its marker gone):
        # refused before init could fail half-way with InvalidToken.
        metadata = identities["a"]["databases"]["metadata"]
        _comment(metadata, None)
        try:
            foreign = dict(envs["c"])
            foreign["HANGAR_METADATA_DB_URL"] = _url_of(metadata)
            refused = hangar(foreign, "up", "--timeout", "60")
        finally:
            _comment(metadata, databases[metadata])
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert refused.stderr == (
            f"hangar: error: database {metadata} on 127.0.0.1:5432 holds secrets another Fernet "
            "key encrypted (another stack's metadata?): set HANGAR_METADATA_DB_URL to another "
            "database, or HANGAR_FERNET_KEY to the key that wrote them\n"
        )
        assert not states["c"].exists() or not any(states["c"].iterdir())

        # a's purge drops a's databases only; b keeps running on its own.
        purged = hangar(envs["a"], "down", "--purge")
        assert purged.returncode == 0, purged.stdout + purged.stderr
        for database in identities["a"]["databases"].values():
            assert f"dropped database {database} on 127.0.0.1:5432" in purged.stdout
        assert processes_of(states["a"]) == []
        assert not (states["a"] / "identity.json").exists()
        assert not (states["a"] / "secrets.env").exists()
        remaining = _databases()
        assert not set(identities["a"]["databases"].values()) & set(remaining)
        assert set(identities["b"]["databases"].values()) <= set(remaining)
        health = requests.get(f"{api_url(envs['b'])}/api/v2/monitor/health", timeout=10).json()
        assert health["metadatabase"]["status"] == "healthy"
        status = hangar(envs["b"], "status")
        assert status.returncode == 0, status.stdout
        row = next(line for line in status.stdout.splitlines() if line.startswith("stack-id "))
        assert row.split()[1] == ids["b"]
        assert ", ".join(identities["b"]["databases"].values()) in row
    finally:
        for name in ("a", "b"):
            hangar(envs[name], "down", "--purge")
        for state in states.values():
            drop_databases_marked_for(state)
    assert processes_of(states["b"]) == []
    assert not set(identities["b"]["databases"].values()) & set(_databases())
