"""Dataset definitions for the ingestion pipeline: a new dataset is config, not code.

``datasets.yaml`` (shipped in the DAG bundle) maps dataset names to a source URL, the columns
and their types, the warehouse table and its key, a schedule and the share of malformed rows
tolerated. :func:`load_datasets` validates all of it and names the field at fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

COLUMN_TYPES = ("string", "int", "float", "bool", "date", "timestamp")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class DatasetConfigError(ValueError):
    """The datasets file is invalid; the message names the dataset and field."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    format: str | None = None  # strptime format of date/timestamp columns


@dataclass(frozen=True)
class Dataset:
    """One CSV source: ``url`` (``{ds}``/``{ds_nodash}`` filled from the interval), relative to
    the HTTP connection ``http_conn_id`` when given (the host differs per environment)."""

    name: str
    url: str
    http_conn_id: str | None
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

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _column(dataset: str, index: int, raw: Any) -> Column:
    where = f"datasets.{dataset}.columns[{index}]"
    if not isinstance(raw, Mapping):
        raise DatasetConfigError(f"{where}: expected a mapping with name and type")
    unknown = set(raw) - {"name", "type", "required", "format"}
    if unknown:
        raise DatasetConfigError(f"{where}: unknown field(s) {sorted(unknown)}")
    name, kind = raw.get("name"), raw.get("type", "string")
    if not isinstance(name, str) or not _NAME.match(name):
        raise DatasetConfigError(f"{where}.name: {name!r} must match [a-z_][a-z0-9_]*")
    if kind not in COLUMN_TYPES:
        raise DatasetConfigError(f"{where}.type: {kind!r} must be one of {', '.join(COLUMN_TYPES)}")
    fmt = raw.get("format")
    if fmt is not None and kind not in ("date", "timestamp"):
        raise DatasetConfigError(f"{where}.format: only date and timestamp columns take one")
    return Column(name=name, type=kind, required=bool(raw.get("required", False)), format=fmt)


def _start_date(where: str, raw: Any) -> datetime:
    """A YAML date (``2026-11-01``) or ISO string, as midnight UTC."""
    if isinstance(raw, datetime):
        raise DatasetConfigError(f"{where}.start_date: give a day (YYYY-MM-DD), not a time")
    if isinstance(raw, str):
        try:
            raw = date.fromisoformat(raw)
        except ValueError:
            raise DatasetConfigError(
                f"{where}.start_date: {raw!r} is not a day (YYYY-MM-DD)"
            ) from None
    if not isinstance(raw, date):
        raise DatasetConfigError(f"{where}.start_date: {raw!r} is not a day (YYYY-MM-DD)")
    return datetime(raw.year, raw.month, raw.day, tzinfo=UTC)


def parse_datasets(document: Any) -> dict[str, Dataset]:
    if not isinstance(document, Mapping) or not isinstance(document.get("datasets"), Mapping):
        raise DatasetConfigError("top level must be a mapping with a 'datasets' mapping")
    datasets = {}
    for name, raw in document["datasets"].items():
        where = f"datasets.{name}"
        if not isinstance(name, str) or not _NAME.match(name):
            raise DatasetConfigError(f"{where}: dataset names must match [a-z_][a-z0-9_]*")
        if not isinstance(raw, Mapping):
            raise DatasetConfigError(f"{where}: expected a mapping")
        known = {"url", "http_conn_id", "table", "keys", "columns", "schedule", "max_bad_share"}
        known |= {"owner", "start_date"}
        unknown = set(raw) - known - {"description"}
        if unknown:
            raise DatasetConfigError(f"{where}: unknown field(s) {sorted(unknown)}")
        for required in ("url", "table", "keys", "columns", "schedule", "start_date"):
            if not raw.get(required):
                raise DatasetConfigError(f"{where}.{required} is required")
        columns = tuple(_column(name, i, c) for i, c in enumerate(raw["columns"]))
        names = [c.name for c in columns]
        if len(set(names)) != len(names):
            raise DatasetConfigError(f"{where}.columns: duplicate column names")
        keys = tuple(raw["keys"])
        missing = [key for key in keys if key not in names]
        if missing:
            raise DatasetConfigError(f"{where}.keys: {missing} are not columns")
        share = raw.get("max_bad_share", 0.01)
        if not isinstance(share, int | float) or not 0 <= share <= 1:
            raise DatasetConfigError(f"{where}.max_bad_share: {share!r} must be within 0..1")
        start = _start_date(where, raw["start_date"])
        datasets[name] = Dataset(
            name=name,
            url=str(raw["url"]),
            http_conn_id=raw.get("http_conn_id"),
            table=str(raw["table"]),
            keys=keys,
            columns=columns,
            schedule=str(raw["schedule"]),
            start_date=start,
            max_bad_share=float(share),
            owner=str(raw.get("owner", "data-eng")),
            description=str(raw.get("description", "")),
        )
    return datasets


def load_datasets(path: Path) -> dict[str, Dataset]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DatasetConfigError(f"{path}: {exc}") from None
    try:
        return parse_datasets(document)
    except DatasetConfigError as exc:
        raise DatasetConfigError(f"{path}: {exc}") from None
