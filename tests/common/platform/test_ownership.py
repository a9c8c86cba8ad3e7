"""Collisions on a shared server, decided from stubbed server answers (no PostgreSQL needed)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import socket
from pathlib import Path

import pytest

from hangar_common.platform.config import StatePaths
from hangar_common.platform.identity import (
    LEGACY_NAMES,
    Owner,
    StackIdentity,
    database_names,
    write_identity,
)
from hangar_common.platform.ownership import (
    DatabaseState,
    DatabaseUse,
    RedisState,
    choose_redis_db,
    database_conflicts,
    database_uses,
    fernet_keys,
    fernet_signed_by,
    owner_is_gone,
    port_conflicts,
    port_in_use,
    port_uses,
    preflight,
    redis_conflict,
    resolve_identity,
)
from hangar_common.settings import ConfigurationError, HangarSettings, Stack

OURS = StackIdentity(id="a1b2c3", databases=database_names("a1b2c3"))
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _token(key: str, payload: bytes = b"ciphertext-block") -> str:
    """A Fernet token as cryptography writes it (the ciphertext is not checked, the HMAC is)."""
    body = b"\x80" + (1234).to_bytes(8, "big") + os.urandom(16) + payload
    signing = base64.urlsafe_b64decode(key)[:16]
    return base64.urlsafe_b64encode(
        body + hmac.new(signing, body, hashlib.sha256).digest()
    ).decode()


def _settings(**env: str) -> HangarSettings:
    return HangarSettings.from_env({"HANGAR_POSTGRES_URL": SERVER, **OURS.env_defaults(), **env})


def test_fernet_tokens_are_told_apart_by_the_key_that_wrote_them() -> None:
    ours, theirs = _key(), _key()
    token = _token(ours)
    assert fernet_signed_by(token, [ours])
    assert fernet_signed_by(token, [theirs, ours])  # rotation: "new,old"
    assert not fernet_signed_by(token, [theirs])
    assert not fernet_signed_by(token, [])
    assert not fernet_signed_by("not a token", [ours])
    assert not fernet_signed_by(token, ["short"])
    settings = HangarSettings.from_env({"HANGAR_FERNET_KEY": f"{theirs}, {ours}"})
    assert fernet_keys(settings, {}) == [theirs, ours]
    assert fernet_keys(HangarSettings.from_env({}), {"HANGAR_FERNET_KEY": ours}) == [ours]


def test_the_stack_checks_the_databases_it_creates_on_its_server() -> None:
    uses = database_uses(_settings(HANGAR_SOURCE_DB_HOST="src.example"), {})
    assert [(use.role, use.name, use.setting) for use in uses] == [
        ("metadata", "hangar_a1b2c3_airflow", "HANGAR_METADATA_DB"),
        ("warehouse", "hangar_a1b2c3_warehouse", "HANGAR_WAREHOUSE_DB"),
        # the source has a host of its own: the user's, not checked
    ]
    explicit = {"HANGAR_METADATA_DB_URL": "postgresql://u@db:5433/meta"}
    metadata = database_uses(_settings(**explicit), explicit)[0]
    assert (metadata.server, metadata.name, metadata.setting) == (
        "db:5433",
        "meta",
        "HANGAR_METADATA_DB_URL",
    )


def test_a_database_another_stack_owns_is_refused_naming_the_setting() -> None:
    uses = database_uses(_settings(HANGAR_WAREHOUSE_DB="shared_wh"), {})
    url = {use.role: use.url for use in uses}
    theirs = Owner(stack_id="ffffff", where="host:/other/.hangar")
    states = {
        url["metadata"]: DatabaseState(exists=True, owner=Owner(stack_id="a1b2c3", where="x")),
        url["warehouse"]: DatabaseState(exists=True, owner=theirs),
        url["source"]: DatabaseState(exists=False),
    }
    assert database_conflicts(uses, states, OURS, []) == [
        "database shared_wh on 127.0.0.1:5432 belongs to hangar stack ffffff "
        "(host:/other/.hangar): set HANGAR_WAREHOUSE_DB to another database"
    ]
    # Unmarked existing databases (the user's own) are used, and unreachable ones not judged.
    states[url["warehouse"]] = DatabaseState(exists=True)
    assert database_conflicts(uses, states, OURS, []) == []
    assert database_conflicts(uses, {}, OURS, []) == []


def test_a_metadata_database_another_fernet_key_wrote_is_refused() -> None:
    ours, theirs = _key(), _key()
    use = DatabaseUse(role="metadata", url=f"{SERVER[:-9]}/hangar_airflow", setting="HANGAR_X")
    foreign = {use.url: DatabaseState(exists=True, tokens=(_token(theirs),))}
    (conflict,) = database_conflicts([use], foreign, OURS, [ours])
    assert conflict == (
        "database hangar_airflow on 127.0.0.1:5432 holds secrets another Fernet key encrypted "
        "(another stack's metadata?): set HANGAR_X to another database, or HANGAR_FERNET_KEY to "
        "the key that wrote them"
    )
    # A new folder has no key yet: what is stored cannot be its.
    assert database_conflicts([use], foreign, OURS, []) == [conflict]
    readable = {use.url: DatabaseState(exists=True, tokens=(_token(theirs), _token(ours)))}
    assert database_conflicts([use], readable, OURS, [ours]) == []
    empty = {use.url: DatabaseState(exists=True)}  # not yet migrated: nothing to read
    assert database_conflicts([use], empty, OURS, []) == []


def test_configured_ports_in_use_are_refused_in_one_line() -> None:
    settings = HangarSettings.from_env(
        {"HANGAR_API_PORT": "8080", "HANGAR_WORKER_LOG_PORT_BASE": "9100", "HANGAR_METRICS": "1"}
    )
    uses = port_uses(settings, Stack.CELERY, workers=2)
    assert [(use.setting, use.port) for use in uses] == [
        ("HANGAR_API_PORT", 8080),
        ("HANGAR_FLOWER_PORT", 5555),
        ("HANGAR_WORKER_LOG_PORT_BASE", 9100),
        ("HANGAR_WORKER_LOG_PORT_BASE", 9101),
        ("HANGAR_PROMETHEUS_PORT", 9090),
    ]
    # Unset, the worker log ports are picked free (not checked); embedded: the API only.
    assert [
        use.setting for use in port_uses(HangarSettings.from_env({}), Stack.EMBEDDED, workers=2)
    ] == ["HANGAR_API_PORT"]
    taken = {8080, 9101}
    conflicts = port_conflicts(
        uses,
        in_use=lambda host, port: port in taken,
        listener=lambda port: "pid 7, the hangar stack of /a/.hangar" if port == 8080 else "",
    )
    assert conflicts == [
        "port 8080 (HANGAR_API_PORT) is in use by another process (pid 7, the hangar stack of "
        "/a/.hangar): set HANGAR_API_PORT to a free port",
        "port 9101 (HANGAR_WORKER_LOG_PORT_BASE) is in use by another process: "
        "set HANGAR_WORKER_LOG_PORT_BASE to a free port",
    ]
    with pytest.raises(ConfigurationError) as raised:
        preflight(
            database_uses=[],
            states={},
            identity=OURS,
            keys=[],
            port_uses=uses,
            in_use=lambda host, port: port in taken,
            listener=lambda port: "",
        )
    assert "\n" not in str(raised.value)
    assert str(raised.value).count("; port ") == 1


def test_port_in_use_sees_listeners_but_not_free_ports() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        assert port_in_use("127.0.0.1", port)
        assert port_in_use("0.0.0.0", port)  # noqa: S104 - a server binding every address
    assert not port_in_use("127.0.0.1", port)


def test_a_recorded_identity_is_kept(tmp_path: Path) -> None:
    paths = StatePaths(root=tmp_path)
    write_identity(paths, OURS)
    assert resolve_identity(paths, legacy_metadata=None, keys=[]) == (OURS, False)


def test_a_new_folder_gets_new_names(tmp_path: Path) -> None:
    paths = StatePaths(root=tmp_path)
    legacy = DatabaseState(exists=True)  # another checkout's legacy database: not this one's
    identity, new = resolve_identity(paths, legacy_metadata=legacy, keys=[])
    assert new and not identity.legacy
    assert identity.databases == database_names(identity.id)


def test_a_folder_from_before_keeps_its_legacy_databases_only_when_provably_its_own(
    tmp_path: Path,
) -> None:
    paths = StatePaths(root=tmp_path)
    (tmp_path / "secrets.env").write_text("HANGAR_FERNET_KEY=x\n")
    ours, theirs = _key(), _key()

    def resolved(state: DatabaseState | None) -> StackIdentity:
        identity, new = resolve_identity(paths, legacy_metadata=state, keys=[ours])
        assert new
        return identity

    assert resolved(DatabaseState(exists=True, tokens=(_token(ours),))).databases == LEGACY_NAMES
    assert resolved(DatabaseState(exists=True, tokens=(_token(ours),))).legacy
    assert resolved(DatabaseState(exists=True)).legacy  # migrated, nothing stored yet
    # Not its own: another key's data (a clone whose first `up` failed), another stack's mark,
    # or no such database: new names.
    for state in (
        DatabaseState(exists=True, tokens=(_token(theirs),)),
        DatabaseState(exists=True, owner=Owner(stack_id="ffffff", where="h:/x")),
        DatabaseState(exists=False),
    ):
        assert not resolved(state).legacy
    # The shared server does not answer: legacy only with its own throwaway PostgreSQL's data.
    assert not resolved(None).legacy
    (tmp_path / "postgres" / "data").mkdir(parents=True)
    (tmp_path / "postgres" / "data" / "PG_VERSION").write_text("16\n")
    assert resolved(None).legacy


def test_a_broker_database_another_live_stack_marked_is_refused(tmp_path: Path) -> None:
    host = socket.gethostname()
    live = Owner(stack_id="ffffff", where=f"{host}:{tmp_path}")
    gone = Owner(stack_id="eeeeee", where=f"{host}:{tmp_path / 'deleted'}")
    url = "redis://127.0.0.1:6390/3"
    assert redis_conflict(url, RedisState(owner=live), OURS) == (
        f"Redis database 3 at 127.0.0.1:6390 is the broker of hangar stack ffffff ({host}:"
        f"{tmp_path}): set HANGAR_REDIS_URL to another database, or to the server alone "
        "(redis://HOST:PORT) to get a free one"
    )
    assert owner_is_gone(gone) and not owner_is_gone(live)
    assert not owner_is_gone(Owner(stack_id="ffffff", where="elsewhere:/nope"))  # can't tell
    for fine in (
        None,
        RedisState(),
        RedisState(owner=gone),
        RedisState(owner=Owner(stack_id="a1b2c3", where="x")),
    ):
        assert redis_conflict(url, fine, OURS) is None


def test_a_stack_takes_its_own_broker_database_else_an_empty_one(tmp_path: Path) -> None:
    host = socket.gethostname()
    mine = Owner(stack_id=OURS.id, where=f"{host}:{tmp_path}")
    live = Owner(stack_id="ffffff", where=f"{host}:{tmp_path}")
    gone = Owner(stack_id="eeeeee", where=f"{host}:{tmp_path / 'deleted'}")
    states = {
        0: RedisState(keys=4),  # a legacy stack's (or anyone's) data: never taken
        1: RedisState(owner=live, keys=5),
        2: RedisState(owner=gone, keys=5),
        3: RedisState(),
        4: RedisState(owner=mine, keys=1),
        5: RedisState(),
    }
    assert choose_redis_db(states, OURS, preferred=None) == [4, 3, 5, 2]
    assert choose_redis_db({**states, 4: RedisState()}, OURS, preferred=5) == [5, 3, 4, 2]
