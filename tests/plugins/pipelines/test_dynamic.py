from __future__ import annotations

import pytest

from hangar_plugins.pipelines.dynamic import configured_dag_count


def test_the_environment_variable_wins_without_any_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_VAR_DAG_NUMBER", "4")
    assert configured_dag_count("dag_number", default=10) == 4


def test_unreachable_variable_store_falls_back_to_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AIRFLOW_VAR_DAG_NUMBER", raising=False)
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "sqlite:////nonexistent/dir/x.db")
    assert configured_dag_count("dag_number", default=7) == 7


def test_a_bad_value_fails_the_parse_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_VAR_DAG_NUMBER", "lots")
    with pytest.raises(ValueError, match="dag_number='lots'"):
        configured_dag_count("dag_number", default=10)
