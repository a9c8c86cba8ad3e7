"""The desired Airflow environment (pools, connections, variables) from config/environment.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hangar_common.settings import ConfigurationError, HangarSettings

_REFERENCE = re.compile(r"\$\{([A-Z0-9_]+)(:-([^}]*))?\}")
_CONNECTION_FIELDS = {"conn_type", "description", "host", "port", "schema", "login", "password"}


@dataclass(frozen=True, kw_only=True)
class PoolSpec:
    name: str
    slots: int
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class ConnectionSpec:
    conn_id: str
    conn_type: str
    description: str = ""
    host: str | None = None
    port: int | None = None
    schema: str | None = None
    login: str | None = None
    password: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class EnvironmentSpec:
    pools: list[PoolSpec]
    connections: list[ConnectionSpec]
    variables: dict[str, str]


def _substitute(value: Any, env: Mapping[str, str], where: str) -> Any:
    if isinstance(value, dict):
        return {key: _substitute(item, env, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, env, where) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name, has_default, default = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if has_default is not None:
            return default or ""
        raise ConfigurationError(f"{where} needs {name}: set it in the environment or .env")

    return _REFERENCE.sub(replace, value)


def _int(value: Any, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{where}={value!r} is not an integer") from None


def parse_environment(document: Mapping[str, Any], env: Mapping[str, str]) -> EnvironmentSpec:
    """Validate ``document`` and resolve its ``${...}`` references against ``env``."""
    unknown = set(document) - {"pools", "connections", "variables"}
    if unknown:
        raise ConfigurationError(f"unknown section(s) {sorted(unknown)} in environment config")
    resolved = _substitute(dict(document), env, "environment")
    pools = [
        PoolSpec(
            name=name,
            slots=_int(spec.get("slots"), f"pools.{name}.slots"),
            description=str(spec.get("description", "")),
        )
        for name, spec in (resolved.get("pools") or {}).items()
    ]
    for pool in pools:
        if pool.slots < 0:
            raise ConfigurationError(f"pools.{pool.name}.slots must be >= 0, got {pool.slots}")
    connections = []
    for conn_id, spec in (resolved.get("connections") or {}).items():
        extra_keys = set(spec) - _CONNECTION_FIELDS - {"extra"}
        if extra_keys:
            raise ConfigurationError(
                f"connections.{conn_id}: unknown field(s) {sorted(extra_keys)}"
            )
        if not spec.get("conn_type"):
            raise ConfigurationError(f"connections.{conn_id}.conn_type is required")
        port = spec.get("port")
        connections.append(
            ConnectionSpec(
                conn_id=conn_id,
                conn_type=str(spec["conn_type"]),
                description=str(spec.get("description", "")),
                host=spec.get("host") or None,
                port=_int(port, f"connections.{conn_id}.port") if port not in (None, "") else None,
                schema=spec.get("schema") or None,
                login=spec.get("login") or None,
                password=spec.get("password") or None,
                extra=dict(spec.get("extra") or {}),
            )
        )
    variables = {str(key): str(value) for key, value in (resolved.get("variables") or {}).items()}
    return EnvironmentSpec(pools=pools, connections=connections, variables=variables)


def load_environment(path: Path, env: Mapping[str, str]) -> EnvironmentSpec:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}") from None
    if not isinstance(document, dict):
        raise ConfigurationError(f"{path} must hold a mapping with pools/connections/variables")
    return parse_environment(document, env)


def environment_file(env: Mapping[str, str]) -> Path:
    """``HANGAR_ENVIRONMENT_FILE``, else ``config/environment.yaml`` of ``HANGAR_HOME``."""
    settings = HangarSettings.from_env(env)
    if settings.environment_file:
        return Path(settings.environment_file)
    return Path(settings.home or ".") / "config" / "environment.yaml"
