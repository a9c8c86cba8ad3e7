"""What a test run of one DAG reports: its tasks, and what it wrote to the warehouse and lake.

The run's own process (:mod:`hangar_plugins.dagtest.run`) writes :class:`RunResult` as JSON;
the launcher (:mod:`hangar_common.dagtest.launch`) adds the log tails and the footprint
(:mod:`hangar_common.dagtest.footprint`) and renders the whole for people.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

# RunResult.state besides Airflow's run states (success, failed):
IMPORT_ERROR = "import_error"  # the DAG's file (or the whole folder) failed to import
NOT_FOUND = "not_found"  # no file of the folder defines the DAG
REFUSED = "refused"  # the run was not made (e.g. a date before the DAG's history starts)
CRASHED = "crashed"  # the run's process ended without a report
TAIL_KEPT = 50  # log lines kept per task


@dataclass(frozen=True, kw_only=True)
class TaskResult:
    task_id: str
    map_index: int = -1
    state: str
    seconds: float | None = None
    tries: int = 0
    error: str = ""  # the exception that failed it, "Type: message"
    log_tail: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.task_id if self.map_index < 0 else f"{self.task_id}[{self.map_index}]"


@dataclass(frozen=True, kw_only=True)
class RunResult:
    dag_id: str
    state: str
    message: str = ""  # why it failed before or outside its tasks (import error, refusal)
    run_id: str = ""
    logical_date: str | None = None
    data_interval: tuple[str, str] | None = None
    tasks: tuple[TaskResult, ...] = ()
    environment: tuple[str, ...] = ()  # what applying config/environment.yaml did
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.state == "success"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> RunResult:
        data = json.loads(text)
        tasks = tuple(
            TaskResult(**{**task, "log_tail": tuple(task.get("log_tail", ()))})
            for task in data.pop("tasks", [])
        )
        interval = data.pop("data_interval", None)
        return cls(
            **{**data, "environment": tuple(data.get("environment", ()))},
            tasks=tasks,
            data_interval=(interval[0], interval[1]) if interval else None,
        )

    def with_logs(self, sections: dict[tuple[str, int], list[str]]) -> RunResult:
        """Each task with its log lines, and for a failed task without a recorded exception
        (one raised outside its code) the last one its log shows."""
        from hangar_common.dagtest.run_log import last_exception

        tasks = []
        for task in self.tasks:
            lines = sections.get((task.task_id, task.map_index), [])
            error = task.error or (last_exception(lines) if task.state == "failed" else "")
            tasks.append(replace(task, log_tail=tuple(lines[-TAIL_KEPT:]), error=error))
        return replace(self, tasks=tuple(tasks))


@dataclass(frozen=True, kw_only=True)
class TableChange:
    table: str
    before: int | None  # None: the table did not exist
    after: int | None


@dataclass(frozen=True, kw_only=True)
class ObjectChange:
    key: str
    change: str  # added, changed, removed
    size: int


@dataclass(frozen=True, kw_only=True)
class Footprint:
    """What the run changed: warehouse row counts and lake objects (only what differs)."""

    warehouse: str  # where, for the header (no password)
    lake: str
    tables: tuple[TableChange, ...] = ()
    tables_unchanged: int = 0
    objects: tuple[ObjectChange, ...] = ()
    warehouse_seen: bool = True  # both snapshots reached it (else: see problems)
    lake_seen: bool = True
    problems: tuple[str, ...] = ()  # what could not be looked at, and why


@dataclass(frozen=True, kw_only=True)
class DagTestReport:
    run: RunResult
    footprint: Footprint | None = None
    log_file: Path | None = None
    seconds: float = 0.0  # the whole test, metadata DB copy included
    notes: tuple[str, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        return 0 if self.run.ok else 1


def _size(size: int) -> str:
    for unit in ("B", "kB", "MB"):
        if size < 1000 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000  # type: ignore[assignment]
    return str(size)


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def render(report: DagTestReport, *, tail_lines: int = 5, failed_tail_lines: int = 20) -> str:
    """The report as people read it: outcome, tasks (failures with their log), footprint."""
    run = report.run
    lines = [f"{run.dag_id}: {run.state.upper()} in {report.seconds:.1f} s"]
    if run.run_id:
        when = (
            f"interval {run.data_interval[0]} → {run.data_interval[1]}"
            if run.data_interval
            else "no logical date: the run derives its interval (see its log)"
        )
        lines.append(f"  run {run.run_id}, {when}")
    if run.message:
        lines += ["", *(f"  {line}" for line in run.message.rstrip().splitlines())]
    if run.tasks:
        width = max(len("task"), *(len(task.label) for task in run.tasks))
        lines += ["", f"  {'task':<{width}}  {'state':<16}{'seconds':>8}  tries"]
        for task in run.tasks:
            seconds = "" if task.seconds is None else f"{task.seconds:.2f}"
            lines.append(f"  {task.label:<{width}}  {task.state:<16}{seconds:>8}  {task.tries}")
        for task in run.tasks:
            if task.error:
                lines += ["", f"  {task.label} failed: {task.error}"]
            count = failed_tail_lines if task.state == "failed" else tail_lines
            tail = task.log_tail[-count:] if count else ()
            if tail:
                lines += ["", f"  {task.label}, last lines of its log:"]
                lines += [f"    | {line}" for line in tail]
    footprint = report.footprint
    if footprint is not None and run.run_id:  # no run made: nothing written to show
        lines += [""]
        if footprint.warehouse_seen:
            lines.append(f"  warehouse {footprint.warehouse}:")
        for table in footprint.tables:
            before, after = table.before or 0, table.after or 0
            lines.append(
                f"    {table.table}: {_count(table.before)} → {_count(table.after)} rows"
                f" ({after - before:+d})"
            )
        if footprint.warehouse_seen:
            if not footprint.tables:
                lines.append("    no table changed")
            lines.append(f"    ({footprint.tables_unchanged} other tables unchanged)")
        if footprint.lake_seen:
            lines.append(f"  lake {footprint.lake}:")
        marks = {"added": "+", "changed": "~", "removed": "-"}
        for obj in footprint.objects:
            lines.append(f"    {marks[obj.change]} {obj.key} ({_size(obj.size)})")
        if footprint.lake_seen and not footprint.objects:
            lines.append("    no object added or changed")
        lines += [f"  not looked at: {problem}" for problem in footprint.problems]
    lines += [f"  {note}" for note in report.notes]
    if report.log_file is not None:
        lines.append(f"  full log: {report.log_file}")
    return "\n".join(lines)
