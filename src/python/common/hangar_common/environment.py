"""Hangar's user-facing settings: environment variables, optionally from a ``.env`` file.

Every setting has one name (``HANGAR_*``), one default and one parser here; `.env.example` at
the repository root documents them. Values already in the process environment win over `.env`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_MIN_FREE_DISK_GB = 5.0


class ConfigurationError(ValueError):
    """A setting has a value Hangar cannot use; the message names the setting."""


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a ``KEY=VALUE`` file (comments, blank lines, optional ``export`` and quotes).

    :raises ConfigurationError: naming the file and line of anything that is not ``KEY=VALUE``.
    """
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ConfigurationError(f"{path}:{lineno}: expected KEY=VALUE, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = env.get(name, "").strip() or default
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise ConfigurationError(
            f"{name}={value!r} is not a valid URL: "
            f"expected {' or '.join(schemes)}://HOST[:PORT]/..."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a non-numeric port
    except ValueError as exc:
        raise ConfigurationError(f"{name}={value!r} has an invalid port: {exc}") from None
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a number") from None
    if value < 0:
        raise ConfigurationError(f"{name}={raw!r} must not be negative")
    return value


def merged_environment(project_root: Path | None) -> dict[str, str]:
    """``os.environ`` over ``<project_root>/.env``: the settings every Hangar command sees."""
    merged: dict[str, str] = {}
    if project_root is not None:
        merged.update(read_dotenv(project_root / ".env"))
    merged.update(os.environ)
    return merged


@dataclass(frozen=True, kw_only=True)
class HangarEnvironment:
    """The validated ``HANGAR_*`` settings of one process."""

    postgres_url: str
    redis_url: str
    min_free_disk_gb: float

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> HangarEnvironment:
        return cls(
            postgres_url=_url(
                env, "HANGAR_POSTGRES_URL", DEFAULT_POSTGRES_URL, ("postgresql", "postgres")
            ),
            redis_url=_url(env, "HANGAR_REDIS_URL", DEFAULT_REDIS_URL, ("redis", "rediss")),
            min_free_disk_gb=_float(env, "HANGAR_MIN_FREE_DISK_GB", DEFAULT_MIN_FREE_DISK_GB),
        )

    @classmethod
    def load(cls, project_root: Path | None = None) -> HangarEnvironment:
        """Settings from ``os.environ`` over ``<project_root>/.env`` (when given and present)."""
        return cls.from_mapping(merged_environment(project_root))
