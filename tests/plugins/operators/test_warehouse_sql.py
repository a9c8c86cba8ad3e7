from __future__ import annotations

import pendulum
import pytest
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG

from hangar_plugins.operators.warehouse_sql import WarehouseSQLOperator


def test_search_path_is_templated_on_top_of_the_provider_fields() -> None:
    assert WarehouseSQLOperator.template_fields == (
        *SQLExecuteQueryOperator.template_fields,
        "search_path",
    )
    with DAG("d", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
        op = WarehouseSQLOperator(
            task_id="t", sql="SELECT {{ params.n }}", search_path="{{ params.env }}_marts, public"
        )
    op.render_template_fields({"params": {"env": "prod", "n": 1}})
    assert (op.search_path, op.sql, op.conn_id) == ("prod_marts, public", "SELECT 1", "warehouse")


@pytest.mark.parametrize("search_path", ["", " , ", "marts; DROP TABLE x"])
def test_bad_search_paths_fail_before_any_sql(search_path: str) -> None:
    op = WarehouseSQLOperator(task_id="t", sql="SELECT 1", search_path=search_path)
    with pytest.raises(ValueError, match="search_path|schema"):
        op.execute({})
