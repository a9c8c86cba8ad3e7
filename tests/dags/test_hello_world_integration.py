"""``hello_world_<n>`` for real, in seconds: the dynamic DAGs (their number from the Variable
``dag_number`` that config/environment.yaml sets) run by ``./hangar test``'s runner.

Its target depends on hello_world.py only (tests/dags/BUILD).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.dag_runs import PipelineServices, pipeline_services


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineServices]:
    with pipeline_services(tmp_path_factory.mktemp("hello_world")) as found:
        yield found


@pytest.mark.parametrize("number", [1, 10])
def test_each_dag_says_hello_with_its_number_and_writes_nothing(
    services: PipelineServices, number: int
) -> None:
    report = services.run(f"hello_world_{number}")
    assert report.exit_code == 0, report.run
    [task] = report.run.tasks
    assert (task.task_id, task.state, task.tries) == ("say_hello", "success", 1)
    assert any(f"hello from DAG {number} for " in line for line in task.log_tail)
    assert report.footprint is not None
    assert (report.footprint.tables, report.footprint.objects) == ((), ())


def test_a_dag_beyond_the_variable_s_count_does_not_exist(services: PipelineServices) -> None:
    report = services.run("hello_world_11")
    assert report.exit_code == 1
    assert report.run.state == "not_found"
    assert "no DAG hello_world_11" in report.run.message
