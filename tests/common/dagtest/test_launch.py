from __future__ import annotations

import json
from pathlib import Path

from hangar_common.dagtest.launch import install_platform_extensions, runner_environment
from hangar_common.platform.secrets import FERNET_KEY
from tests.support.paths import repo_root

PLATFORM = {
    "HANGAR_HOME": "/checkout",
    "HANGAR_POSTGRES_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
    "HANGAR_METADATA_DB_URL": "postgresql://postgres@127.0.0.1:5432/hangar_abc123_airflow",
    "HANGAR_WAREHOUSE_DB": "hangar_abc123_warehouse",
    "HANGAR_S3_ENDPOINT": "http://127.0.0.1:8333",
    "HANGAR_LAKE_URL": "s3://hangar-lake",
    "HANGAR_SLACK_TOKEN": "xoxb-platform",
    "HANGAR_STATSD_PORT": "9125",
    "HANGAR_DAG_SOURCE": "store",
    "HANGAR_FERNET_KEY": "the-platform-s-key",
    "HANGAR_STACK": "celery",
}


def _environment(tmp_path: Path) -> dict[str, str]:
    return runner_environment(
        {**PLATFORM, "HANGAR_STATE_DIR": str(tmp_path / "platform")},
        project_root=repo_root(),
        work_dir=tmp_path / "run",
        metadata_db_url="postgresql://postgres@127.0.0.1:5432/hangar_dagtest_run_1",
        dag_folder=tmp_path / "dags",
    )


def test_the_run_gets_the_platform_s_settings_but_a_metadata_db_and_state_of_its_own(
    tmp_path: Path,
) -> None:
    env = _environment(tmp_path)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("/hangar_dagtest_run_1")
    assert env["AIRFLOW_HOME"] == str(tmp_path / "run" / "airflow")
    [bundle] = json.loads(env["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"])
    assert bundle["classpath"].endswith("LocalDagBundle")  # the folder, not the store
    assert bundle["kwargs"]["path"] == str(tmp_path / "dags")
    # The platform's endpoints and settings reach the run ...
    assert env["HANGAR_S3_ENDPOINT"] == "http://127.0.0.1:8333"
    assert env["HANGAR_WAREHOUSE_DB"] == "hangar_abc123_warehouse"
    assert env["AIRFLOW__HANGAR__LAKE_URL"] == "s3://hangar-lake"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    # ... but not its alerts, metrics or secrets.
    assert "HANGAR_SLACK_TOKEN" not in env and env["AIRFLOW__HANGAR__SLACK_ALERTS"] == "False"
    assert "AIRFLOW__METRICS__STATSD_ON" not in env
    assert env["AIRFLOW__CORE__FERNET_KEY"] != "the-platform-s-key" and FERNET_KEY not in env


def test_policy_and_plugin_are_installed_where_airflow_looks(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    install_platform_extensions(env)
    local_settings = Path(env["AIRFLOW_HOME"]) / "config" / "airflow_local_settings.py"
    assert "from hangar_plugins.policies import dag_policy" in local_settings.read_text()
    plugin = Path(env["AIRFLOW__CORE__PLUGINS_FOLDER"]) / "hangar.py"
    assert "from hangar_plugins.plugin import HangarPlugin" in plugin.read_text()
