"""The rules every Hangar DAG follows, as functions both tests and the platform can call.

:func:`rule_violations` lists each problem on its own (one line per task); :func:`rule_clauses`
is what the cluster policy reports: one clause per rule, naming every task it concerns, so a
DAG's violations read as one message (``HANGAR_DAG_POLICY``: the import error in enforce mode,
the recorded warning in warn mode).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hangar_plugins.catchup_check import calls_missing_catchup

if TYPE_CHECKING:
    from airflow.sdk import DAG  # pants: no-infer-dep (type only; the CLI PEX carries no Airflow)

# Airflow's [operators] default_owner: a DAG still carrying it names no one.
AIRFLOW_DEFAULT_OWNER = "airflow"
# schedule=None, "@once", "@continuous" and asset triggers: no past intervals to catch up on.
UNSCHEDULED_TIMETABLES = frozenset(
    {"NullTimetable", "OnceTimetable", "ContinuousTimetable", "AssetTriggeredTimetable"}
)


def rule_violations(dag: DAG, *, min_retries: int = 1) -> list[str]:
    """What ``dag`` must fix to be accepted: tags, a deliberate catchup, owner and retries.

    Returns an empty list for a compliant DAG; each message names the DAG (and task) and the fix.
    """
    problems: list[str] = []
    if not dag.tags:
        problems.append(f"DAG {dag.dag_id!r} has no tags: add tags=[...] (team, domain)")
    if _is_scheduled(dag) and dag.fileloc:
        for line in calls_missing_catchup(dag.fileloc, dag.dag_id):
            problems.append(
                f"DAG {dag.dag_id!r} has a schedule but no explicit catchup (line {line}): "
                "pass catchup=True to backfill missed intervals or catchup=False to skip them"
            )
    for task in dag.tasks:
        owner = (task.owner or "").strip()
        if not owner or owner == AIRFLOW_DEFAULT_OWNER:
            problems.append(
                f"task {dag.dag_id}.{task.task_id} has no owner: set default_args={{'owner': ...}}"
            )
        retries = task.retries or 0
        if retries < min_retries:
            problems.append(
                f"task {dag.dag_id}.{task.task_id} has retries={retries}: "
                f"set retries >= {min_retries} (default_task_args does)"
            )
    return problems


# Tasks a clause names before "+N more": a DAG of 200 tasks still reads as one line.
TASKS_NAMED = 5


def rule_clauses(dag: DAG, *, min_retries: int = 1) -> list[str]:
    """What ``dag`` must fix, one clause per rule (tags, catchup, owners, retries), each naming
    every task concerned; empty for a compliant DAG. The same findings as
    :func:`rule_violations`, grouped."""
    clauses: list[str] = []
    if not dag.tags:
        clauses.append("no tags: add tags=[...] (team, domain)")
    if _is_scheduled(dag) and dag.fileloc:
        lines = calls_missing_catchup(dag.fileloc, dag.dag_id)
        if lines:
            where = ", ".join(str(line) for line in lines)
            clauses.append(
                f"a schedule but no explicit catchup (line {where}): pass catchup=True to "
                "backfill missed intervals or catchup=False to skip them"
            )
    ownerless = [task.task_id for task in dag.tasks if not _has_owner(task)]
    if ownerless:
        clauses.append(f"{_tasks(ownerless, 'no owner')}: set default_args={{'owner': ...}}")
    by_retries: dict[int, list[str]] = {}
    for task in dag.tasks:
        retries = task.retries or 0
        if retries < min_retries:
            by_retries.setdefault(retries, []).append(task.task_id)
    for retries, task_ids in sorted(by_retries.items()):
        clauses.append(
            f"{_tasks(task_ids, f'retries={retries}')}: set retries >= {min_retries} "
            "(default_task_args does)"
        )
    return clauses


def violation_message(dag_id: str, clauses: list[str]) -> str:
    """One DAG's violations as one line: ``DAG 'x': clause; clause``."""
    return f"DAG {dag_id!r}: " + "; ".join(clauses)


def _tasks(task_ids: list[str], what: str) -> str:
    """``task a has <what>`` or ``3 tasks have <what> (a, b, c)``."""
    if len(task_ids) == 1:
        return f"task {task_ids[0]} has {what}"
    named = ", ".join(task_ids[:TASKS_NAMED])
    more = len(task_ids) - TASKS_NAMED
    return f"{len(task_ids)} tasks have {what} ({named}{f', +{more} more' if more > 0 else ''})"


def _has_owner(task: object) -> bool:
    owner = (getattr(task, "owner", None) or "").strip()
    return bool(owner) and owner != AIRFLOW_DEFAULT_OWNER


def _is_scheduled(dag: DAG) -> bool:
    # Time-based schedules (cron, timedelta, timetables) create runs for past intervals when
    # catchup is on; manual (None) and asset-triggered DAGs have no intervals to catch up.
    # The Task SDK's timetables carry no ``periodic`` flag, so the unscheduled kinds are named.
    return type(dag.timetable).__name__ not in UNSCHEDULED_TIMETABLES
