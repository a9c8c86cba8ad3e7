"""A preview's DAG gets its own id, tag and paused start at parse; its tasks know their preview."""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

from hangar_plugins.previews import apply_preview_identity, current_preview


def dag_at(fileloc: str) -> DAG:
    with DAG(
        "ingest_sales",
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        tags=["owner:data-eng"],
    ) as dag:
        EmptyOperator(task_id="load")
    dag.fileloc = fileloc
    return dag


def test_a_dag_of_a_preview_is_renamed_tagged_and_paused() -> None:
    dag = dag_at("/srv/bundles/hangar-previews/tree/feat_x/hangar_dags/ingestion.py")
    assert apply_preview_identity(dag) == "feat_x"
    assert dag.dag_id == "ingest_sales__preview_feat_x"
    assert dag.task_dict["load"].dag_id == "ingest_sales__preview_feat_x"
    assert set(dag.tags) == {"owner:data-eng", "preview:feat_x"}
    assert dag.is_paused_upon_creation is True
    # Applied twice (a policy re-run on the same object): the id does not grow.
    apply_preview_identity(dag)
    assert dag.dag_id == "ingest_sales__preview_feat_x"


def test_a_deployed_dag_is_left_alone() -> None:
    dag = dag_at("/srv/bundles/hangar/current/hangar_dags/ingestion.py")
    assert apply_preview_identity(dag) is None
    assert dag.dag_id == "ingest_sales" and set(dag.tags) == {"owner:data-eng"}
    assert dag.is_paused_upon_creation is None


def test_outside_a_task_there_is_no_preview() -> None:
    assert current_preview() is None
