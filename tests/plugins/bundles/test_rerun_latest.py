"""Clearing with "run on latest version" moves a running run's bundle version too (#67657).

End to end on a real stack: test_versioned_store_integration.py
(test_clear_with_latest_while_the_run_is_running).
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from typing import Any

import pytest

from hangar_plugins.bundles import rerun_latest
from hangar_plugins.bundles.rerun_latest import align_bundle_versions, with_latest_bundle


@dataclass
class DagModel:
    bundle_version: str | None


@dataclass
class Run:
    id: int
    dag_id: str
    run_id: str
    bundle_version: str | None
    created_dag_version_id: Any
    dag_model: DagModel


@dataclass
class TI:
    dag_run: Run


@dataclass
class Session:
    flushes: int = 0

    def flush(self) -> None:
        self.flushes += 1


def run(bundle_version: str | None = "v1", *, latest: str | None = "v2", dag_version: str = "dv1"):
    return Run(1, "d", "r", bundle_version, dag_version, DagModel(latest))


LATEST = {"d": "dv1"}.__getitem__


def test_a_run_on_the_latest_dag_version_gets_the_latest_bundle_version() -> None:
    pinned = run()
    assert align_bundle_versions([pinned, pinned], LATEST) == [("d", "r", "v1", "v2")]
    assert pinned.bundle_version == "v2"


@pytest.mark.parametrize(
    "case",
    [
        run(None),  # bundle versioning disabled: runs carry no version
        run(latest=None),  # the DAG has no bundle version
        run("v2"),  # already there (Airflow moved it, or nothing new)
        run(dag_version="dv0"),  # not moved to the latest DAG version: stays pinned
    ],
)
def test_other_runs_are_left_alone(case: Run) -> None:
    before = case.bundle_version
    assert align_bundle_versions([case], LATEST) == []
    assert case.bundle_version == before


@dataclass
class Original:
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append((args, kwargs))


@pytest.mark.parametrize(
    ("args", "kwargs", "moved"),
    [
        (("QUEUED",), {"run_on_latest_version": True}, True),  # the REST/UI clear
        ((), {"dag_run_state": "QUEUED", "run_on_latest_version": True}, True),
        (("QUEUED", True), {}, True),
        ((), {"run_on_latest_version": True}, True),  # dag.clear: default run state
        (("QUEUED",), {"run_on_latest_version": False}, False),
        ((), {}, False),
        ((False,), {"run_on_latest_version": True}, False),  # reset_dag_runs=False
    ],
)
def test_the_wrapper_calls_airflow_then_aligns_only_when_asked(
    args: tuple[Any, ...], kwargs: dict[str, Any], moved: bool
) -> None:
    original, session, pinned = Original(), Session(), run()
    clear = with_latest_bundle(original, lambda dag_id, s: "dv1")
    clear([TI(pinned)], session, *args, **kwargs)
    assert original.calls == [(([TI(pinned)], session, *args), kwargs)]
    assert pinned.bundle_version == ("v2" if moved else "v1")
    assert session.flushes == (1 if moved else 0)


def test_install_patches_where_the_api_server_looks_it_up_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = Original()
    modules = {}
    for name in ("airflow.models.taskinstance", *rerun_latest.BOUND_IN):
        modules[name] = types.ModuleType(name)
        modules[name].clear_task_instances = original  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, name, modules[name])
    rerun_latest.install()
    patched = modules["airflow.models.taskinstance"].clear_task_instances
    assert patched is not original and patched.__wrapped__ is original
    assert {m.clear_task_instances for m in modules.values()} == {patched}
    rerun_latest.install()  # a second app in the same process
    assert modules["airflow.models.taskinstance"].clear_task_instances is patched
