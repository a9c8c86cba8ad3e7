"""The cluster policy rejects a DAG that breaks the rules at parse time; the others load."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.settings import get_policy_plugin_manager

from hangar_plugins import policies

GOOD = """
import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("good", schedule=None, start_date=pendulum.datetime(2026, 1, 1), tags=["t"],
         default_args={"owner": "data-eng", "retries": 1}):
    EmptyOperator(task_id="t")
"""
OWNERLESS = GOOD.replace('"good"', '"ownerless"').replace('"owner": "data-eng", ', "")
NO_RETRIES = GOOD.replace('"good"', '"no_retries"').replace('"retries": 1', '"retries": 0')


@pytest.fixture
def policy_registered() -> Iterator[None]:
    manager = get_policy_plugin_manager()
    manager.register(policies)
    yield
    manager.unregister(policies)


def _parse(tmp_path: Path) -> DagBag:
    for name, text in (("good.py", GOOD), ("ownerless.py", OWNERLESS), ("retries.py", NO_RETRIES)):
        (tmp_path / name).write_text(text)
    return DagBag(dag_folder=str(tmp_path), bundle_path=tmp_path, safe_mode=False)


def test_rule_breakers_are_rejected_with_the_fix_and_the_rest_load(
    tmp_path: Path, policy_registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HANGAR_ENV", raising=False)
    bag = _parse(tmp_path)
    assert sorted(bag.dags) == ["good"]
    errors = {Path(path).name: message for path, message in bag.import_errors.items()}
    assert set(errors) == {"ownerless.py", "retries.py"}
    assert "DAG 'ownerless' rejected by Hangar's cluster policy" in errors["ownerless.py"]
    assert "has no owner: set default_args={'owner': ...}" in errors["ownerless.py"]
    assert "has retries=0: set retries >= 1" in errors["retries.py"]


def test_dev_allows_zero_retries(
    tmp_path: Path, policy_registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANGAR_ENV", "dev")
    bag = _parse(tmp_path)
    assert sorted(bag.dags) == ["good", "no_retries"]
    assert [Path(path).name for path in bag.import_errors] == ["ownerless.py"]
