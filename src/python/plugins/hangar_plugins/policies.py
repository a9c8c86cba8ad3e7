"""Hangar's cluster policies: defaults every DAG gets and rules every DAG must follow.

Registered on every component through ``airflow_local_settings`` (written by ``./hangar init``
into ``$AIRFLOW_HOME/config``, and baked into the image), so the platform enforces them, not
only the test suite. At parse time each DAG:

1. gets its defaults: tasks without an owner take the DAG's ``owner:<name>`` tag; every task and
   the DAG run get the Slack failure alert (retry/success alerts where asked; see
   :mod:`hangar_plugins.alerts.attach`). Default retries come from ``[core]
   default_task_retries``, which the platform sets.
   Dates are honest: a manual run outside the DAG's range is refused when triggered
   (:mod:`hangar_plugins.timetables`), and every task checks its run's dates first
   (:mod:`hangar_plugins.run_dates`: backfills, runs without a data interval), so no run
   "succeeds" with nothing done.
2. is checked: no tags, a task without owner, retries 0 outside ``HANGAR_ENV=dev``, or a
   schedule without an explicit ``catchup`` reject the DAG with an import error that says what
   to fix, one clause per rule naming every task concerned; the other DAGs of the bundle load
   normally. With ``HANGAR_DAG_POLICY=warn`` (adopting existing DAGs) such a DAG loads with its
   defaults and its violations are recorded once per DAG (:mod:`hangar_plugins.policy_record`),
   listed by the Hangar page and ``./hangar doctor``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow.exceptions import AirflowClusterPolicyViolation
from airflow.policies import hookimpl

from hangar_common.settings import current
from hangar_plugins.alerts.attach import attach_alerts
from hangar_plugins.dag_rules import AIRFLOW_DEFAULT_OWNER, rule_clauses
from hangar_plugins.policy_record import collect, record
from hangar_plugins.previews import apply_preview_identity
from hangar_plugins.run_dates import guard_run_dates
from hangar_plugins.tags import tag_value
from hangar_plugins.timetables import date_schedule

if TYPE_CHECKING:
    from airflow.sdk import DAG

# HANGAR_ENV=dev allows retries=0 (fast feedback while developing); everywhere else tasks retry.
DEV_ENVIRONMENTS = frozenset({"dev"})
OWNER_TAG_PREFIX = "owner:"


def min_retries() -> int:
    return 0 if current("env") in DEV_ENVIRONMENTS else 1


def warns() -> bool:
    """``HANGAR_DAG_POLICY=warn``: rule breakers load and are recorded instead of rejected."""
    return bool(current("dag_policy") == "warn")


REJECTED = "rejected by Hangar's cluster policy"


def rejection_message(dag_id: str, clauses: list[str]) -> str:
    return f"DAG {dag_id!r} {REJECTED}: " + "; ".join(clauses)


def is_rejection(import_error: str) -> bool:
    """Whether an import error (``"<exception type>: <message>"``, as the DagBag keeps it) is this
    policy's rejection of a DAG."""
    return (
        import_error.startswith(AirflowClusterPolicyViolation.__name__) and REJECTED in import_error
    )


def apply_default_owner(dag: DAG) -> None:
    owner = tag_value(dag.tags, OWNER_TAG_PREFIX)
    if owner is None:
        return
    for task in dag.tasks:
        if (task.owner or "").strip() in ("", AIRFLOW_DEFAULT_OWNER):
            task.owner = owner


@hookimpl
def dag_policy(dag: DAG) -> None:
    apply_preview_identity(dag)  # first: the rules and records name the preview's own id
    apply_default_owner(dag)
    clauses = rule_clauses(dag, min_retries=min_retries())
    collected = collect(dag.dag_id, clauses)  # a deploy's parse: per DAG, in either mode
    if not warns():
        if clauses:
            raise AirflowClusterPolicyViolation(rejection_message(dag.dag_id, clauses))
    elif not collected:
        record(dag.dag_id, clauses)
    date_schedule(dag)
    guard_run_dates(dag)
    attach_alerts(dag)
