"""The desired Airflow environment (pools, connections, variables) from config/environment.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hangar_common.settings import ConfigurationError, HangarSettings

# `${NAME}` or `${NAME:-default}`: group 1 the name, group 2 set when a default is given.
REFERENCE = re.compile(r"\$\{([A-Z0-9_]+)(:-([^}]*))?\}")
_M = TypeVar("_M", bound=BaseModel)


class PoolSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    slots: int
    description: str = ""

    @field_validator("slots")
    @classmethod
    def _not_negative(cls, slots: int) -> int:
        if slots < 0:
            raise ValueError(f"must be >= 0, got {slots}")
        return slots


class ConnectionSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    conn_id: str
    conn_type: str
    description: str = ""
    host: str | None = None
    port: int | None = None
    schema_: str | None = Field(None, alias="schema")  # `schema` shadows a BaseModel attribute
    login: str | None = None
    password: str | None = None
    extra: dict[str, Any] = {}

    @field_validator("host", "port", "schema_", "login", "password", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        # A `${NAME:-}` reference resolves to "": the field is unset, not an empty string.
        return None if value == "" else value

    @field_validator("conn_type")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value:
            raise ValueError("is required")
        return value

    @property
    def schema(self) -> str | None:  # type: ignore[override]
        return self.schema_


def _validated(model: type[_M], where: str, values: Mapping[str, Any]) -> _M:
    """``model`` from ``values``; pydantic's first error as ``<where>.<field>...: <reason>``."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        errors = exc.errors()
        extra = sorted(str(e["loc"][-1]) for e in errors if e["type"] == "extra_forbidden")
        if extra:
            raise ConfigurationError(f"{where}: unknown field(s) {extra}") from None
        error = errors[0]
        field = ".".join(str(part) for part in error["loc"]).replace("schema_", "schema")
        if error["type"] == "missing" or error["msg"].endswith("is required"):
            raise ConfigurationError(f"{where}.{field} is required") from None
        reason = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigurationError(f"{where}.{field}={error['input']!r}: {reason}") from None


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

    return REFERENCE.sub(replace, value)


def parse_environment(document: Mapping[str, Any], env: Mapping[str, str]) -> EnvironmentSpec:
    """Validate ``document`` and resolve its ``${...}`` references against ``env``."""
    unknown = set(document) - {"pools", "connections", "variables"}
    if unknown:
        raise ConfigurationError(f"unknown section(s) {sorted(unknown)} in environment config")
    resolved = _substitute(dict(document), env, "environment")
    pools = [
        _validated(PoolSpec, f"pools.{name}", {"name": name, **(spec or {})})
        for name, spec in (resolved.get("pools") or {}).items()
    ]
    connections = [
        _validated(ConnectionSpec, f"connections.{conn_id}", {"conn_id": conn_id, **(spec or {})})
        for conn_id, spec in (resolved.get("connections") or {}).items()
    ]
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
