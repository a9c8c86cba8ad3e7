"""What a stack owns on shared servers, checked before ``up`` touches anything.

A database a stack creates is marked in PostgreSQL itself (``COMMENT ON DATABASE ... IS 'hangar
stack <id> <host>:<state folder>'``). Before ``up`` (or ``init``) starts or writes anything,
:func:`preflight` refuses, in one line naming the setting that moves it:

- a database another stack marked as its own;
- a metadata database whose stored secrets another Fernet key wrote (another stack's: Airflow
  would fail with ``InvalidToken`` half-way through ``init``);
- a port the stack would listen on that something else holds;
- (celery) a Redis database another stack's broker marked (key ``hangar:owner``). Where
  ``HANGAR_REDIS_URL`` names no database, the stack takes a free one of its own
  (:func:`claim_redis`).

``./hangar down --purge`` drops exactly the databases marked with this stack's id
(:func:`purge_databases`). A state folder that ran before per-stack names keeps its legacy
databases when they are provably its own (:func:`resolve_identity`).
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import hmac
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from hangar_common.platform.config import StatePaths
from hangar_common.platform.identity import (
    DATABASE_SETTINGS,
    MARKER_PREFIX,
    Owner,
    StackIdentity,
    marker,
    new_identity,
    parse_marker,
    read_identity,
    redis_db_of,
    with_redis_db,
)
from hangar_common.settings import ConfigurationError, HangarSettings, Stack, env_name

REDIS_OWNER_KEY = "hangar:owner"
REDIS_DATABASES = 16  # Redis' default `databases`
FERNET_VERSION = 0x80
_FERNET_HMAC_BYTES = 32
_FERNET_MIN_BYTES = 1 + 8 + 16 + 16 + _FERNET_HMAC_BYTES  # version, time, IV, 1 block, HMAC


@dataclass(frozen=True, kw_only=True)
class DatabaseUse:
    """A database the stack uses on a PostgreSQL server (and creates when it is missing)."""

    role: str  # metadata, warehouse, source
    url: str
    setting: str  # what moves it elsewhere

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    @property
    def server(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.hostname}:{parts.port or 5432}"


@dataclass(frozen=True, kw_only=True)
class DatabaseState:
    """What the server says about one database."""

    exists: bool
    owner: Owner | None = None
    # Fernet tokens stored in it (connections, variables): which key wrote them.
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PortUse:
    """A port the stack will listen on, and the setting that moves it."""

    setting: str
    port: int
    host: str


def database_uses(settings: HangarSettings, explicit: Mapping[str, str]) -> list[DatabaseUse]:
    """The databases of ``settings`` on servers the stack creates databases on (a warehouse or
    source with its own host is the user's, and left alone). ``explicit``: the user's settings,
    to name the one that moves each database."""
    metadata_setting = env_name("metadata_db_url")
    if not str(explicit.get(metadata_setting, "")).strip():
        metadata_setting = DATABASE_SETTINGS["metadata"]
    uses = [
        DatabaseUse(
            role="metadata", url=settings.effective_metadata_db_url, setting=metadata_setting
        )
    ]
    server = urlsplit(settings.postgres_url)
    for role, host, name in (
        ("warehouse", settings.warehouse_host, settings.warehouse_db),
        ("source", settings.source_db_host, settings.source_db),
    ):
        if not host:
            url = urlunsplit(server._replace(path=f"/{name}"))
            uses.append(DatabaseUse(role=role, url=url, setting=DATABASE_SETTINGS[role]))
    return uses


def port_uses(settings: HangarSettings, stack: Stack, *, workers: int) -> list[PortUse]:
    """The configured ports ``up`` listens on (internal ones are picked free: see
    :class:`hangar_common.platform.identity.PortChooser`)."""
    uses = [PortUse(setting=env_name("api_port"), port=settings.api_port, host=settings.api_bind)]
    if stack is Stack.CELERY:
        flower = PortUse(
            setting=env_name("flower_port"), port=settings.flower_port, host=settings.api_bind
        )
        uses.append(flower)
        base = settings.worker_log_port_base
        if base is not None:
            setting = env_name("worker_log_port_base")
            uses += [
                PortUse(setting=setting, port=base + index, host="0.0.0.0")  # noqa: S104
                for index in range(workers)
            ]
    if settings.metrics:
        uses.append(
            PortUse(
                setting=env_name("prometheus_port"),
                port=settings.prometheus_port,
                host="127.0.0.1",
            )
        )
    return uses


def fernet_keys(settings: HangarSettings, secrets: Mapping[str, str]) -> list[str]:
    """The Fernet key(s) the stack will use (comma-separated: Airflow's key rotation)."""
    text = settings.fernet_key or secrets.get(env_name("fernet_key"), "")
    return [key.strip() for key in text.split(",") if key.strip()]


def fernet_signed_by(token: str, keys: Iterable[str]) -> bool:
    """Did one of ``keys`` write ``token``? (Fernet's HMAC-SHA256 over the token, signed with
    the key's first 16 bytes: checked without the cryptography package, which the CLI lacks.)"""
    try:
        data = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    if len(data) < _FERNET_MIN_BYTES or data[0] != FERNET_VERSION:
        return False
    for key in keys:
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            continue
        if len(raw) != 32:
            continue
        digest = hmac.new(raw[:16], data[:-_FERNET_HMAC_BYTES], hashlib.sha256).digest()
        if hmac.compare_digest(digest, data[-_FERNET_HMAC_BYTES:]):
            return True
    return False


def _readable(state: DatabaseState, keys: list[str]) -> bool:
    return not state.tokens or any(fernet_signed_by(token, keys) for token in state.tokens)


def database_conflicts(
    uses: Iterable[DatabaseUse],
    states: Mapping[str, DatabaseState],
    identity: StackIdentity,
    keys: list[str],
) -> list[str]:
    """Why each database in ``uses`` cannot be this stack's (``states``: by URL; a URL without
    a state was not reachable and is not judged here)."""
    conflicts = []
    for use in uses:
        state = states.get(use.url)
        if state is None or not state.exists:
            continue
        owner = state.owner
        if owner is not None and owner.stack_id != identity.id:
            conflicts.append(
                f"database {use.name} on {use.server} belongs to hangar stack {owner.stack_id} "
                f"({owner.where}): set {use.setting} to another database"
            )
        elif use.role == "metadata" and not _readable(state, keys):
            conflicts.append(
                f"database {use.name} on {use.server} holds secrets another Fernet key "
                f"encrypted (another stack's metadata?): set {use.setting} to another database, "
                "or HANGAR_FERNET_KEY to the key that wrote them"
            )
    return conflicts


def port_in_use(host: str, port: int) -> bool:
    """Does something hold ``host:port``? (Bound as a server would: SO_REUSEADDR, so the
    TIME_WAIT connections of a stack that just stopped do not count.)"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def listener_of(port: int) -> str:
    """Who listens on ``port``, as far as this user may see: a Hangar stack's state folder, a
    process, or nothing known."""
    import psutil

    try:
        connections = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, OSError):
        return ""
    pids = {
        c.pid
        for c in connections
        if c.pid and c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
    }
    for pid in sorted(pids):
        try:
            proc = psutil.Process(pid)
            # setproctitle (the API server's workers) hides a process's environment: ask its
            # parents (supervisord carries the stack's settings).
            for candidate in (proc, *proc.parents()):
                try:
                    state_dir = candidate.environ().get(env_name("state_dir"))
                except (psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                if state_dir:
                    return f"pid {pid}, the hangar stack of {state_dir}"
            return f"pid {pid}, {proc.name()}"
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return ""


def port_conflicts(
    uses: Iterable[PortUse],
    *,
    in_use: Callable[[str, int], bool] = port_in_use,
    listener: Callable[[int], str] = listener_of,
) -> list[str]:
    conflicts = []
    for use in uses:
        if in_use(use.host, use.port):
            who = listener(use.port)
            detail = f" ({who})" if who else ""
            conflicts.append(
                f"port {use.port} ({use.setting}) is in use by another process{detail}: "
                f"set {use.setting} to a free port"
            )
    return conflicts


@dataclass(frozen=True, kw_only=True)
class RedisState:
    """One Redis database: who marked it, and how many keys it holds."""

    owner: Owner | None = None
    keys: int = 0


def owner_is_gone(owner: Owner, *, host: str | None = None) -> bool:
    """Is ``owner`` a stack of this host whose state folder no longer exists?"""
    where_host, _, folder = owner.where.partition(":")
    return where_host == (host or socket.gethostname()) and not Path(folder).exists()


def redis_conflict(url: str, state: RedisState | None, identity: StackIdentity) -> str | None:
    """Why the broker database ``url`` cannot be this stack's (another live stack marked it)."""
    owner = state.owner if state is not None else None
    if owner is None or owner.stack_id == identity.id or owner_is_gone(owner):
        return None
    parts = urlsplit(url)
    return (
        f"Redis database {redis_db_of(url) or 0} at {parts.hostname}:{parts.port or 6379} is the "
        f"broker of hangar stack {owner.stack_id} ({owner.where}): set HANGAR_REDIS_URL to "
        "another database, or to the server alone (redis://HOST:PORT) to get a free one"
    )


def choose_redis_db(
    states: Mapping[int, RedisState], identity: StackIdentity, *, preferred: int | None
) -> list[int]:
    """The databases this stack may take as its broker, best first: its own (``preferred``
    first), then empty unmarked ones, then those of stacks whose state folder is gone."""
    own = [
        db for db, state in states.items() if state.owner and state.owner.stack_id == identity.id
    ]
    own.sort(key=lambda db: db != preferred)
    free = [db for db, state in states.items() if state.owner is None and state.keys == 0]
    free.sort(key=lambda db: db != preferred)
    stale = [
        db
        for db, state in states.items()
        if state.owner and state.owner.stack_id != identity.id and owner_is_gone(state.owner)
    ]
    return own + free + stale


def preflight(
    *,
    database_uses: Iterable[DatabaseUse],
    states: Mapping[str, DatabaseState],
    identity: StackIdentity,
    keys: list[str],
    port_uses: Iterable[PortUse] = (),
    in_use: Callable[[str, int], bool] = port_in_use,
    listener: Callable[[int], str] = listener_of,
    other: Iterable[str] = (),
) -> None:
    """Raise, in one line naming each setting to change, when anything would collide
    (``other``: collisions found elsewhere, e.g. :func:`redis_conflict`).

    :raises ConfigurationError: listing every collision (``; ``-separated).
    """
    conflicts = database_conflicts(database_uses, states, identity, keys)
    conflicts += [conflict for conflict in other if conflict]
    conflicts += port_conflicts(port_uses, in_use=in_use, listener=listener)
    if conflicts:
        raise ConfigurationError("; ".join(conflicts))


def resolve_identity(
    paths: StatePaths,
    *,
    legacy_metadata: DatabaseState | None,
    keys: list[str],
) -> tuple[StackIdentity, bool]:
    """The state folder's identity, and whether it is new (to be written once checks pass).

    A folder without ``identity.json`` but with ``secrets.env`` ran before per-stack names: it
    keeps the legacy names (``hangar_airflow``, ...) when its metadata database is provably its
    own — ``legacy_metadata`` (the state of that database on the shared server, None when the
    server does not answer) exists, no other stack marked it, and this folder's Fernet key wrote
    what it stores — or when the folder holds its own throwaway PostgreSQL. Any other folder gets
    a new id and databases named for it.
    """
    recorded = read_identity(paths)
    if recorded is not None:
        return recorded, False
    if paths.secrets_file.is_file():
        if legacy_metadata is not None:
            if (
                legacy_metadata.exists
                and legacy_metadata.owner is None
                and _readable(legacy_metadata, keys)
            ):
                return new_identity(legacy=True), True
        elif (paths.root / "postgres" / "data" / "PG_VERSION").is_file():
            return new_identity(legacy=True), True
    return new_identity(), True


# -- PostgreSQL ------------------------------------------------------------------------------------
def _admin_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def inspect_databases(
    urls: Iterable[str], *, tokens_of: Iterable[str] = ()
) -> dict[str, DatabaseState]:
    """The state of each database ``urls`` name whose server answers (others are left out);
    for those in ``tokens_of``, a few Fernet tokens they store."""
    import psycopg

    wanted = set(tokens_of)
    by_server: dict[str, list[str]] = {}
    for url in urls:
        by_server.setdefault(_admin_url(url), []).append(url)
    states: dict[str, DatabaseState] = {}
    for admin, server_urls in by_server.items():
        names = {urlsplit(url).path.lstrip("/") for url in server_urls}
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
                rows = conn.execute(
                    "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = ANY(%s)",
                    (sorted(names),),
                ).fetchall()
        except psycopg.OperationalError:
            continue
        comments: dict[str, str | None] = dict(rows)
        for url in server_urls:
            name = urlsplit(url).path.lstrip("/")
            if name not in comments:
                states[url] = DatabaseState(exists=False)
                continue
            tokens = _fernet_tokens(url) if url in wanted else ()
            states[url] = DatabaseState(
                exists=True, owner=parse_marker(comments[name]), tokens=tokens
            )
    return states


def _fernet_tokens(url: str, limit: int = 5) -> tuple[str, ...]:
    """Encrypted values of Airflow's connection and variable tables (none before migration)."""
    import psycopg

    query = """
        SELECT value FROM (
            SELECT password AS value FROM connection WHERE is_encrypted AND password <> ''
            UNION ALL
            SELECT extra FROM connection WHERE is_extra_encrypted AND extra <> ''
            UNION ALL
            SELECT val FROM variable WHERE is_encrypted AND val <> ''
        ) AS encrypted LIMIT %s
    """
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            present = conn.execute(
                "SELECT to_regclass('connection') IS NOT NULL AND "
                "to_regclass('variable') IS NOT NULL"
            ).fetchone()
            if not present or not present[0]:
                return ()
            return tuple(str(row[0]) for row in conn.execute(query, (limit,)))
    except psycopg.Error:
        return ()


def mark_database(url: str, text: str) -> None:
    """``COMMENT ON DATABASE`` ``text`` (the ownership marker) on the database ``url`` names."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_admin_url(url), autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(text))
        )


def claim_unmarked(
    uses: Iterable[DatabaseUse],
    states: Mapping[str, DatabaseState],
    identity: StackIdentity,
    state_root: Path,
) -> list[str]:
    """Mark the existing, unmarked databases that carry this stack's own names (a legacy
    folder's databases, or one created just before an interrupted marking). Databases named by
    an explicit setting are used, never claimed: ``--purge`` leaves them."""
    claimed = []
    for use in uses:
        state = states.get(use.url)
        if state is None or not state.exists or state.owner is not None:
            continue
        if use.name == identity.databases.get(use.role):
            mark_database(use.url, marker(identity, state_root))
            claimed.append(f"marked database {use.name} on {use.server} as this stack's")
    return claimed


def purge_databases(
    server_urls: Iterable[str], identity: StackIdentity
) -> tuple[list[str], list[str]]:
    """Drop every database marked with ``identity``'s id on each server of ``server_urls``.

    Returns (what was dropped, servers that did not answer).
    """
    import psycopg
    from psycopg import sql

    dropped: list[str] = []
    unreachable: list[str] = []
    for admin in dict.fromkeys(_admin_url(url) for url in server_urls):
        parts = urlsplit(admin)
        where = f"{parts.hostname}:{parts.port or 5432}"
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
                names = [
                    str(row[0])
                    for row in conn.execute(
                        "SELECT datname FROM pg_database "
                        "WHERE starts_with(shobj_description(oid, 'pg_database'), %s) "
                        "ORDER BY datname",
                        (f"{MARKER_PREFIX}{identity.id} ",),
                    )
                ]
                for name in names:
                    conn.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(name)
                        )
                    )
                    dropped.append(f"dropped database {name} on {where}")
        except psycopg.OperationalError:
            unreachable.append(where)
    return dropped, unreachable


# -- Redis (the celery stack's broker) -------------------------------------------------------------
def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5)


def inspect_redis(url: str, dbs: Iterable[int] | None = None) -> dict[int, RedisState] | None:
    """The state of the databases ``dbs`` (default: the one ``url`` names, else all 16) of the
    server of ``url``; None when it does not answer."""
    import redis

    wanted = list(dbs) if dbs is not None else [redis_db_of(url) or 0]
    states: dict[int, RedisState] = {}
    try:
        for db in wanted:
            client = _redis(with_redis_db(url, db))
            try:
                raw = client.get(REDIS_OWNER_KEY)
                text = raw.decode() if isinstance(raw, bytes) else raw
                states[db] = RedisState(owner=parse_marker(text), keys=int(client.dbsize()))
            finally:
                client.close()
    except redis.RedisError:
        return None if not states else states
    return states


def claim_redis(server_url: str, identity: StackIdentity, text: str) -> int | None:
    """Take a Redis database of ``server_url``'s server as this stack's broker (see
    :func:`choose_redis_db`) and mark it with ``text``; None when none is free (or the server
    does not answer)."""
    states = inspect_redis(server_url, range(REDIS_DATABASES))
    if not states:
        return None
    for db in choose_redis_db(states, identity, preferred=identity.redis_db):
        client = _redis(with_redis_db(server_url, db))
        try:
            owner = states[db].owner
            if owner is not None and owner.stack_id == identity.id:
                client.set(REDIS_OWNER_KEY, text)
                return db
            if owner is not None:  # a stack whose state folder is gone: its queues too
                client.flushdb()
            if client.set(REDIS_OWNER_KEY, text, nx=True):  # a stack starting meanwhile wins
                return db
        finally:
            client.close()
    return None


def mark_redis(url: str, text: str) -> None:
    """Mark the broker database ``url`` names as this stack's, unless someone marked it."""
    client = _redis(url)
    try:
        client.set(REDIS_OWNER_KEY, text, nx=True)
    finally:
        client.close()


def purge_redis(url: str, identity: StackIdentity, *, flush: bool) -> list[str]:
    """Release the broker database ``url`` names when marked with ``identity``'s id (``flush``:
    empty it first, its queues and results: the stack chose it)."""
    import redis

    parts = urlsplit(url)
    where = f"Redis database {redis_db_of(url) or 0} at {parts.hostname}:{parts.port or 6379}"
    try:
        states = inspect_redis(url)
        state = (states or {}).get(redis_db_of(url) or 0)
        if state is None or state.owner is None or state.owner.stack_id != identity.id:
            return []
        client = _redis(url)
        try:
            if flush:
                client.flushdb()
                return [f"flushed {where} (the broker's queues)"]
            client.delete(REDIS_OWNER_KEY)
            return [f"released {where} (its ownership mark)"]
        finally:
            client.close()
    except redis.RedisError:
        return [f"{where} does not answer: its mark stays"] if flush else []
