"""Run one DAG in this process with Airflow's own ``dag.test()``: no scheduler, API server or
dag-processor.

Started by :mod:`hangar_common.dagtest.launch` with the platform's Airflow settings (its own
metadata DB, the DAG folder as the one bundle, the cluster policy and the plugin installed as on
the platform). Applies config/environment.yaml as ``./hangar init`` does, parses the folder,
runs the DAG and writes a :class:`~hangar_common.dagtest.report.RunResult` as JSON. Tasks run
without retries, so a failure fails at once with its exception.

Usage: python -m hangar_plugins.dagtest.run --dag-folder F --dag-id ID [--day YYYY-MM-DD]
       --environment-file CONFIG.yaml --report REPORT.json
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pendulum
from airflow.listeners import hookimpl

from hangar_common.dagtest.report import (
    IMPORT_ERROR,
    NOT_FOUND,
    REFUSED,
    RunResult,
    TaskResult,
)

# Loaded by class path ([core] hostname_callable), as by every component of the platform.
from hangar_common.platform import hostname  # noqa: F401
from hangar_common.platform.environment_spec import load_environment
from hangar_common.settings import process_environ

if TYPE_CHECKING:
    from airflow.sdk import DAG

BUNDLE_NAME = "hangar"  # the platform's one bundle (airflow_config.bundle_config)


class ListenerErrors:
    """An Airflow listener keeping the exception each failed task raised, by task instance."""

    def __init__(self) -> None:
        self.errors: dict[tuple[str, int], str] = {}

    @hookimpl
    def on_task_instance_failed(self, previous_state: Any, task_instance: Any, error: Any) -> None:
        if error is None:
            return
        text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        key = (task_instance.task_id, getattr(task_instance, "map_index", -1))
        self.errors[key] = text


def check_platform_extensions() -> list[str]:
    """What is missing of the platform's cluster policy and plugin (empty: both loaded)."""
    import airflow.settings  # noqa: F401 - loads airflow_local_settings, as every component
    from airflow import plugins_manager

    from hangar_plugins.plugin import HangarPlugin
    from hangar_plugins.policies import dag_policy
    from hangar_plugins.timetables import DatedCronDataIntervalTimetable

    missing = []
    local_settings = sys.modules.get("airflow_local_settings")
    if getattr(local_settings, "dag_policy", None) is not dag_policy:
        missing.append("the cluster policy (airflow_local_settings) is not Hangar's")
    timetable = DatedCronDataIntervalTimetable
    if f"{timetable.__module__}.{timetable.__qualname__}" not in (
        plugins_manager.get_timetables_plugins()
    ):
        errors = plugins_manager.get_import_errors()
        missing.append(f"the {HangarPlugin.name!r} plugin is not loaded ({errors or 'not found'})")
    return missing


def apply_environment(environment_file: Path) -> list[str]:
    """Pools, connections and variables of the file, exactly as ``./hangar init`` applies them."""
    from hangar_plugins.environment.apply_to_db import apply

    return apply(load_environment(environment_file, process_environ())).lines()


def load_dag(folder: Path, dag_id: str) -> tuple[DAG | None, dict[str, str]]:
    """``dag_id`` from the folder (parsed as the platform's bundle) and every import error."""
    from airflow.dag_processing.dagbag import BundleDagBag

    bag = BundleDagBag(dag_folder=folder, bundle_path=folder, bundle_name=BUNDLE_NAME)
    return bag.dags.get(dag_id), dict(bag.import_errors)


def logical_date_for(dag: DAG, day: date) -> pendulum.DateTime:
    """The logical date of the run that processes ``day``: the end of the schedule's first
    interval starting on it (``dag.test()`` runs the interval ending at its logical date); for
    a DAG without intervals, midnight UTC of the day."""
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    midnight = pendulum.datetime(day.year, day.month, day.day, tz="UTC")
    timetable = coerce_to_core_timetable(dag.timetable)
    info = timetable.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=midnight, latest=None, catchup=True),
    )
    if info is None or info.data_interval is None:
        return midnight
    end: pendulum.DateTime = info.data_interval.end
    return end


def warm_execution_api() -> None:
    """Start Airflow's in-process execution API before the first task: its first request builds
    the routes of every API version (seconds), which would else count as the first task's."""
    import httpx  # pants: no-infer-dep (Airflow's own HTTP client, installed with it)
    from airflow.sdk.execution_time.supervisor import in_process_api_server

    # Any request initialises it; the transport stays open for the run's tasks (not closed).
    httpx.Client(transport=in_process_api_server().transport, base_url="http://in-process").get(
        "/health"
    )


def _text(state: Any) -> str:
    """A run or task state as its value (``success``); ``none`` when it has none."""
    return "none" if state is None else str(getattr(state, "value", state))


def _not_found(dag_id: str, folder: Path, import_errors: dict[str, str]) -> RunResult:
    if import_errors:
        text = "\n\n".join(f"{path}:\n{error.rstrip()}" for path, error in import_errors.items())
        return RunResult(
            dag_id=dag_id,
            state=IMPORT_ERROR,
            message=f"DAG {dag_id} did not load; import errors in {folder}:\n{text}",
        )
    return RunResult(
        dag_id=dag_id, state=NOT_FOUND, message=f"no DAG {dag_id} in {folder} (no import error)"
    )


def run(*, folder: Path, dag_id: str, day: date | None, environment_file: Path) -> RunResult:
    """Apply the environment, load the DAG and run it once; the outcome as a RunResult."""
    started = time.monotonic()
    missing = check_platform_extensions()
    if missing:
        raise RuntimeError("not set up as the platform: " + "; ".join(missing))
    applied = tuple(apply_environment(environment_file))
    dag, import_errors = load_dag(folder, dag_id)
    if dag is None:
        return _not_found(dag_id, folder, import_errors)
    for task in dag.tasks:
        task.retries = 0  # a test fails at once, with the exception, not after backoffs
    from airflow.sdk.listener import get_listener_manager

    listener = ListenerErrors()
    get_listener_manager().add_listener(listener)
    try:
        logical_date = logical_date_for(dag, day) if day is not None else None
        if logical_date is not None:  # what dag.test() asks first: a refusal needs no more
            from airflow.serialization.encoders import coerce_to_core_timetable

            coerce_to_core_timetable(dag.timetable).infer_manual_data_interval(
                run_after=logical_date
            )
        warm_execution_api()
        dag_run = dag.test(logical_date=logical_date)
    except ValueError as exc:  # the dated timetable refusing the interval (what the API answers)
        return RunResult(
            dag_id=dag_id, state=REFUSED, message=f"run refused: {exc}", environment=applied
        )
    tasks = tuple(
        TaskResult(
            task_id=ti.task_id,
            map_index=ti.map_index,
            state=_text(ti.state),
            seconds=ti.duration,
            tries=ti.try_number,
            error=listener.errors.get((ti.task_id, ti.map_index), ""),
        )
        for ti in sorted(
            dag_run.get_task_instances(),
            key=lambda ti: (ti.start_date or datetime.max.replace(tzinfo=UTC), ti.task_id),
        )
    )
    interval = None
    if dag_run.data_interval_start is not None and dag_run.data_interval_end is not None:
        interval = (str(dag_run.data_interval_start), str(dag_run.data_interval_end))
    return RunResult(
        dag_id=dag_id,
        state=_text(dag_run.state),
        run_id=dag_run.run_id,
        logical_date=str(dag_run.logical_date) if dag_run.logical_date else None,
        data_interval=interval,
        tasks=tasks,
        environment=applied,
        seconds=time.monotonic() - started,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dag-folder", type=Path, required=True)
    parser.add_argument("--dag-id", required=True)
    parser.add_argument("--day", type=date.fromisoformat)
    parser.add_argument("--environment-file", type=Path, required=True)
    parser.add_argument("--report", type=Path, required=True)
    args = parser.parse_args(argv)
    result = run(
        folder=args.dag_folder,
        dag_id=args.dag_id,
        day=args.day,
        environment_file=args.environment_file,
    )
    args.report.write_text(result.to_json(), encoding="utf-8")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
