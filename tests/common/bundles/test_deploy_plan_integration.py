"""``./hangar deploy --plan`` and the version-inflation guard on real bundle artifacts.

Artifacts are the platform suites' bundle PEX (tests/support/platform_dags:bundle, built like the
library's) plus a probe DAG and a dataset entry; the store is a local folder. Each case changes
one thing, and the plan must show exactly that, nothing else.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from hangar_common.bundles.store import BundleStore
from tests.support.fixture_dags import bundle_pex
from tests.support.hangar_stack import hangar

PROBE = """
import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG(
    "plan_probe",
    schedule={schedule},
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["test"],
    default_args={{"owner": "platform", "retries": 1}},
    doc_md="The plan test's probe.",
):
    extract = BashOperator(task_id="extract", bash_command="echo extract")
    load = BashOperator(task_id="load", bash_command="echo load")
    extract >> load{extra}
"""
PUBLISH = '\n    load >> BashOperator(task_id="publish", bash_command="echo publish")'
STAMPED = """
from datetime import datetime

import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG(
    "stamped", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False,
    tags=["test"], default_args={"owner": "platform", "retries": 1}, doc_md="Inflates.",
):
    BashOperator(task_id="stamp", bash_command="echo " + datetime.now().isoformat())
"""
SALES = "schedule: '0 2 * * *'\nkeys: [order_id]\n"
ORDERS = "schedule: '0 4 * * *'\nkeys: [order_id]\n"
DATE = (1980, 1, 1, 0, 0, 0)


def make_artifact(
    tmp: Path,
    name: str,
    *,
    schedule: str = "'0 2 * * *'",
    extra: str = "",
    drop: tuple[str, ...] = (),
    add: dict[str, str] | None = None,
) -> Path:
    """The fixture bundle with the probe DAG and the sales dataset entry, changed as asked."""
    files = {
        "plan_probe.py": PROBE.format(schedule=schedule, extra=extra),
        "config/datasets/sales.yaml": SALES,
        **(add or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bundle_pex().read_bytes())) as src:
        with zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                if not (drop and info.filename.endswith(drop)):
                    dst.writestr(info, src.read(info))
            for name_in_bundle, text in sorted(files.items()):
                dst.writestr(zipfile.ZipInfo(name_in_bundle, date_time=DATE), text)
    path = tmp / f"{name}.pex"
    path.write_bytes(out.getvalue())
    return path


def plan_of(output: str) -> list[str]:
    """The plan's lines of a deploy's output (between its header and its timing line)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("plan (against"))
    end = next(i for i, line in enumerate(lines) if line.startswith("plan computed in"))
    return [line.removeprefix("  ") for line in lines[start + 1 : end]]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path, str]:
    """A store holding the base artifact as its current version."""
    tmp = tmp_path_factory.mktemp("plan")
    env = {
        **os.environ,
        "HANGAR_BUNDLE_STORE_URL": f"file://{tmp / 'store'}",
        "HANGAR_STATE_DIR": str(tmp / "state"),
    }
    base = hangar(env, "deploy", "--artifact", str(make_artifact(tmp, "base")), timeout=900)
    assert base.returncode == 0, base.stdout + base.stderr
    print(base.stdout)
    store = BundleStore.from_url(env["HANGAR_BUNDLE_STORE_URL"])
    pointer = store.current()
    assert pointer is not None
    # The first version's plan, in its manifest: everything added.
    plan = store.manifest(pointer.version).plan
    assert plan is not None and plan["against"] is None
    assert "+ DAG plan_probe (2 tasks, schedule '0 2 * * *')" in plan["lines"]
    assert "+ dataset sales" in plan["lines"]
    return env, tmp, pointer.version


def _plan(workspace: tuple[dict[str, str], Path, str], name: str, **change: Any) -> list[str]:
    env, tmp, _ = workspace
    artifact = make_artifact(tmp, name, **change)
    proc = hangar(env, "deploy", "--plan", "--artifact", str(artifact), timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    print(f"[{name}]\n{proc.stdout}")
    assert "plan only: nothing uploaded" in proc.stdout
    return plan_of(proc.stdout)


def test_a_task_added(workspace: tuple[dict[str, str], Path, str]) -> None:
    assert _plan(workspace, "task-added", extra=PUBLISH) == [
        "~ DAG plan_probe",
        "    + task publish (BashOperator), upstream: load",
    ]


def test_a_schedule_changed(workspace: tuple[dict[str, str], Path, str]) -> None:
    assert _plan(workspace, "schedule", schedule="'0 3 * * *'") == [
        "~ DAG plan_probe",
        "    schedule: '0 2 * * *' -> '0 3 * * *'",
    ]


def test_a_dag_removed(workspace: tuple[dict[str, str], Path, str]) -> None:
    assert _plan(workspace, "removed", drop=("platform_idle.py",)) == ["- DAG platform_idle"]


def test_a_dataset_added(workspace: tuple[dict[str, str], Path, str]) -> None:
    orders = {"config/datasets/orders.yaml": ORDERS}
    assert _plan(workspace, "dataset", add=orders) == ["+ dataset orders"]


def test_a_dag_with_datetime_now_in_a_task_argument_is_refused(
    workspace: tuple[dict[str, str], Path, str],
) -> None:
    env, tmp, live = workspace
    artifact = make_artifact(tmp, "stamped", add={"stamped.py": STAMPED})
    proc = hangar(env, "deploy", "--artifact", str(artifact), timeout=900)
    print(proc.stdout)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    refused = [line for line in proc.stdout.splitlines() if "differs between two parses" in line]
    assert len(refused) == 1, proc.stdout
    assert refused[0].startswith("  DAG stamped: task stamp, field bash_command differs")
    assert "likely cause: the time at parse time (datetime.now()" in refused[0]
    assert "datetime.now()" in refused[0].split("Airflow's static check:")[1]
    store = BundleStore.from_url(env["HANGAR_BUNDLE_STORE_URL"])
    current = store.current()
    assert current is not None and current.version == live  # nothing published


def test_versions_diff_shows_the_same_plan_as_the_deploy(
    workspace: tuple[dict[str, str], Path, str],
) -> None:
    env, tmp, base = workspace
    artifact = make_artifact(tmp, "deployed", extra=PUBLISH)
    proc = hangar(env, "deploy", "--artifact", str(artifact), timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    store = BundleStore.from_url(env["HANGAR_BUNDLE_STORE_URL"])
    pointer = store.current()
    assert pointer is not None and pointer.previous == base
    stored = store.manifest(pointer.version).plan
    expected = ["~ DAG plan_probe", "    + task publish (BashOperator), upstream: load"]
    assert stored == {"against": base, "lines": expected}
    diff = hangar(env, "versions", "--diff", base[:12], pointer.version[:12], timeout=900)
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert diff.stdout.splitlines() == [
        f"{base[:12]} -> {pointer.version[:12]}:",
        *(f"  {line}" for line in expected),
    ]
    bad = hangar(env, "versions", "--diff", "nope", base[:12])
    assert bad.returncode == 2 and "'nope' matches 0 versions" in bad.stderr
    print(json.dumps(stored))
