"""The plan's lines from serialized DAGs shaped as Airflow 3.3 writes them (see dag_snapshot)."""

from __future__ import annotations

import copy
from typing import Any

from hangar_common.bundles.dag_plan import NO_CHANGES, dag_view, plan_lines, schedule_of
from hangar_common.bundles.dag_snapshots import BundleSnapshot

CRON = "airflow.timetables.interval.CronDataIntervalTimetable"


def _task(task_id: str, *downstream: str, **arguments: Any) -> dict[str, Any]:
    return {
        "__type": "operator",
        "__var": {
            "task_id": task_id,
            "task_type": "BashOperator",
            "_task_module": "airflow.providers.standard.operators.bash",
            "downstream_task_ids": list(downstream),
            "template_fields": ["bash_command"],
            "ui_color": "#f0ede4",
            "owner": "data-eng",
            "retries": 2,
            **arguments,
        },
    }


def _dag(dag_id: str, *tasks: dict[str, Any], schedule: str | None = "0 2 * * *") -> dict:
    timetable: dict[str, Any] = (
        {"__type": CRON, "__var": {"expression": schedule, "timezone": "UTC"}}
        if schedule
        else {"__type": "airflow.timetables.simple.NullTimetable", "__var": {}}
    )
    return {
        "__version": 3,
        "dag": {
            "dag_id": dag_id,
            "_processor_dags_folder": "/somewhere",
            "relative_fileloc": f"hangar_dags/{dag_id}.py",
            "catchup": False,
            "start_date": 1793491200.0,  # 2026-11-01
            "tags": ["team"],
            "timetable": timetable,
            "default_args": {"__type": "dict", "__var": {"owner": "data-eng", "retries": 2}},
            "doc_md": "docs",
            "tasks": list(tasks),
            "task_group": {"children": {}},
        },
    }


def _bundle(*dags: dict[str, Any], datasets: dict[str, Any] | None = None) -> BundleSnapshot:
    by_id = {dag["dag"]["dag_id"]: dag for dag in dags}
    return BundleSnapshot(
        dags=by_id,
        hashes={dag_id: str(hash(repr(dag))) for dag_id, dag in by_id.items()},
        files={dag_id: f"hangar_dags/{dag_id}.py" for dag_id in by_id},
        datasets=datasets or {},
    )


BASE = _dag("ingest", _task("extract", "load"), _task("load", bash_command="load.sh"))


def test_identical_bundles_have_no_changes() -> None:
    assert plan_lines(_bundle(BASE), _bundle(copy.deepcopy(BASE))) == [NO_CHANGES]


def test_a_task_added_is_one_line_with_its_upstream() -> None:
    after = _dag(
        "ingest",
        _task("extract", "load"),
        _task("load", "publish", bash_command="load.sh"),
        _task("publish"),
    )
    assert plan_lines(_bundle(BASE), _bundle(after)) == [
        "~ DAG ingest",
        "    + task publish (BashOperator), upstream: load",
    ]


def test_a_schedule_change_is_one_line() -> None:
    after = copy.deepcopy(BASE)
    after["dag"]["timetable"]["__var"]["expression"] = "0 3 * * *"
    assert plan_lines(_bundle(BASE), _bundle(after)) == [
        "~ DAG ingest",
        "    schedule: '0 2 * * *' -> '0 3 * * *'",
    ]


def test_dags_added_and_removed() -> None:
    other = _dag("other", _task("only"), schedule=None)
    assert plan_lines(_bundle(BASE), _bundle(BASE, other)) == [
        "+ DAG other (1 task, schedule None)"
    ]
    assert plan_lines(_bundle(BASE, other), _bundle(BASE)) == ["- DAG other"]
    assert plan_lines(None, _bundle(other)) == ["+ DAG other (1 task, schedule None)"]


def test_task_arguments_operator_and_dependencies() -> None:
    after = _dag(
        "ingest",
        _task("extract"),
        _task("load", "extract", bash_command="load.sh --all", retries=5),
    )
    after["dag"]["tasks"][0]["__var"]["task_type"] = "EmptyOperator"
    assert plan_lines(_bundle(BASE), _bundle(after)) == [
        "~ DAG ingest",
        "    ~ task extract: operator: BashOperator -> EmptyOperator",
        "    ~ task extract: upstream: + load",
        "    ~ task load: upstream: - extract",
        "    ~ task load: bash_command: 'load.sh' -> 'load.sh --all'",
        "    ~ task load: retries: (DAG default) -> 5",
    ]


def test_dag_fields_and_other_fields() -> None:
    after = copy.deepcopy(BASE)
    dag = after["dag"]
    dag.update(catchup=True, start_date=1793577600.0, tags=["team", "new"], doc_md="new docs")
    dag["default_args"]["__var"]["retries"] = 3
    dag["tasks"] = [_task("extract", "load", retries=3), _task("load", bash_command="load.sh")]
    dag["tasks"][1]["__var"]["retries"] = 3
    assert plan_lines(_bundle(BASE), _bundle(after)) == [
        "~ DAG ingest",
        "    start date: '2026-11-01T00:00:00+00:00' -> '2026-11-02T00:00:00+00:00'",
        "    catchup: False -> True",
        "    retries: 2 -> 3",
        '    tags: ["team"] -> ["new", "team"]',
        "    also changed: doc_md",
    ]


def test_owners_are_the_tasks_owners() -> None:
    after = _dag(
        "ingest", _task("extract", "load", owner="ops"), _task("load", bash_command="load.sh")
    )
    assert dag_view(after).owners == ("data-eng", "ops")
    assert plan_lines(_bundle(BASE), _bundle(after))[1:] == [
        '    owners: ["data-eng"] -> ["data-eng", "ops"]'
    ]


def test_dataset_entries_added_removed_and_changed_field_by_field() -> None:
    sales = {"schedule": "0 2 * * *", "columns": [{"name": "id", "type": "int"}]}
    changed = {"schedule": "0 3 * * *", "columns": [{"name": "id", "type": "float"}]}
    before = _bundle(BASE, datasets={"sales": sales, "gone": {}})
    after = _bundle(BASE, datasets={"sales": changed, "orders": {"schedule": None}})
    assert plan_lines(before, after) == [
        "+ dataset orders",
        "- dataset gone",
        "~ dataset sales",
        '    columns[id]: {"type": "int"} -> {"type": "float"}',
        "    schedule: '0 2 * * *' -> '0 3 * * *'",
    ]


def test_import_errors_are_listed_once_and_their_fixes() -> None:
    broken = BundleSnapshot(
        dags={}, hashes={}, files={}, import_errors={"a.py": "Traceback\n  ...\nValueError: x"}
    )
    assert plan_lines(_bundle(), broken) == ["! import error in a.py: ValueError: x"]
    assert plan_lines(broken, broken) == [NO_CHANGES]
    elsewhere = {"a.py": "Traceback\n  File /other/copy/a.py\nValueError: x"}
    assert plan_lines(
        broken, BundleSnapshot(dags={}, hashes={}, files={}, import_errors=elsewhere)
    ) == [NO_CHANGES]
    assert plan_lines(broken, _bundle()) == ["- import error in a.py (fixed)"]


def test_schedules_read_as_written() -> None:
    assert schedule_of({"__type": "airflow.timetables.simple.OnceTimetable", "__var": {}}) == (
        "@once"
    )
    hangar = {
        "__type": "hangar_plugins.timetables.DatedCronDataIntervalTimetable",
        "__var": {"expression": "0 2 * * *", "timezone": "Europe/Berlin", "range_start": "x"},
    }
    assert schedule_of(hangar) == "0 2 * * * (Europe/Berlin)"
    assert schedule_of(None) is None
