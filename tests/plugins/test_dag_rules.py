from __future__ import annotations

from typing import Any

import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

from hangar_plugins.dag_rules import rule_violations
from hangar_plugins.defaults import default_task_args


def _dag(**kwargs: Any) -> DAG:
    with DAG("d", schedule=None, start_date=pendulum.datetime(2026, 1, 1), **kwargs) as dag:
        EmptyOperator(task_id="a")
        EmptyOperator(task_id="b", retries=0)
    return dag


def test_compliant_dag_has_no_violations_except_the_task_that_overrides_retries() -> None:
    dag = _dag(tags=["t"], default_args=default_task_args(owner="data-eng"))
    assert rule_violations(dag) == [
        "task d.b has retries=0: set retries >= 1 (default_task_args does)"
    ]


def test_default_owner_counts_as_no_owner() -> None:
    dag = _dag(tags=["t"], default_args={"owner": "airflow", "retries": 1})
    assert rule_violations(dag) == [
        "task d.a has no owner: set default_args={'owner': ...}",
        "task d.b has no owner: set default_args={'owner': ...}",
        "task d.b has retries=0: set retries >= 1 (default_task_args does)",
    ]


def test_min_retries_is_configurable() -> None:
    dag = _dag(tags=["t"], default_args=default_task_args(owner="x", retries=1))
    assert rule_violations(dag, min_retries=0) == []
