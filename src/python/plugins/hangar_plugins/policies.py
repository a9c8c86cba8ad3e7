"""Hangar's cluster policies: rules every DAG must follow, enforced by Airflow at parse time.

Registered on every component through ``airflow_local_settings`` (written by ``./hangar init`` into
``$AIRFLOW_HOME/config``, and baked into the image). A DAG that breaks a rule is rejected with an
import error that says what to fix; the other DAGs of the bundle load normally.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from airflow.exceptions import AirflowClusterPolicyViolation
from airflow.policies import hookimpl

from hangar_common.dag_rules import rule_violations

if TYPE_CHECKING:
    from airflow.sdk import DAG

# HANGAR_ENV=dev allows retries=0 (fast feedback while developing); everywhere else tasks retry.
DEV_ENVIRONMENTS = frozenset({"dev"})


def min_retries() -> int:
    return 0 if os.environ.get("HANGAR_ENV", "").strip() in DEV_ENVIRONMENTS else 1


@hookimpl
def dag_policy(dag: DAG) -> None:
    problems = rule_violations(dag, min_retries=min_retries())
    if problems:
        raise AirflowClusterPolicyViolation(
            f"DAG {dag.dag_id!r} rejected by Hangar's cluster policy: " + "; ".join(problems)
        )
