from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hangar_plugins.ingestion.datasets import DatasetConfigError, load_datasets, parse_datasets
from tests.support.paths import repo_root


def _doc(**overrides: Any) -> dict[str, Any]:
    dataset = {
        "url": "/x/{ds}.csv",
        "http_conn_id": "src",
        "table": "raw.x",
        "keys": ["id"],
        "schedule": "@daily",
        "start_date": "2026-11-01",
        "columns": [{"name": "id", "type": "int", "required": True}, {"name": "v"}],
    }
    dataset.update(overrides)
    return {"datasets": {"x": dataset}}


def test_the_shipped_datasets_file_is_valid() -> None:
    datasets = load_datasets(repo_root() / "src/python/dags/hangar_dags/config/datasets")
    sales = datasets["sales"]
    assert sales.keys == ("order_id",) and sales.http_conn_id == "example_sales"
    assert sales.column_names[:3] == ["order_id", "ordered_at", "store"]
    assert sales.start_date == datetime(2026, 11, 1, tzinfo=UTC)


def test_start_date_is_a_day_in_utc() -> None:
    from datetime import date

    x = parse_datasets(_doc(start_date=date(2025, 1, 31)))["x"]
    assert x.start_date == datetime(2025, 1, 31, tzinfo=UTC)


def test_defaults_apply() -> None:
    x = parse_datasets(_doc())["x"]
    assert (x.max_bad_share, x.owner, x.columns[1].type) == (0.01, "data-eng", "string")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"keys": ["nope"]}, r"datasets.x.keys: \['nope'\] are not columns"),
        ({"columns": [{"name": "id", "type": "integer"}]}, "type: 'integer' must be one of"),
        ({"columns": [{"name": "Bad Name"}]}, "name: 'Bad Name' must match"),
        ({"columns": [{"name": "a"}, {"name": "a"}]}, "duplicate column names"),
        ({"max_bad_share": 2}, "max_bad_share: 2 must be within 0..1"),
        ({"table": ""}, "datasets.x.table is required"),
        ({"tabel": "t"}, r"unknown field\(s\) \['tabel'\]"),
        ({"columns": [{"name": "id", "format": "%Y"}]}, "only date and timestamp columns"),
        ({"start_date": ""}, "datasets.x.start_date is required"),
        ({"start_date": "last year"}, "start_date: 'last year' is not a day"),
        ({"start_date": datetime(2026, 1, 1, 3, 0)}, "give a day"),
        (
            {"columns": [{"name": "id", "typ": "int"}]},
            r"x.columns\[0\]: unknown field\(s\) \['typ'\]",
        ),
        ({"columns": ["id"]}, r"x.columns\[0\]: expected a mapping with name and type"),
        ({"max_bad_share": True}, "max_bad_share: True must be within 0..1"),
    ],
)
def test_mistakes_name_the_dataset_and_field(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(DatasetConfigError, match=message):
        parse_datasets(_doc(**overrides))


def test_unreadable_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text("url: [")
    with pytest.raises(DatasetConfigError, match="d.yaml"):
        load_datasets(tmp_path)


def test_one_file_per_dataset_named_by_the_file(tmp_path: Path) -> None:
    import yaml

    for name in ("orders", "sales"):
        dataset = _doc()["datasets"]["x"]
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump({**dataset, "table": f"raw.{name}"}))
    (tmp_path / "README.md").write_text("not a dataset")

    datasets = load_datasets(tmp_path)

    assert list(datasets) == ["orders", "sales"]
    assert datasets["orders"].name == "orders" and datasets["orders"].table == "raw.orders"


def test_a_mistake_names_the_file_and_field(tmp_path: Path) -> None:
    dataset = {k: v for k, v in _doc()["datasets"]["x"].items() if k != "keys"}
    (tmp_path / "bad.yaml").write_text(json.dumps(dataset))  # JSON is YAML
    with pytest.raises(DatasetConfigError, match=r"bad.yaml: datasets.bad.keys is required"):
        load_datasets(tmp_path)


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(DatasetConfigError, match="not a folder"):
        load_datasets(tmp_path / "nope")
