"""Celery stacks of several checkouts on one Redis: each takes a broker database of its own.

In-process (``StackManager.claim_identity``, what ``up`` runs before anything else) on a Redis
server of the test's own and the shared PostgreSQL; no stack is started.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

import psycopg
import pytest
import redis

from hangar_common.platform.stack import StackManager
from hangar_common.settings import ConfigurationError, HangarSettings, Stack
from tests.support.paths import repo_root
from tests.support.ports import free_port
from tests.support.postgres import scratch_database
from tests.support.redis_server import RedisServer


def _manager(state: Path, redis_url: str) -> StackManager:
    env = {
        "HANGAR_STATE_DIR": str(state),
        "HANGAR_REDIS_URL": redis_url,
        "HANGAR_API_PORT": str(free_port()),
        "HANGAR_FLOWER_PORT": str(free_port()),
    }
    return StackManager(repo_root(), env)


def test_celery_stacks_take_broker_databases_of_their_own(tmp_path: Path) -> None:
    broker = RedisServer(tmp_path / "redis")
    broker.start()
    server = f"redis://127.0.0.1:{broker.port}"  # the server alone: each stack picks its database
    managers: list[StackManager] = []
    try:
        redis.Redis(port=broker.port, db=0).set("someone-else", "1")
        for name in ("a", "b"):
            manager = _manager(tmp_path / name, server)
            managers.append(manager)
            done = manager.claim_identity(Stack.CELERY, workers=1)
            assert done[1].startswith("broker: Redis database "), done
        a, b = managers
        assert a.identity is not None and b.identity is not None
        # Database 0 holds someone's keys: neither takes it.
        assert (a.identity.redis_db, b.identity.redis_db) == (1, 2)
        # Every later command of a folder reaches its own broker.
        later = HangarSettings.from_env(_manager(tmp_path / "a", server).env)
        assert later.redis_url == f"{server}/1"

        # A checkout configured onto a's broker database: refused before writing anything.
        with pytest.raises(ConfigurationError) as raised:
            _manager(tmp_path / "c", f"{server}/1").claim_identity(Stack.CELERY, workers=1)
        assert str(raised.value) == (
            f"Redis database 1 at 127.0.0.1:{broker.port} is the broker of hangar stack "
            f"{a.identity.id} ({a._owner_marker().split(' ', 3)[3]}): set HANGAR_REDIS_URL to "
            "another database, or to the server alone (redis://HOST:PORT) to get a free one"
        )
        assert not (tmp_path / "c").exists()

        purged = a.purge()
        assert (
            f"flushed Redis database 1 at 127.0.0.1:{broker.port} (the broker's queues)" in purged
        )
        assert redis.Redis(port=broker.port, db=1).dbsize() == 0
        owner = redis.Redis(port=broker.port, db=2, decode_responses=True).get("hangar:owner")
        assert str(owner).startswith(f"hangar stack {b.identity.id} ")
        assert redis.Redis(port=broker.port, db=0).get("someone-else") == b"1"
    finally:
        for manager in managers:
            manager.purge()
        broker.stop()


def _fernet_token(key: str) -> str:
    """A token as Airflow's Fernet writes it (only its HMAC is checked)."""
    body = b"\x80" + (0).to_bytes(8, "big") + os.urandom(32)
    signature = hmac.new(base64.urlsafe_b64decode(key)[:16], body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(body + signature).decode()


def test_a_folder_from_before_keeps_its_metadata_only_with_the_key_that_wrote_it(
    tmp_path: Path,
) -> None:
    keys = {name: base64.urlsafe_b64encode(os.urandom(32)).decode() for name in ("mine", "clone")}
    with scratch_database("hangar_legacy_meta") as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE connection (password text, extra text, is_encrypted boolean, "
                "is_extra_encrypted boolean)"
            )
            conn.execute("CREATE TABLE variable (val text, is_encrypted boolean)")
            conn.execute(
                "INSERT INTO connection VALUES ('', %s, false, true)",
                (_fernet_token(keys["mine"]),),
            )
        managers = {}
        for name, key in keys.items():
            state = tmp_path / name
            state.mkdir()
            (state / "secrets.env").write_text(f"HANGAR_FERNET_KEY={key}\n")  # ran before
            env = {
                "HANGAR_STATE_DIR": str(state),
                "HANGAR_METADATA_DB_URL": url,
                "HANGAR_WAREHOUSE_DB": "unused_wh",
                "HANGAR_SOURCE_DB": "unused_src",
            }
            managers[name] = StackManager(repo_root(), env)
        managers["mine"].claim_identity(Stack.EMBEDDED, workers=None)
        mine = managers["mine"].identity
        assert mine is not None and mine.legacy  # its own data: the names it had are kept
        # A clone whose first `up` made its own key: refused before Airflow's InvalidToken.
        with pytest.raises(ConfigurationError, match="holds secrets another Fernet key encrypted"):
            managers["clone"].claim_identity(Stack.EMBEDDED, workers=None)
        assert not (tmp_path / "clone" / "identity.json").exists()
        for manager in managers.values():
            manager.purge()
