"""The generated ``provider_<name>_<env>`` DAGs for real, in seconds: each refreshes its day's
row in its environment's schema of the warehouse, run by ``./hangar test``'s runner.

Its target depends on the generated DAG files only (one template, rendered per provider and
environment by ``./hangar generate``; tests/dags/BUILD).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from tests.support.dag_runs import PipelineServices, pipeline_services

DAY = date(2026, 11, 3)
# dag_id -> (table, environment)
PROVIDERS = {
    "provider_acme_dev": ("dev_providers.acme_deliveries", "dev"),
    "provider_acme_prod": ("prod_providers.acme_deliveries", "prod"),
    "provider_globex_prod": ("prod_providers.globex_deliveries", "prod"),
}


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineServices]:
    with pipeline_services(tmp_path_factory.mktemp("providers")) as found:
        yield found


@pytest.mark.parametrize("dag_id", sorted(PROVIDERS))
def test_the_day_s_row_is_refreshed_in_its_environment_s_schema(
    services: PipelineServices, dag_id: str
) -> None:
    table, environment = PROVIDERS[dag_id]
    report = services.run(dag_id, day=DAY)
    assert report.exit_code == 0, report.run
    query = f"SELECT day, environment, refreshed_by FROM {table} WHERE day = %s"
    assert services.rows(query, DAY) == [(DAY, environment, report.run.run_id)]
    assert report.footprint is not None
    assert [(t.table, t.after) for t in report.footprint.tables] == [(table, 1)]


def test_a_rerun_replaces_the_day_s_row(services: PipelineServices) -> None:
    table, day = PROVIDERS["provider_acme_dev"][0], date(2026, 11, 4)
    first = services.run("provider_acme_dev", day=day)
    again = services.run("provider_acme_dev", day=day)
    assert (first.exit_code, again.exit_code) == (0, 0), again.run
    assert first.run.run_id != again.run.run_id
    query = f"SELECT day, refreshed_by FROM {table} WHERE day = %s"
    assert services.rows(query, day) == [(day, again.run.run_id)]
