"""The rules every Hangar DAG follows, as one function both tests and the platform can call."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow.sdk import DAG  # pants: no-infer-dep (type only; the CLI PEX carries no Airflow)

# Airflow's [operators] default_owner: a DAG still carrying it names no one.
AIRFLOW_DEFAULT_OWNER = "airflow"


def rule_violations(dag: DAG, *, min_retries: int = 1) -> list[str]:
    """What ``dag`` must fix to be accepted: owner, tags and retries on every task.

    Returns an empty list for a compliant DAG; each message names the DAG (and task) and the fix.
    """
    problems: list[str] = []
    if not dag.tags:
        problems.append(f"DAG {dag.dag_id!r} has no tags: add tags=[...] (team, domain)")
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
