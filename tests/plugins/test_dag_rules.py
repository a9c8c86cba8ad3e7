from __future__ import annotations

from typing import Any

import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

from hangar_plugins.dag_rules import rule_clauses, rule_violations, violation_message
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


def _many(count: int, **kwargs: Any) -> DAG:
    with DAG("many", schedule=None, start_date=pendulum.datetime(2026, 1, 1), **kwargs) as dag:
        for index in range(count):
            EmptyOperator(task_id=f"t{index}", retries=index % 2)
    return dag


def test_clauses_are_one_per_rule_naming_every_task() -> None:
    dag = _dag(default_args={"owner": "airflow", "retries": 1})
    assert rule_clauses(dag) == [
        "no tags: add tags=[...] (team, domain)",
        "2 tasks have no owner (a, b): set default_args={'owner': ...}",
        "task b has retries=0: set retries >= 1 (default_task_args does)",
    ]
    assert violation_message("d", rule_clauses(dag)).startswith(
        "DAG 'd': no tags: add tags=[...] (team, domain); 2 tasks have no owner (a, b)"
    )


def test_a_long_task_list_is_cut_and_retries_are_grouped_by_value() -> None:
    dag = _many(8, tags=["t"], default_args={"owner": "x"})
    assert rule_clauses(dag, min_retries=2) == [
        "4 tasks have retries=0 (t0, t2, t4, t6): set retries >= 2 (default_task_args does)",
        "4 tasks have retries=1 (t1, t3, t5, t7): set retries >= 2 (default_task_args does)",
    ]
    ownerless = rule_clauses(_many(12, tags=["t"]), min_retries=0)
    assert ownerless == [
        "12 tasks have no owner (t0, t1, t2, t3, t4, +7 more): set default_args={'owner': ...}"
    ]


def test_clauses_and_violations_agree_on_compliance() -> None:
    good = _dag(tags=["t"], default_args=default_task_args(owner="x", retries=1))
    assert rule_clauses(good, min_retries=0) == rule_violations(good, min_retries=0) == []
