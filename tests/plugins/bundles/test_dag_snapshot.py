"""The runner's parse of a bundle folder, in this process (the CLI starts it as a child)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hangar_plugins.bundles.dag_snapshot import main, snapshot

DAG = """
from datetime import datetime

import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("stamped", schedule="0 3 * * *", start_date=pendulum.datetime(2026, 1, 1), catchup=False):
    BashOperator(task_id="stamp", bash_command="echo " + datetime.now().isoformat())
"""


def test_snapshot_is_what_airflow_hashes_with_import_errors_and_static_findings(
    tmp_path: Path,
) -> None:
    (tmp_path / "stamped.py").write_text(DAG)
    (tmp_path / "broken_dag.py").write_text("import airflow\nraise ValueError('no dag here')\n")
    result = snapshot(tmp_path)
    entry = result["dags"]["stamped"]
    assert entry["file"] == "stamped.py" and len(entry["hash"]) == 32
    assert "fileloc" not in entry["data"]["dag"]
    [task] = entry["data"]["dag"]["tasks"]
    assert task["__var"]["bash_command"].startswith("echo 20")
    assert "ValueError: no dag here" in result["import_errors"]["broken_dag.py"]
    [finding] = result["static_findings"]["stamped.py"]
    assert finding.startswith("line 9: ") and "datetime.now()" in finding


def test_main_writes_json_and_refuses_a_missing_folder(tmp_path: Path) -> None:
    (tmp_path / "bundle").mkdir()
    out = tmp_path / "out.json"
    assert main(["--bundle", str(tmp_path / "bundle"), "--out", str(out)]) == 0
    assert json.loads(out.read_text())["dags"] == {}
    assert main(["--bundle", str(tmp_path / "missing"), "--out", str(out)]) == 2


LEGACY = """
import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

for dag_id in ("legacy_a", "legacy_b"):
    with DAG(dag_id, schedule=None, start_date=pendulum.datetime(2026, 1, 1), tags=["t"],
             default_args={"retries": 1}):
        EmptyOperator(task_id="extract") >> EmptyOperator(task_id="load")
"""


def test_policy_violations_are_per_dag_not_import_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.settings import get_policy_plugin_manager

    from hangar_plugins import policies

    monkeypatch.setenv("HANGAR_DAG_POLICY", "enforce")
    (tmp_path / "legacy.py").write_text(LEGACY)
    manager = get_policy_plugin_manager()
    manager.register(policies)
    try:
        result = snapshot(tmp_path)
    finally:
        manager.unregister(policies)
    assert result["dags"] == {} and result["import_errors"] == {}
    assert result["policy_violations"] == {
        dag_id: ["2 tasks have no owner (extract, load): set default_args={'owner': ...}"]
        for dag_id in ("legacy_a", "legacy_b")
    }
