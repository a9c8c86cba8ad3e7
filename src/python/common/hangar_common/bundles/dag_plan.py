"""What a deploy changes, DAG by DAG: computed from what Airflow serializes, not from text.

Each DAG's serialized form (:mod:`hangar_common.bundles.dag_snapshots`) is reduced to a
:class:`DagView` of the fields a reader cares about (schedule, start date, catchup, retries,
owners, tags, tasks with their operator, arguments and upstream tasks); two bundles' views are
compared, plus their dataset entries (config/datasets/<name>.yaml). A change outside the summarized
fields (doc_md, params, max_active_runs, ...) is named on an ``also changed:`` line, so a DAG
whose serialized form changed never shows as unchanged.

The lines, for one deploy::

    + DAG ingest_orders (4 tasks, schedule '0 2 * * *')
    - DAG platform_idle
    ~ DAG ingest_sales
        + task publish (BashOperator), upstream: load_warehouse
        schedule: '0 2 * * *' -> '0 3 * * *'
    + dataset orders
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hangar_common.bundles.dag_snapshots import BundleSnapshot

NO_CHANGES = "no DAG or dataset changes"
INDENT = "    "
# Task fields that are presentation or bookkeeping, not behaviour (or shown another way: the
# operator, the task's owner in the DAG's owners, dependencies as upstream tasks).
TASK_NOISE = frozenset(
    {
        "task_id",
        "task_type",
        "_task_module",
        "_operator_name",
        "downstream_task_ids",
        "template_fields",
        "template_fields_renderers",
        "template_ext",
        "ui_color",
        "ui_fgcolor",
        "_needs_expansion",
        "_is_empty",
        "_can_skip_downstream",
        "_operator_extra_links",
        "_task_display_name",
        "owner",
        "doc",
        "doc_md",
        "doc_rst",
        "doc_json",
        "doc_yaml",
    }
)
# DAG fields summarized on their own lines, derived from the tasks, or where the copy was parsed.
DAG_SUMMARIZED = frozenset(
    {
        "dag_id",
        "timetable",
        "start_date",
        "end_date",
        "catchup",
        "tags",
        "tasks",
        "default_args",
        "relative_fileloc",
        "fileloc",
        "_processor_dags_folder",
        "task_group",
        "dag_dependencies",
        "timezone",
    }
)


@dataclass(frozen=True, kw_only=True)
class TaskView:
    operator: str  # module.Class
    upstream: tuple[str, ...]
    arguments: dict[str, Any]  # what the task sets beyond its DAG's default_args

    @property
    def operator_name(self) -> str:
        return self.operator.rsplit(".", 1)[-1]


@dataclass(frozen=True, kw_only=True)
class DagView:
    file: str
    schedule: str | None
    start_date: str | None
    end_date: str | None
    catchup: bool | None
    retries: int | None
    owners: tuple[str, ...]
    tags: tuple[str, ...]
    default_args: dict[str, Any]
    tasks: dict[str, TaskView]
    other: dict[str, Any]  # every other DAG-level field, compared by name only

    def headline(self) -> str:
        count = len(self.tasks)
        return f"{count} task{'s' if count != 1 else ''}, schedule {_show(self.schedule)}"


def decode(value: Any) -> Any:
    """Airflow's ``{"__type": ..., "__var": ...}`` encoding, unwrapped to plain values."""
    if isinstance(value, dict):
        if "__var" in value and set(value) <= {"__type", "__var"}:
            return decode(value["__var"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def _when(value: Any) -> str | None:
    """A serialized datetime (epoch seconds, or ISO text) as ISO text in UTC."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC).isoformat()
    return str(value)


def schedule_of(timetable: Any) -> str | None:
    """A readable schedule: the cron expression, ``@once``, a delta, or the timetable's class."""
    if not isinstance(timetable, dict):
        return None if timetable is None else str(timetable)
    kind = str(timetable.get("__type", "")).rsplit(".", 1)[-1]
    var = decode(timetable.get("__var")) or {}
    if kind == "NullTimetable":
        return None
    if kind == "OnceTimetable":
        return "@once"
    if kind == "ContinuousTimetable":
        return "@continuous"
    if isinstance(var, dict) and "expression" in var:
        zone = var.get("timezone")
        return str(var["expression"]) + (f" ({zone})" if zone not in (None, "UTC") else "")
    if isinstance(var, dict) and "delta" in var:
        return f"every {var['delta']} s"
    return f"{kind}({json.dumps(var, sort_keys=True, default=str)})"


def dag_view(serialized: Mapping[str, Any]) -> DagView:
    """The summary of one DAG's serialized form (``{"__version": .., "dag": {..}}``)."""
    dag = serialized["dag"]
    client_defaults = (serialized.get("client_defaults") or {}).get("tasks", {})
    default_args = decode(dag.get("default_args")) or {}
    raw_tasks = {task["__var"]["task_id"]: task["__var"] for task in dag.get("tasks", [])}
    upstream: dict[str, list[str]] = {task_id: [] for task_id in raw_tasks}
    for task_id, task in raw_tasks.items():
        for downstream in task.get("downstream_task_ids", []):
            upstream.setdefault(downstream, []).append(task_id)
    tasks = {}
    for task_id, task in raw_tasks.items():
        arguments = {
            key: decode(value)
            for key, value in task.items()
            if key not in TASK_NOISE
            and not (key in default_args and decode(value) == default_args[key])
        }
        tasks[task_id] = TaskView(
            operator=f"{task.get('_task_module', '')}.{task.get('task_type', '?')}".lstrip("."),
            upstream=tuple(sorted(upstream[task_id])),
            arguments=arguments,
        )
    owners = {str(task.get("owner", default_args.get("owner", ""))) for task in raw_tasks.values()}
    retries = default_args.get("retries", client_defaults.get("retries"))
    return DagView(
        file=str(dag.get("relative_fileloc") or dag.get("fileloc") or ""),
        schedule=schedule_of(dag.get("timetable")),
        start_date=_when(dag.get("start_date")),
        end_date=_when(dag.get("end_date")),
        catchup=dag.get("catchup"),
        retries=retries,
        owners=tuple(sorted(owner for owner in owners if owner)),
        tags=tuple(sorted(dag.get("tags") or ())),
        default_args={k: v for k, v in default_args.items() if k not in ("retries", "owner")},
        tasks=tasks,
        other={k: v for k, v in dag.items() if k not in DAG_SUMMARIZED},
    )


def _show(value: Any) -> str:
    """A value as one short, exact token (strings quoted, containers as compact JSON)."""
    if isinstance(value, tuple | list | dict):
        return json.dumps(value, sort_keys=True, default=str, separators=(", ", ": "))
    return repr(value)


def _changes(
    before: Mapping[str, Any], after: Mapping[str, Any], *, prefix: str = "", absent: str
) -> list[str]:
    """``name: old -> new`` for each key whose value differs (a key one side lacks: ``absent``)."""

    def show(values: Mapping[str, Any], key: str) -> str:
        return _show(values[key]) if key in values else absent

    return [
        f"{prefix}{key}: {show(before, key)} -> {show(after, key)}"
        for key in sorted(set(before) | set(after))
        if before.get(key, absent) != after.get(key, absent)
    ]


def _task_lines(before: DagView, after: DagView) -> list[str]:
    lines = []
    for task_id in sorted(set(after.tasks) - set(before.tasks)):
        task = after.tasks[task_id]
        upstream = f", upstream: {', '.join(task.upstream)}" if task.upstream else ""
        lines.append(f"+ task {task_id} ({task.operator_name}){upstream}")
    lines += [f"- task {task_id}" for task_id in sorted(set(before.tasks) - set(after.tasks))]
    kept = set(before.tasks) & set(after.tasks)
    for task_id in sorted(kept):
        old, new = before.tasks[task_id], after.tasks[task_id]
        changes = []
        if old.operator != new.operator:
            names = (old.operator_name, new.operator_name)
            shown = (old.operator, new.operator) if names[0] == names[1] else names
            changes.append(f"operator: {shown[0]} -> {shown[1]}")
        # Only edges between tasks both versions have: an added task lists its own upstream.
        gone = sorted(set(old.upstream) - set(new.upstream) & kept)
        came = sorted(set(new.upstream) - set(old.upstream) & kept)
        if gone or came:
            edges = [f"+ {t}" for t in came] + [f"- {t}" for t in gone]
            changes.append(f"upstream: {', '.join(edges)}")
        changes += _changes(old.arguments, new.arguments, absent="(DAG default)")
        lines += [f"~ task {task_id}: {change}" for change in changes]
    return lines


def _dag_lines(before: DagView, after: DagView) -> list[str]:
    lines = _task_lines(before, after)
    fields = ("file", "schedule", "start_date", "end_date", "catchup", "retries", "owners", "tags")
    for name in fields:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            lines.append(f"{name.replace('_', ' ')}: {_show(old)} -> {_show(new)}")
    lines += _changes(
        before.default_args, after.default_args, prefix="default_args.", absent="(unset)"
    )
    other = sorted(
        key
        for key in set(before.other) | set(after.other)
        if before.other.get(key) != after.other.get(key)
    )
    if other:
        lines.append(f"also changed: {', '.join(other)}")
    return lines


def _dataset_lines(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    lines = [f"+ dataset {name}" for name in sorted(set(after) - set(before))]
    lines += [f"- dataset {name}" for name in sorted(set(before) - set(after))]
    for name in sorted(set(before) & set(after)):
        old, new = before[name], after[name]
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            changes = _changes(_by_name(old), _by_name(new), absent="(unset)")
        else:
            changes = [f"{_show(old)} -> {_show(new)}"]
        lines.append(f"~ dataset {name}")
        lines += [INDENT + change for change in changes]
    return lines


def _by_name(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A dataset entry with lists of named items (columns) keyed ``field[name]``: one changed
    column is one line, not the whole list."""
    flat: dict[str, Any] = {}
    for key, value in entry.items():
        if (
            isinstance(value, list)
            and value
            and all(isinstance(item, dict) and "name" in item for item in value)
        ):
            for item in value:
                flat[f"{key}[{item['name']}]"] = {k: v for k, v in item.items() if k != "name"}
        else:
            flat[key] = value
    return flat


def plan_lines(before: BundleSnapshot | None, after: BundleSnapshot) -> list[str]:
    """What deploying ``after`` over ``before`` (None: nothing deployed yet) changes."""
    old_dags = before.dags if before else {}
    old_views = {dag_id: dag_view(data) for dag_id, data in old_dags.items()}
    new_views = {dag_id: dag_view(data) for dag_id, data in after.dags.items()}
    lines = [
        f"+ DAG {dag_id} ({new_views[dag_id].headline()})"
        for dag_id in sorted(set(new_views) - set(old_views))
    ]
    lines += [f"- DAG {dag_id}" for dag_id in sorted(set(old_views) - set(new_views))]
    for dag_id in sorted(set(old_views) & set(new_views)):
        changes = _dag_lines(old_views[dag_id], new_views[dag_id])
        if changes:
            lines.append(f"~ DAG {dag_id}")
            lines += [INDENT + change for change in changes]
    old_errors = before.import_errors if before else {}
    lines += [
        f"! import error in {path}: {_last_line(error)}"
        for path, error in sorted(after.import_errors.items())
        # By message, not traceback: its file paths name where each copy was unpacked.
        if path not in old_errors or _last_line(old_errors[path]) != _last_line(error)
    ]
    lines += [
        f"- import error in {path} (fixed)"
        for path in sorted(set(old_errors) - set(after.import_errors))
    ]
    lines += _dataset_lines(before.datasets if before else {}, after.datasets)
    return lines or [NO_CHANGES]


def _last_line(error: str) -> str:
    """The last non-empty line of a traceback: the exception and its message."""
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no message)"
