"""The runner on DAG files of the test's own: a task that raises, a file that does not import,
a DAG the cluster policy rejects, and a good run, each with its exit code and message."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hangar_common.dagtest.launch import run_dag_test
from hangar_common.dagtest.report import DagTestReport, render
from tests.support.paths import repo_root

HEADER = """\
import pendulum
from airflow.sdk import DAG, task

from hangar_plugins.defaults import default_task_args

ARGS = dict(schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False)
"""
DAGS = {
    "chain.py": HEADER
    + """
with DAG("chain", tags=["test"], default_args=default_task_args(owner="qa"), **ARGS):

    @task
    def first() -> int:
        print("first ran")
        return 1

    @task
    def boom(value: int) -> None:
        if value == 1:
            raise ValueError("the source file has no header row")

    @task
    def after(value: None) -> None:
        pass

    after(boom(first()))

with DAG("fine", tags=["test"], default_args=default_task_args(owner="qa"), **ARGS):

    @task
    def hello() -> str:
        return "hello"

    hello()
""",
    "unimportable.py": "from airflow.sdk import DAG\nimport hangar_no_such_module  # noqa\n",
    "untagged.py": HEADER
    + """
with DAG("untagged", default_args=default_task_args(owner="qa"), **ARGS):

    @task
    def noop() -> None:
        pass

    noop()
""",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dags = tmp_path_factory.mktemp("dags")
    for name, text in DAGS.items():
        (dags / name).write_text(text)
    return dags


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    state = tmp_path_factory.mktemp("state")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("HANGAR_", "AIRFLOW"))}
    yield {
        **base,
        "HANGAR_POSTGRES_URL": os.environ.get(
            "HANGAR_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        "HANGAR_HOME": str(repo_root()),
        "HANGAR_STATE_DIR": str(state),
        "PYTHONPATH": os.pathsep.join(os.path.abspath(p) for p in sys.path if p),
    }


def _run(env: dict[str, str], folder: Path, tmp_path: Path, dag_id: str) -> DagTestReport:
    report = run_dag_test(
        project_root=repo_root(), env=env, dag_id=dag_id, dag_folder=folder, work_dir=tmp_path
    )
    print(render(report))
    return report


def test_a_task_that_raises_fails_the_run_with_its_message(
    env: dict[str, str], folder: Path, tmp_path: Path
) -> None:
    report = _run(env, folder, tmp_path, "chain")
    assert (report.exit_code, report.run.state) == (1, "failed")
    states = {task.task_id: (task.state, task.tries) for task in report.run.tasks}
    # No retries in a test: the failure is final at the first try.
    assert states == {
        "first": ("success", 1),
        "boom": ("failed", 1),
        "after": ("upstream_failed", 0),
    }
    boom = next(task for task in report.run.tasks if task.task_id == "boom")
    assert boom.error == "ValueError: the source file has no header row"
    assert "boom failed: ValueError: the source file has no header row" in render(report)
    first = next(task for task in report.run.tasks if task.task_id == "first")
    assert "first ran" in first.log_tail


def test_a_good_dag_succeeds_beside_files_that_do_not_load(
    env: dict[str, str], folder: Path, tmp_path: Path
) -> None:
    report = _run(env, folder, tmp_path, "fine")
    assert (report.exit_code, report.run.state) == (0, "success")
    assert [(t.task_id, t.state) for t in report.run.tasks] == [("hello", "success")]


def test_a_dag_whose_file_does_not_import_fails_with_the_import_error(
    env: dict[str, str], folder: Path, tmp_path: Path
) -> None:
    report = _run(env, folder, tmp_path, "unimportable")
    assert (report.exit_code, report.run.state) == (1, "import_error")
    assert "unimportable.py" in report.run.message
    assert "No module named 'hangar_no_such_module'" in report.run.message


def test_a_dag_the_cluster_policy_rejects_fails_saying_what_to_fix(
    env: dict[str, str], folder: Path, tmp_path: Path
) -> None:
    report = _run(env, folder, tmp_path, "untagged")
    assert report.run.state == "import_error"
    assert "rejected by Hangar's cluster policy" in report.run.message
    assert "no tags: add tags=[...]" in report.run.message
