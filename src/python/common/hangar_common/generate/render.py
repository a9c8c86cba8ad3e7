"""Render the multi-file DAGs: a Jinja template × ``providers.yaml`` → one file each.

The generated files are checked in (reviewed like code, parsed like any DAG file, no
generation at parse time); ``./hangar generate --check`` and a test fail when they are stale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hangar_common.settings import ConfigurationError

GENERATED_DIR = Path("src/python/dags/hangar_dags/generated")
PROVIDERS_FILE = Path("src/python/dags/hangar_dags/config/providers.yaml")
TEMPLATE = "provider_dag.py.j2"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class GeneratedFile:
    path: Path  # relative to the project root
    text: str


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("hangar_common.generate", "templates"),
        undefined=StrictUndefined,  # a missing field fails the render instead of printing ""
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class TargetEnvironment(BaseModel):
    """One deployment environment of the provider DAGs (``environments:`` in providers.yaml)."""

    model_config = ConfigDict(extra="forbid")

    schema_: str = Field(alias="schema")  # the warehouse schema of the environment's tables
    retries: int = Field(ge=0)


class Provider(BaseModel):
    """One data provider (``providers:``): rendered once per environment it runs in."""

    model_config = ConfigDict(extra="forbid")

    owner: str = Field(min_length=1)
    schedule: str = Field(min_length=1)
    description: str = Field(min_length=1)
    environments: list[str] | None = None


def _problem(where: str, exc: ValidationError) -> ConfigurationError:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]).replace("schema_", "schema")
    if error["type"] in ("missing", "string_too_short"):
        return ConfigurationError(f"{where}.{field} is required")
    if error["type"] == "extra_forbidden":
        return ConfigurationError(f"{where}: unknown field {field!r}")
    return ConfigurationError(f"{where}.{field}={error['input']!r}: {error['msg']}")


def parse_providers(document: Any) -> list[dict[str, Any]]:
    """Every (provider, environment) pair to render, validated (pydantic) with a clear message."""
    if not isinstance(document, Mapping):
        raise ConfigurationError("providers file: top level must be a mapping")
    environments = document.get("environments")
    providers = document.get("providers")
    if not isinstance(environments, Mapping) or not isinstance(providers, Mapping):
        raise ConfigurationError("providers file needs 'environments' and 'providers' mappings")
    pairs = []
    for name, raw in providers.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigurationError(f"providers.{name}: names must match [a-z][a-z0-9_]*")
        if not isinstance(raw, Mapping):
            raise ConfigurationError(f"providers.{name}: expected a mapping")
        try:
            provider = Provider.model_validate(raw)
        except ValidationError as exc:
            raise _problem(f"providers.{name}", exc) from None
        for env_name in provider.environments or list(environments):
            if env_name not in environments:
                raise ConfigurationError(f"providers.{name}: unknown environment {env_name!r}")
            try:
                env = TargetEnvironment.model_validate(environments[env_name] or {})
            except ValidationError as exc:
                raise _problem(f"environments.{env_name}", exc) from None
            pairs.append(
                {
                    "provider": name,
                    "env": env_name,
                    "schema": env.schema_,
                    "retries": env.retries,
                    **provider.model_dump(),
                }
            )
    return pairs


def render_all(root: Path) -> list[GeneratedFile]:
    try:
        document = yaml.safe_load((root / PROVIDERS_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"cannot read {PROVIDERS_FILE}: {exc}") from None
    template = _environment().get_template(TEMPLATE)
    files = [
        GeneratedFile(
            GENERATED_DIR / f"provider_{pair['provider']}_{pair['env']}.py",
            template.render(**pair, source=str(PROVIDERS_FILE)),
        )
        for pair in parse_providers(document)
    ]
    files.append(GeneratedFile(GENERATED_DIR / "__init__.py", '"""Generated DAG files."""\n'))
    return files


def differing_files(root: Path, files: list[GeneratedFile]) -> list[Path]:
    """Those of ``files`` that differ from (or are missing in) the checkout."""
    return [
        f.path
        for f in files
        if not (root / f.path).is_file() or (root / f.path).read_text(encoding="utf-8") != f.text
    ]


def write_differing(root: Path, files: list[GeneratedFile], changed: list[Path]) -> None:
    """Write those of ``files`` whose path is in ``changed``."""
    for generated in files:
        if generated.path in changed:
            target = root / generated.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(generated.text, encoding="utf-8")


def stale_files(root: Path, files: list[GeneratedFile]) -> list[Path]:
    """Generated files that differ from (or are missing in) the checkout, and extra ones."""
    wanted = {f.path for f in files}
    stale = differing_files(root, files)
    folder = root / GENERATED_DIR
    extra = (
        [p.relative_to(root) for p in folder.glob("*.py") if p.relative_to(root) not in wanted]
        if folder.is_dir()
        else []
    )
    return sorted(stale + extra)


def write_all(root: Path, files: list[GeneratedFile]) -> list[Path]:
    """Write ``files`` and remove generated files no provider wants any more."""
    changed = stale_files(root, files)
    wanted = {f.path for f in files}
    for path in changed:
        if path not in wanted:
            (root / path).unlink()
    write_differing(root, files, changed)
    return changed
