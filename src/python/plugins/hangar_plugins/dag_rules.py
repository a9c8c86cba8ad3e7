"""The rules every Hangar DAG follows, as one function both tests and the platform can call."""

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


def _is_scheduled(dag: DAG) -> bool:
    # Time-based schedules (cron, timedelta, timetables) create runs for past intervals when
    # catchup is on; manual (None) and asset-triggered DAGs have no intervals to catch up.
    # The Task SDK's timetables carry no ``periodic`` flag, so the unscheduled kinds are named.
    return type(dag.timetable).__name__ not in UNSCHEDULED_TIMETABLES
