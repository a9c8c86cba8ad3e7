"""The lake each task writes to: the configured one, or a preview's own prefix of it."""

from __future__ import annotations

import pytest

from hangar_plugins.pipelines.settings import lake_url, partition_folder


def test_a_deployed_dag_s_task_writes_to_the_configured_lake(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRFLOW__HANGAR__LAKE_URL", "s3://team-lake")
    assert lake_url() == "s3://team-lake"


def test_a_preview_s_task_writes_under_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from airflow import sdk

    class Dag:
        dag_id = "ingest_sales__preview_feat_x"

    monkeypatch.setenv("AIRFLOW__HANGAR__LAKE_URL", "s3://team-lake/")
    monkeypatch.setattr(sdk, "get_current_context", lambda: {"dag": Dag()})
    assert lake_url() == "s3://team-lake/previews/feat_x"
    folder = partition_folder("parquet/sales", datetime(2026, 12, 1, tzinfo=UTC), conn_id=None)
    assert str(folder).startswith("s3://team-lake/previews/feat_x/parquet/sales/")
