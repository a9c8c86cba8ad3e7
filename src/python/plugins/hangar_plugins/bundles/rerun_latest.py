"""Clearing with "Run with latest bundle version" runs the code deployed now, running runs too.

A task's workload carries its DAG run's ``bundle_version``: that is the code a worker loads.
Airflow 3.3.2's ``clear_task_instances`` moves a *finished* run to the DAG's latest bundle
version when asked to, but a *queued or running* run only when the latest DAG version differs
from the run's. A deploy that changes code and no DAG structure (the usual fix of a failing
task) keeps one DAG version, whose bundle version Airflow updates in place: the running run
kept its old ``bundle_version`` and the cleared task re-ran the old code (apache/airflow #67657,
reproduced on Hangar's versioned bundle by
tests/plugins/bundles/test_versioned_store_integration.py; upstream fix under review in
apache/airflow #71425).

:func:`install` wraps the function where the API server looks it up (the REST/UI clear
endpoints, and the execution API's re-run of a triggered DAG): after Airflow's own clear, a run
that was moved to the latest DAG version also gets the DAG's latest bundle version. With
``run_on_latest_version`` false, and for runs without a bundle version (versioning disabled),
nothing changes. Once Airflow does it itself, the alignment finds nothing to change.
"""

from __future__ import annotations

import functools
import importlib
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any, Protocol

log = logging.getLogger(__name__)

# Modules that bind ``clear_task_instances`` by name at import (the rest import it at call time
# from airflow.models.taskinstance, which is patched first).
BOUND_IN = (
    "airflow.api_fastapi.core_api.routes.public.task_instances",
    "airflow.models.dagrun",
)
_MARK = "__hangar_rerun_latest__"


class _DagModel(Protocol):
    bundle_version: str | None


class _Run(Protocol):
    bundle_version: str | None

    @property
    def id(self) -> int: ...

    @property
    def dag_id(self) -> str: ...

    @property
    def run_id(self) -> str: ...

    @property
    def created_dag_version_id(self) -> Any: ...

    @property
    def dag_model(self) -> _DagModel | None: ...


def align_bundle_versions(
    runs: Iterable[_Run], latest_dag_version_id: Callable[[str], Any]
) -> list[tuple[str, str, str, str]]:
    """Give each run on its DAG's latest DAG version the DAG's latest bundle version.

    Only pinned runs (a ``bundle_version`` set: bundle versioning on) are touched. Returns
    ``(dag_id, run_id, old, new)`` for each run changed.
    """
    changed: list[tuple[str, str, str, str]] = []
    seen: set[Any] = set()
    for run in runs:
        if run.id in seen:
            continue
        seen.add(run.id)
        latest = run.dag_model.bundle_version if run.dag_model is not None else None
        if run.bundle_version is None or latest is None or run.bundle_version == latest:
            continue
        if run.created_dag_version_id != latest_dag_version_id(run.dag_id):
            continue  # Airflow did not move this run to the latest version: leave it pinned
        changed.append((run.dag_id, run.run_id, run.bundle_version, latest))
        run.bundle_version = latest
    return changed


def _latest_dag_version_id(dag_id: str, session: Any) -> Any:
    from airflow.models.dag_version import DagVersion

    version = DagVersion.get_latest_version(dag_id, session=session)
    return version.id if version is not None else None


def with_latest_bundle(
    original: Callable[..., None],
    latest_dag_version_id: Callable[[str, Any], Any] = _latest_dag_version_id,
) -> Callable[..., None]:
    """``clear_task_instances`` that also aligns the cleared runs' bundle versions (same
    signature: ``tis, session, dag_run_state, run_on_latest_version, prevent_running_task``)."""

    @functools.wraps(original)
    def clear_task_instances(tis: list[Any], session: Any, *args: Any, **kwargs: Any) -> None:
        original(tis, session, *args, **kwargs)
        dag_run_state = args[0] if args else kwargs.get("dag_run_state")
        run_on_latest = args[1] if len(args) > 1 else kwargs.get("run_on_latest_version", False)
        # dag_run_state False: the caller asked to leave the runs alone (Airflow does too).
        if not run_on_latest or dag_run_state is False or not tis:
            return
        changed = align_bundle_versions(
            (ti.dag_run for ti in tis), lambda dag_id: latest_dag_version_id(dag_id, session)
        )
        for dag_id, run_id, old, new in changed:
            log.info(
                "Cleared to run on the latest version: run %s of %s moves from bundle version "
                "%s to %s",
                run_id,
                dag_id,
                old,
                new,
            )
        if changed:
            session.flush()

    setattr(clear_task_instances, _MARK, True)
    return clear_task_instances


def install() -> None:
    """Patch ``clear_task_instances`` in this process (the API server's); idempotent."""
    taskinstance: Any = importlib.import_module("airflow.models.taskinstance")
    current = taskinstance.clear_task_instances
    if getattr(current, _MARK, False):
        return
    patched = with_latest_bundle(current)
    taskinstance.clear_task_instances = patched
    for name in BOUND_IN:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "clear_task_instances", None) is current:
            module.clear_task_instances = patched  # type: ignore[attr-defined]
