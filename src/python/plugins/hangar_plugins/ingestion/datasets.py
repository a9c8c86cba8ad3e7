"""Dataset definitions for the ingestion pipeline: a new dataset is config, not code.

``config/datasets/<name>.yaml`` (one file per dataset, shipped in the DAG bundle) gives a
dataset's source URL, the columns and their types, the warehouse table and its key, a schedule
and the share of malformed rows tolerated. :func:`load_datasets` validates all of it and names
the file and field at fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

COLUMN_TYPES = ("string", "int", "float", "bool", "date", "timestamp")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_REQUIRED = ("url", "table", "keys", "columns", "schedule", "start_date")


class DatasetConfigError(ValueError):
    """The datasets file is invalid; the message names the dataset and field."""


class Column(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    type: str = "string"
    required: bool = False
    format: str | None = None  # strptime format of date/timestamp columns

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"{value!r} must match [a-z_][a-z0-9_]*")
        return value

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        if value not in COLUMN_TYPES:
            raise ValueError(f"{value!r} must be one of {', '.join(COLUMN_TYPES)}")
        return value

    @model_validator(mode="after")
    def _format_only_for_times(self) -> Column:
        if self.format is not None and self.type not in ("date", "timestamp"):
            raise ValueError("format: only date and timestamp columns take one")
        return self


class Dataset(BaseModel):
    """One CSV source: ``url`` (``{ds}``/``{ds_nodash}`` filled from the interval), relative to
    the HTTP connection ``http_conn_id`` when given (the host differs per environment)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    url: str
    http_conn_id: str | None = None
    table: str
    keys: tuple[str, ...]
    columns: tuple[Column, ...]
    schedule: str
    # The first day of the dataset's history (UTC): runs before it fail instead of loading
    # nothing; `airflow backfill create` loads any range from it on.
    start_date: datetime
    max_bad_share: float = 0.01
    owner: str = "data-eng"
    description: str = ""

    @field_validator("start_date", mode="before")
    @classmethod
    def _day(cls, raw: Any) -> datetime:
        """A YAML date (``2026-11-01``) or ISO string, as midnight UTC."""
        if isinstance(raw, datetime):
            if raw.tzinfo is not None and (raw.hour, raw.minute, raw.second) == (0, 0, 0):
                return raw  # already a day at midnight UTC (a Dataset built in code)
            raise ValueError("give a day (YYYY-MM-DD), not a time")
        if isinstance(raw, str):
            try:
                raw = date.fromisoformat(raw)
            except ValueError:
                raise ValueError(f"{raw!r} is not a day (YYYY-MM-DD)") from None
        if not isinstance(raw, date):
            raise ValueError(f"{raw!r} is not a day (YYYY-MM-DD)")
        return datetime(raw.year, raw.month, raw.day, tzinfo=UTC)

    @field_validator("max_bad_share", mode="before")
    @classmethod
    def _share(cls, share: Any) -> float:
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ValueError(f"{share!r} must be within 0..1")
        return float(share)

    @model_validator(mode="after")
    def _keys_are_columns(self) -> Dataset:
        names = self.column_names
        if len(set(names)) != len(names):
            raise ValueError("columns: duplicate column names")
        missing = [key for key in self.keys if key not in names]
        if missing:
            raise ValueError(f"keys: {missing} are not columns")
        return self

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _where(prefix: str, loc: tuple[int | str, ...]) -> str:
    where = prefix
    for part in loc:
        where += f"[{part}]" if isinstance(part, int) else f".{part}"
    return where


def _message(prefix: str, exc: ValidationError) -> str:
    """Pydantic's first error as ``datasets.<name>.<field>: <reason>``."""
    errors = exc.errors()
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    if extra:
        where = _where(prefix, tuple(extra[0]["loc"][:-1]))
        fields = sorted(str(e["loc"][-1]) for e in extra if e["loc"][:-1] == extra[0]["loc"][:-1])
        return f"{where}: unknown field(s) {fields}"
    error = errors[0]
    where = _where(prefix, tuple(error["loc"]))
    if error["type"] in ("model_type", "dict_type", "model_attributes_type"):
        return f"{where}: expected a mapping with name and type"
    reason = str(error["msg"]).removeprefix("Value error, ")
    field, sep, rest = reason.partition(": ")
    if sep and field.isidentifier():  # a model-level rule about one field
        return f"{where}.{field}: {rest}"
    return f"{where}: {reason}"


def parse_datasets(document: Any) -> dict[str, Dataset]:
    """Every dataset of a ``{"datasets": {name: fields}}`` document, validated by the pydantic models above."""
    if not isinstance(document, Mapping) or not isinstance(document.get("datasets"), Mapping):
        raise DatasetConfigError("top level must be a mapping with a 'datasets' mapping")
    datasets = {}
    for name, raw in document["datasets"].items():
        where = f"datasets.{name}"
        if not isinstance(name, str) or not _NAME.match(name):
            raise DatasetConfigError(f"{where}: dataset names must match [a-z_][a-z0-9_]*")
        if not isinstance(raw, Mapping):
            raise DatasetConfigError(f"{where}: expected a mapping")
        for required in _REQUIRED:
            if not raw.get(required) and required in raw:
                raise DatasetConfigError(f"{where}.{required} is required")
        try:
            datasets[name] = Dataset.model_validate({**raw, "name": name})
        except ValidationError as exc:
            missing = [e["loc"][0] for e in exc.errors() if e["type"] == "missing"]
            if missing:
                raise DatasetConfigError(f"{where}.{missing[0]} is required") from None
            raise DatasetConfigError(_message(where, exc)) from None
    return datasets


def load_dataset_file(path: Path) -> Dataset:
    """The dataset of one ``<name>.yaml`` file (its name is the file's stem)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DatasetConfigError(f"{path}: {exc}") from None
    try:
        return parse_datasets({"datasets": {path.stem: raw}})[path.stem]
    except DatasetConfigError as exc:
        raise DatasetConfigError(f"{path}: {exc}") from None


def load_datasets(folder: Path) -> dict[str, Dataset]:
    """Every dataset of a folder of ``<name>.yaml`` files, by name (in name order).

    One file per dataset so a build tool can tell which pipeline an edit touches; a folder
    with only some of the files (a test's sandbox) loads only those.
    """
    if not folder.is_dir():
        raise DatasetConfigError(f"{folder}: not a folder of <dataset>.yaml files")
    return {path.stem: load_dataset_file(path) for path in sorted(folder.glob("*.yaml"))}
