"""``platform_smoke_check`` for real, in seconds: the fan-out of mapped tasks and the verified
total, run by ``./hangar test``'s runner. Its target depends on platform_smoke_check.py only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.dag_runs import PipelineServices, pipeline_services


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineServices]:
    with pipeline_services(tmp_path_factory.mktemp("smoke")) as found:
        yield found


def test_every_chunk_runs_and_the_total_is_verified(services: PipelineServices) -> None:
    report = services.run("platform_smoke_check")
    assert report.exit_code == 0, report.run
    chunks = [task for task in report.run.tasks if task.task_id == "sum_chunk"]
    assert sorted(task.map_index for task in chunks) == list(range(12))  # the default chunks
    assert {task.state for task in report.run.tasks} == {"success"}
    [verify] = [task for task in report.run.tasks if task.task_id == "verify"]
    assert any("Returned value was: 333332833333500000" in line for line in verify.log_tail)
    assert report.footprint is not None
    assert (report.footprint.tables, report.footprint.objects) == ((), ())
