from __future__ import annotations

from typing import cast

from hangar_common.platform.api_client import AirflowApi
from hangar_plugins.housekeeping.bundle_store import referenced_versions
from tests.support.airflow_api_double import AirflowApiDouble


def test_every_run_of_every_page_counts_and_runs_without_a_version_do_not() -> None:
    api = AirflowApiDouble()
    api.failed_runs = [
        {"dag_id": "d", "dag_run_id": f"r{i}", "bundle_version": f"v{i % 3}"} for i in range(7)
    ] + [{"dag_id": "d", "dag_run_id": "local", "bundle_version": None}]
    found = referenced_versions(cast(AirflowApi, api), page_size=3)
    assert found == {"v0", "v1", "v2"}
    assert [params["offset"] for _, params in api.gets] == [0, 3, 6]
