"""Where warn mode (``HANGAR_DAG_POLICY=warn``) keeps each DAG's rule violations: one record per DAG.

The cluster policy runs in the dag-processor's parse process, which Airflow 3 keeps away from
the metadata DB (its ORM is blocked); what it may write goes through the dag-processor's own
channel to Airflow's execution API, and of what that channel stores only Variables are free-form.
So each violating DAG gets one Variable, ``hangar.dag_policy.<dag_id>``, holding its clauses as
JSON (written only when they change; deleted at the first parse without violations), which
every component reads alike: the Hangar page from the metadata DB, ``./hangar doctor`` through
the page. Airflow's own DAG warnings (``dag_warning``) were the first choice, but their types
are a closed enum (asset conflict, non-existent pool, runtime varying value): the dag-processor
builds, stores and clears only those, and the REST API rejects any other type.

Only the dag-processor records (a worker parses the DAG's pinned version, whose violations may be
older); a deploy's parse (:mod:`hangar_plugins.bundles.dag_snapshot`) collects them in memory
instead (:func:`collecting`).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hangar_plugins.dag_rules import violation_message

log = logging.getLogger(__name__)

VARIABLE_PREFIX = "hangar.dag_policy."
DESCRIPTION = (
    "Written by Hangar's cluster policy in warn mode (HANGAR_DAG_POLICY=warn): the DAG's rule "
    "violations, rewritten at each parse. Fix the DAG, do not edit."
)

_collector: dict[str, list[str]] | None = None


@dataclass(frozen=True)
class PolicyViolation:
    """One DAG's violations: what the Hangar page and ``./hangar doctor`` list, one per DAG."""

    dag_id: str
    clauses: list[str]

    @property
    def message(self) -> str:
        return violation_message(self.dag_id, self.clauses)


def variable_key(dag_id: str) -> str:
    return f"{VARIABLE_PREFIX}{dag_id}"


def encode(dag_id: str, clauses: list[str]) -> str:
    return json.dumps({"dag_id": dag_id, "clauses": list(clauses)}, sort_keys=True)


def decode(value: str | None) -> PolicyViolation | None:
    """A record's value; None for one that is not a record (edited by hand, say)."""
    try:
        data = json.loads(value or "")
        return PolicyViolation(str(data["dag_id"]), [str(c) for c in data["clauses"]])
    except (ValueError, KeyError, TypeError):
        return None


def current_violations(
    records: Mapping[str, str | None], active_dag_ids: set[str]
) -> list[PolicyViolation]:
    """The violations of DAGs that are loaded now, by DAG id, from ``{variable key: value}``.

    A removed DAG (not active) leaves its record behind until housekeeping; it is not listed.
    """
    found = []
    for key, value in records.items():
        record = decode(value) if key.startswith(VARIABLE_PREFIX) else None
        if record and record.clauses and record.dag_id in active_dag_ids:
            found.append(record)
    return sorted(found, key=lambda record: record.dag_id)


@contextmanager
def collecting() -> Iterator[dict[str, list[str]]]:
    """Record into the returned dict (DAG id -> clauses) instead of Variables, for a parse of
    this process (the deploy's)."""
    global _collector
    previous, _collector = _collector, {}
    try:
        yield _collector
    finally:
        _collector = previous


def in_dag_processor(argv: list[str] | None = None) -> bool:
    """True in ``airflow dag-processor`` and its parse processes (forked: same arguments)."""
    args = sys.argv if argv is None else argv
    return "dag-processor" in args[1:3]


def collect(dag_id: str, clauses: list[str]) -> bool:
    """In a parse that collects (:func:`collecting`), keep ``dag_id``'s violations in memory, in
    either mode; False elsewhere."""
    if _collector is None:
        return False
    if clauses:
        _collector[dag_id] = list(clauses)
    else:
        _collector.pop(dag_id, None)
    return True


def record(dag_id: str, clauses: list[str]) -> None:
    """Keep ``dag_id``'s violations (none: forget them), in the dag-processor only. Never fails
    the parse."""
    if not in_dag_processor():
        return
    try:
        _sync_variable(dag_id, clauses)
    except Exception as exc:  # noqa: BLE001 - a record is best effort; the DAG still loads
        log.warning("Hangar policy: cannot record violations of %s: %s", dag_id, exc)


def _sync_variable(dag_id: str, clauses: list[str]) -> None:
    from airflow.sdk.execution_time import task_runner
    from airflow.sdk.execution_time.comms import (
        DeleteVariable,
        GetVariable,
        PutVariable,
        VariableResult,
    )

    comms: Any = getattr(task_runner, "SUPERVISOR_COMMS", None)
    if comms is None:  # the dag-processor's manager itself: it parses nothing
        return
    key = variable_key(dag_id)
    wanted = encode(dag_id, clauses) if clauses else None
    stored = comms.send(GetVariable(key=key))
    stored_value = stored.value if isinstance(stored, VariableResult) else None
    if stored_value == wanted:
        return
    if wanted is None:
        comms.send(DeleteVariable(key=key))
    else:
        comms.send(PutVariable(key=key, value=wanted, description=DESCRIPTION))
