"""Who a state folder's stack is: its id, the databases named for it and the ports it keeps.

Several checkouts may share one PostgreSQL server (``HANGAR_POSTGRES_URL``); each state folder's
stack therefore uses databases of its own, ``hangar_<id>_airflow``, ``hangar_<id>_warehouse`` and
``hangar_<id>_source``, where ``<id>`` is six random hex characters chosen once. The id, the names
and the internal ports ``up`` picked are recorded in ``<state folder>/identity.json``; explicit
settings (``HANGAR_METADATA_DB_URL``, ``HANGAR_METADATA_DB``, ``HANGAR_WAREHOUSE_DB``,
``HANGAR_SOURCE_DB``...) always win over the recorded names. :mod:`.ownership` marks the
databases in PostgreSQL itself and refuses what another stack owns.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from hangar_common.net import free_port, free_port_range, port_is_free
from hangar_common.platform.config import StatePaths
from hangar_common.settings import DEFAULT_REDIS_URL, ConfigurationError, env_name

IDENTITY_FILE = "identity.json"
# Role of each database -> the setting naming it (and moving it elsewhere).
DATABASE_SETTINGS = {
    "metadata": env_name("metadata_db"),
    "warehouse": env_name("warehouse_db"),
    "source": env_name("source_db"),
}
# The names every stack used before per-stack names (and the Compose stack still uses).
LEGACY_NAMES = {
    "metadata": "hangar_airflow",
    "warehouse": "hangar_warehouse",
    "source": "hangar_source",
}
_SUFFIXES = {"metadata": "airflow", "warehouse": "warehouse", "source": "source"}
# COMMENT ON DATABASE text: "hangar stack <id> <host>:<state folder>".
MARKER_PREFIX = "hangar stack "
_MARKER = re.compile(r"^hangar stack ([0-9a-z]+) (.+)$")
_ID = re.compile(r"^[0-9a-f]{6}$")


@dataclass(frozen=True, kw_only=True)
class StackIdentity:
    """The record of ``identity.json``: written once (the ports are refreshed by each ``up``)."""

    id: str
    databases: Mapping[str, str]  # role (metadata, warehouse, source) -> database name
    # Internal ports `up` picked (object store, sales source, log servers...), reused while free.
    ports: Mapping[str, int] = field(default_factory=dict)
    # True: a state folder that ran before per-stack names kept the legacy names (its data).
    legacy: bool = False
    # The celery stack's broker: the Redis database (0-15) it took on HANGAR_REDIS_URL's server.
    redis_db: int | None = None

    def env_defaults(self) -> dict[str, str]:
        """The ``HANGAR_*_DB`` names of this stack (applied only where a setting is unset)."""
        return {DATABASE_SETTINGS[role]: name for role, name in self.databases.items()}

    def with_ports(self, ports: Mapping[str, int]) -> StackIdentity:
        return replace(self, ports=dict(ports))


@dataclass(frozen=True, kw_only=True)
class Owner:
    """Who a database belongs to, read from its ``COMMENT ON DATABASE`` marker."""

    stack_id: str
    where: str  # host:state folder of the owning stack


def with_redis_db(url: str, db: int) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def redis_db_of(url: str) -> int | None:
    """The database number ``url`` names (``redis://host:port/N``); None when it names none."""
    path = urlsplit(url).path.strip("/")
    return int(path) if path.isdigit() else None


def database_names(stack_id: str) -> dict[str, str]:
    return {role: f"hangar_{stack_id}_{suffix}" for role, suffix in _SUFFIXES.items()}


def new_identity(*, legacy: bool = False) -> StackIdentity:
    """A fresh identity: a random id and, unless ``legacy``, databases named for it."""
    stack_id = secrets.token_hex(3)
    names = dict(LEGACY_NAMES) if legacy else database_names(stack_id)
    return StackIdentity(id=stack_id, databases=names, legacy=legacy)


def identity_file(paths: StatePaths) -> Path:
    return paths.root / IDENTITY_FILE


def read_identity(paths: StatePaths) -> StackIdentity | None:
    """The recorded identity; None when the state folder has none yet.

    :raises ConfigurationError: naming the file when it cannot be read.
    """
    path = identity_file(paths)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        identity = StackIdentity(
            id=str(data["id"]),
            databases={role: str(data["databases"][role]) for role in DATABASE_SETTINGS},
            ports={str(k): int(v) for k, v in dict(data.get("ports") or {}).items()},
            legacy=bool(data.get("legacy", False)),
            redis_db=None if data.get("redis_db") is None else int(data["redis_db"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"{path} is unreadable ({exc}): restore it, or remove it together with the "
            "databases it names"
        ) from None
    if not _ID.match(identity.id):
        raise ConfigurationError(f"{path}: id {identity.id!r} is not 6 hex characters")
    return identity


def write_identity(paths: StatePaths, identity: StackIdentity) -> None:
    """Write ``identity.json`` atomically (a reader never sees half a file)."""
    path = identity_file(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "id": identity.id,
        "databases": dict(identity.databases),
        "ports": dict(sorted(identity.ports.items())),
        "legacy": identity.legacy,
        "redis_db": identity.redis_db,
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def apply_identity(env: Mapping[str, str], identity: StackIdentity) -> dict[str, str]:
    """``env`` with the stack's database names where unset, and its Redis database on the
    broker's server where ``HANGAR_REDIS_URL`` names no database (or is unset)."""
    merged = with_defaults(env, identity.env_defaults())
    if identity.redis_db is not None and broker_db_is_chosen(env):
        server = str(env.get(env_name("redis_url"), "")).strip() or DEFAULT_REDIS_URL
        merged[env_name("redis_url")] = with_redis_db(server, identity.redis_db)
    return merged


def broker_db_is_chosen(env: Mapping[str, str]) -> bool:
    """Does the stack choose its Redis database? Yes unless HANGAR_REDIS_URL names one."""
    given = str(env.get(env_name("redis_url"), "")).strip()
    return not given or redis_db_of(given) is None


def with_defaults(env: Mapping[str, str], defaults: Mapping[str, str]) -> dict[str, str]:
    """``env`` plus ``defaults`` where ``env`` leaves a variable unset or blank."""
    merged = dict(env)
    for key, value in defaults.items():
        if not str(merged.get(key, "")).strip():
            merged[key] = value
    return merged


def marker(identity: StackIdentity, state_root: Path) -> str:
    """The ``COMMENT ON DATABASE`` text marking a database as ``identity``'s."""
    return f"{MARKER_PREFIX}{identity.id} {socket.gethostname()}:{state_root}"


def parse_marker(comment: str | None) -> Owner | None:
    """The owner a database comment names; None for any other comment (or none)."""
    match = _MARKER.match((comment or "").strip())
    return Owner(stack_id=match.group(1), where=match.group(2)) if match else None


class PortChooser:
    """Free loopback ports for the stack's internal servers, by name: the recorded one while it
    (and the ports after it) are still free, else a newly picked one; :attr:`chosen` is what
    ``up`` records for next time."""

    def __init__(self, recorded: Mapping[str, int] | None = None) -> None:
        self.recorded = dict(recorded or {})
        self.chosen: dict[str, int] = {}

    def port(self, name: str, *, count: int = 1, twin_offset: int | None = None) -> int:
        """The first of ``count`` consecutive free ports for ``name`` (with ``twin_offset``,
        those ports + offset must be free too: SeaweedFS' gRPC twins)."""
        if name in self.chosen:
            return self.chosen[name]
        base = self.recorded.get(name)
        if base is None or not _all_free(base, count, twin_offset):
            if count == 1 and twin_offset is None:
                base = free_port()
            else:
                base = free_port_range(count, twin_offset=twin_offset)
        self.chosen[name] = base
        return base


def _all_free(base: int, count: int, twin_offset: int | None) -> bool:
    ports = [base + offset for offset in range(count)]
    if twin_offset is not None:
        ports += [port + twin_offset for port in ports]
    return all(1 <= port <= 65535 and port_is_free(port) for port in ports)
