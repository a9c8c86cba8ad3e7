"""Every DAG file of the bundle imports cleanly, within its parse budget, and follows the rules.

The bundle is parsed with Airflow's own DagBag, as the dag-processor parses it.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

import hangar_dags
from hangar_common.bundles.dag_snapshots import parse_bundles
from hangar_common.bundles.dag_stability import compare_parses, refusal_lines
from hangar_plugins.dag_rules import rule_violations
from tests.support.paths import repo_root

BUNDLE_ROOT = Path(hangar_dags.__file__).resolve().parent.parent
DAG_FOLDER = BUNDLE_ROOT / "hangar_dags"
# Seconds one DAG file may take to import (Airflow's own measure). Parse time is a budget: the
# dag-processor re-parses every file continually, and heavy top-level work belongs in tasks.
PARSE_BUDGET_S = 2.0


def _parse(folder: Path, bundle_root: Path) -> DagBag:
    return DagBag(dag_folder=str(folder), bundle_path=bundle_root, safe_mode=False)


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return _parse(DAG_FOLDER, BUNDLE_ROOT)


def _seconds(duration: timedelta | float) -> float:
    return duration.total_seconds() if isinstance(duration, timedelta) else float(duration)


def test_every_dag_file_imports_without_errors(dagbag: DagBag) -> None:
    assert dagbag.import_errors == {}


def test_the_bundle_holds_dags_and_every_dag_file_defines_one(dagbag: DagBag) -> None:
    assert dagbag.dags, "no DAG found in the bundle"
    files_with_dags = {Path(dag.fileloc).resolve() for dag in dagbag.dags.values()}
    dag_files = {path.resolve() for path in DAG_FOLDER.rglob("*.py") if path.name != "__init__.py"}
    assert dag_files <= files_with_dags, f"files without a DAG: {dag_files - files_with_dags}"


def test_every_dag_file_parses_within_budget(dagbag: DagBag) -> None:
    assert dagbag.dagbag_stats, "DagBag recorded no parse statistics"
    slow = {
        stat.file: round(_seconds(stat.duration), 3)
        for stat in dagbag.dagbag_stats
        if _seconds(stat.duration) > PARSE_BUDGET_S
    }
    assert slow == {}, f"DAG files over the {PARSE_BUDGET_S} s parse budget: {slow}"


def test_every_dag_has_owner_tags_and_retries(dagbag: DagBag) -> None:
    problems = [problem for dag in dagbag.dags.values() for problem in rule_violations(dag)]
    assert problems == []


def test_every_dag_is_documented(dagbag: DagBag) -> None:
    undocumented = sorted(dag_id for dag_id, dag in dagbag.dags.items() if not dag.doc_md)
    assert undocumented == []


def test_a_broken_dag_file_is_reported(tmp_path: Path) -> None:
    """Guards the suite: an import error and a rule violation are both caught."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "broken.py").write_text("from airflow.sdk import dag\nraise RuntimeError('boom')\n")
    (folder / "ownerless.py").write_text(
        "import pendulum\nfrom airflow.sdk import DAG\n"
        "from airflow.providers.standard.operators.empty import EmptyOperator\n"
        "with DAG('ownerless', schedule=None, start_date=pendulum.datetime(2026, 1, 1)) as dag:\n"
        "    EmptyOperator(task_id='t')\n"
    )
    bag = _parse(folder, tmp_path)
    assert [Path(path).name for path in bag.import_errors] == ["broken.py"]
    assert "boom" in next(iter(bag.import_errors.values()))
    problems = rule_violations(bag.dags["ownerless"])
    assert problems == [
        "DAG 'ownerless' has no tags: add tags=[...] (team, domain)",
        "task ownerless.t has no owner: set default_args={'owner': ...}",
        "task ownerless.t has retries=0: set retries >= 1 (default_task_args does)",
    ]


def test_every_dag_documents_itself(dagbag: DagBag) -> None:
    undocumented = sorted(dag_id for dag_id, dag in dagbag.dags.items() if not dag.doc_md)
    assert undocumented == []


def test_every_dag_serializes_the_same_at_every_parse(tmp_path: Path) -> None:
    """The version-inflation guard ``./hangar deploy`` applies: two parses in separate processes
    (the platform's policy and plugin, distinct hash seeds) serialize every DAG identically, so
    no parse mints a new DAG version."""
    first, second = parse_bundles(
        [BUNDLE_ROOT, BUNDLE_ROOT],
        env={k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")},
        project_root=repo_root(),
        work_dir=tmp_path,
    )
    assert first.import_errors == {}
    assert set(first.dags) == set(second.dags) and first.dags
    unstable = compare_parses(first, second)
    assert unstable == [], "\n".join(refusal_lines(unstable))


def test_every_dag_file_can_run_itself_locally() -> None:
    missing = [
        path.name
        for path in sorted(DAG_FOLDER.rglob("*.py"))
        if path.name != "__init__.py"
        and 'if __name__ == "__main__":' not in path.read_text(encoding="utf-8")
    ]
    assert missing == [], f"add `if __name__ == '__main__': dag.test()` to {missing}"
