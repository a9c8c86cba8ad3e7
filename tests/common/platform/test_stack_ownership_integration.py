"""Celery stacks of several checkouts on one Redis: each takes a broker database of its own.

In-process (``StackManager.claim_identity``, what ``up`` runs before anything else) on a Redis
server of the test's own and the shared PostgreSQL; no stack is started.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from hangar_common.platform.stack import StackManager
from hangar_common.settings import ConfigurationError, HangarSettings, Stack
from tests.support.paths import repo_root
from tests.support.ports import free_port
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
