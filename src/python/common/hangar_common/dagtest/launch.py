"""Test one DAG for real: run it once with Airflow's ``dag.test()`` against given services.

:func:`run_dag_test` gives the run what a platform component gets — the ``AIRFLOW__*`` settings
:func:`~hangar_common.platform.entrypoint.process_environment` derives from the ``HANGAR_*``
ones, the cluster policy and the plugin installed as ``./hangar init`` installs them, the DAG
folder as the one bundle — but a metadata DB of its own (:mod:`hangar_common.dagtest.metadata_db`)
and no scheduler, API server or dag-processor. The run itself happens in a child process
(:mod:`hangar_plugins.dagtest.run`: this side imports no Airflow); its output is kept in
``run.log`` under ``work_dir``. Service endpoints (warehouse, object store, sources) come from
``env`` as they do for the platform.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from hangar_common.dagtest import footprint
from hangar_common.dagtest.metadata_db import drop_orphans, ensure_template, run_database
from hangar_common.dagtest.report import CRASHED, DagTestReport, RunResult
from hangar_common.dagtest.run_log import task_sections
from hangar_common.platform.config import load_platform_config, state_paths
from hangar_common.platform.entrypoint import process_environment
from hangar_common.platform.environment_spec import environment_file, load_environment
from hangar_common.platform.plan import component_environment
from hangar_common.platform.secrets import SECRET_NAMES, generate
from hangar_common.platform.stack import PLUGIN_SHIM, POLICY_SHIM
from hangar_common.settings import HangarSettings, Stack, env_name, read_dotenv

# The process that runs the DAG, started by name: the CLI that launches it carries no Airflow.
RUNNER_MODULE = "hangar_plugins.dagtest.run"
# Settings a test run never takes from the platform: alerts, metrics and remote logs stay off.
NOT_INHERITED = ("slack_token", "statsd_port", "prometheus_url", "stack_id", "metrics")


def default_dag_folder(env: Mapping[str, str], project_root: Path) -> Path:
    """The folder the platform serves DAGs from (``HANGAR_DAG_BUNDLE_ROOT``, else src/python/dags)."""
    return load_platform_config(env, project_root=project_root).dag_bundle_root


def runner_environment(
    env: Mapping[str, str],
    *,
    project_root: Path,
    work_dir: Path,
    metadata_db_url: str,
    dag_folder: Path,
) -> dict[str, str]:
    """The run's process environment: the platform's settings with a state folder, metadata
    DB and secrets of its own, ``dag_folder`` as the bundle, alerts and metrics off."""
    platform_secrets = read_dotenv(state_paths(env, project_root).secrets_file)
    given = {k: v for k, v in env.items() if k not in {env_name(n) for n in NOT_INHERITED}}
    given.update(
        {
            env_name("state_dir"): str(work_dir),
            env_name("metadata_db_url"): metadata_db_url,
            env_name("dag_bundle_root"): str(dag_folder),
            env_name("dag_source"): "checkout",
            # One bundle, the folder: no previews bundle (a run of one DAG file serves no store).
            env_name("bundle_store_url"): "",
            env_name("embedded_bundle_store_url"): "",
            env_name("plugins_folder"): str(work_dir / "plugins"),
            env_name("remote_log_url"): "off",
            env_name("auth_manager"): "simple",
        }
    )
    fresh = generate()
    given.update({name: fresh[name] for name in SECRET_NAMES})
    child = component_environment(
        given, project_root=project_root, stack=Stack.EMBEDDED, secrets=platform_secrets
    )
    return process_environment(child, project_root)


def install_platform_extensions(env: Mapping[str, str]) -> None:
    """The cluster policy and the plugin, where Airflow looks for them (as ``./hangar init``)."""
    home, plugins = Path(env["AIRFLOW_HOME"]), Path(env["AIRFLOW__CORE__PLUGINS_FOLDER"])
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "airflow_local_settings.py").write_text(POLICY_SHIM, encoding="utf-8")
    plugins.mkdir(parents=True, exist_ok=True)
    (plugins / "hangar.py").write_text(PLUGIN_SHIM, encoding="utf-8")


def _migrate(env: Mapping[str, str], *, python: str, log: Path) -> None:
    with log.open("ab") as out:
        migrated = subprocess.run(
            [python, "-m", "airflow", "db", "migrate"],
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=900,
            check=False,
        )
    if migrated.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"airflow db migrate of the test template failed:\n{tail}")


def _result(report_file: Path, log: Path, dag_id: str, returncode: int) -> RunResult:
    if report_file.is_file():
        return RunResult.from_json(report_file.read_text(encoding="utf-8"))
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
    return RunResult(
        dag_id=dag_id,
        state=CRASHED,
        message=f"the run's process exited {returncode} without a report; its last lines:\n{tail}",
    )


def run_dag_test(
    *,
    project_root: Path,
    env: Mapping[str, str],
    dag_id: str,
    work_dir: Path,
    dag_folder: Path | None = None,
    day: date | None = None,
    python: str = sys.executable,
    timeout: float | None = None,
) -> DagTestReport:
    """Run ``dag_id`` once (for ``day``: the interval starting on it; else as a run without a
    logical date) against the services of ``env``; its report, log tails and footprint.

    ``work_dir`` is emptied first and keeps the run's state and ``run.log`` afterwards.
    """
    started = time.monotonic()
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    log = work_dir / "run.log"
    folder = (dag_folder or default_dag_folder(env, project_root)).resolve()
    server = HangarSettings.from_env(env).postgres_url

    def environment(metadata_db_url: str) -> dict[str, str]:
        return runner_environment(
            env,
            project_root=project_root,
            work_dir=work_dir,
            metadata_db_url=metadata_db_url,
            dag_folder=folder,
        )

    template = ensure_template(
        server, migrate=lambda url: _migrate(environment(url), python=python, log=log)
    )
    drop_orphans(server)
    report_file = work_dir / "report.json"
    with run_database(template) as metadata_db_url:
        child_env = environment(metadata_db_url)
        install_platform_extensions(child_env)
        settings = HangarSettings.from_env(child_env)
        config_file = environment_file(child_env)
        spec = load_environment(config_file, child_env)
        before = footprint.snapshot(spec, lake_url=settings.lake_url)
        command = [python, "-m", RUNNER_MODULE, "--dag-folder", str(folder), "--dag-id", dag_id]
        command += ["--environment-file", str(config_file), "--report", str(report_file)]
        if day is not None:
            command += ["--day", day.isoformat()]
        with log.open("ab") as out:
            proc = subprocess.run(
                command,
                env=child_env,
                cwd=work_dir,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        after = footprint.snapshot(spec, lake_url=settings.lake_url)
    warehouse = footprint.describe_warehouse(
        next((c for c in spec.connections if c.conn_id == footprint.WAREHOUSE_CONN_ID), None)
    )
    result = _result(report_file, log, dag_id, proc.returncode)
    with log.open(encoding="utf-8", errors="replace") as lines:
        result = result.with_logs(task_sections(lines))
    return DagTestReport(
        run=result,
        footprint=footprint.compare(before, after, warehouse=warehouse, lake=settings.lake_url),
        log_file=log,
        seconds=time.monotonic() - started,
    )
