from __future__ import annotations

from datetime import UTC, datetime

from hangar_plugins.ingestion.dag_factory import build_ingestion_dag
from hangar_plugins.ingestion.datasets import Column, Dataset
from hangar_plugins.operators.warehouse_upsert import WarehouseUpsertOperator

DATASET = Dataset(
    name="orders",
    url="/orders/{ds}.csv",
    http_conn_id="orders_api",
    table="raw.orders",
    keys=("order_id",),
    columns=(Column(name="order_id", type="int", required=True),),
    schedule="0 2 * * *",
    start_date=datetime(2026, 10, 1, tzinfo=UTC),
    max_bad_share=0.05,
    owner="sales-eng",
    description="Orders of the shop.",
)


def test_one_dataset_becomes_one_four_step_dag() -> None:
    dag = build_ingestion_dag(DATASET)
    assert dag.dag_id == "ingest_orders"
    assert set(dag.tags) == {"ingestion", "dataset:orders"}
    assert dag.catchup is False and dag.max_active_runs == 4
    assert dag.start_date == datetime(2026, 10, 1, tzinfo=UTC)
    assert getattr(dag.timetable, "expression", None) == "0 2 * * *"
    order = ["download_source", "convert_to_parquet", "create_table", "load_warehouse"]
    assert [t.task_id for t in dag.topological_sort()] == order
    for upstream, downstream in zip(order, order[1:], strict=False):
        assert dag.get_task(downstream).upstream_task_ids == {upstream}
    assert all(task.owner == "sales-eng" for task in dag.tasks)


def test_the_load_step_upserts_on_the_datasets_keys_and_the_doc_says_so() -> None:
    dag = build_ingestion_dag(DATASET)
    load = dag.get_task("load_warehouse")
    assert isinstance(load, WarehouseUpsertOperator)
    assert load.table == "raw.orders" and list(load.keys) == ["order_id"]
    assert "convert_to_parquet" in load.source
    assert dag.doc_md is not None
    for fact in ("`/orders/{ds}.csv`", "`orders_api`", "5.0%", "order_id", "2026-10-01"):
        assert fact in dag.doc_md
