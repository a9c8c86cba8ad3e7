"""Adopting existing DAGs: Airflow's own example DAGs (the standard provider's) under the policy.

Those DAGs break Hangar's rules (no task owner, among others). With ``HANGAR_DAG_POLICY=warn`` a
real embedded stack serving them loads every one, runs one to success through the REST API, and
lists each DAG's violations once, on the Hangar page and in ``./hangar doctor``; in enforce mode
(the default) ``./hangar deploy`` refuses the same DAGs as a bundle, one message per DAG.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
import zipfile
from pathlib import Path

import airflow.providers.standard.example_dags as provider_examples
import pytest

from hangar_common.platform.api_client import AirflowApi
from hangar_plugins.policy_record import VARIABLE_PREFIX
from tests.support.hangar_stack import ADMIN_PASSWORD, api_url, hangar, processes_of, stack_env

RUN_DAG = "example_bash_operator"
DATE = (1980, 1, 1, 0, 0, 0)
LOADED_TIMEOUT_S = 240.0


def example_dags(folder: Path) -> dict[str, Path]:
    """The standard provider's example DAG files (and their sql/ folder) copied into ``folder``,
    with the DAG ids each file builds, read from its source."""
    source = Path(provider_examples.__file__).parent
    folder.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.py"):
        if path.name != "__init__.py":
            shutil.copy2(path, folder / path.name)
    if (source / "sql").is_dir():
        shutil.copytree(source / "sql", folder / "sql", dirs_exist_ok=True)
    return {path.name: path for path in sorted(folder.glob("*.py"))}


def example_dag_ids(folder: Path) -> set[str]:
    """Every DAG the examples build, as Airflow's own DagBag loads them without any policy."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(folder), bundle_path=folder, safe_mode=False)
    assert bag.import_errors == {}, bag.import_errors
    return set(bag.dags)


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    folder = tmp_path_factory.mktemp("examples") / "dags"
    files = example_dags(folder)
    assert len(files) >= 15, files
    return folder, example_dag_ids(folder)


def test_warn_mode_loads_and_runs_the_examples_and_lists_each_dag_once(
    tmp_path: Path, examples: tuple[Path, set[str]]
) -> None:
    folder, dag_ids = examples
    state = tmp_path / "state"
    env = stack_env(state, HANGAR_DAG_BUNDLE_ROOT=str(folder), HANGAR_DAG_POLICY="warn")
    started = time.monotonic()
    up = hangar(env, "up", "--timeout", "300")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        print(f"up: {time.monotonic() - started:.1f} s")
        url = api_url(env)
        api = AirflowApi(url, "admin", ADMIN_PASSWORD)

        # Every example DAG loads; no import error.
        loaded_at = time.monotonic()
        deadline = loaded_at + LOADED_TIMEOUT_S
        while True:
            dags = {d["dag_id"] for d in api.get("dags", limit=200)["dags"]}
            errors = api.get("importErrors")["import_errors"]
            status = api.session.get(f"{url}/hangar/status.json", timeout=30).json()
            recorded = {v["dag_id"] for v in status["policy_violations"]}
            if dag_ids <= dags and recorded == dag_ids:
                break
            assert time.monotonic() < deadline, (sorted(dag_ids - dags), errors, recorded)
            time.sleep(3)
        print(
            f"all {len(dag_ids)} example DAGs loaded and recorded in {time.monotonic() - loaded_at:.1f} s"
        )
        assert errors == []

        # One record per DAG, each naming what to fix, every task in one clause per rule.
        assert status["dag_policy"] == "warn"
        violations = status["policy_violations"]
        assert sorted(v["dag_id"] for v in violations) == sorted(dag_ids)
        for item in violations:
            assert item["message"].startswith(f"DAG {item['dag_id']!r}: ")
            owner_clauses = [c for c in item["clauses"] if "no owner" in c]
            assert len(owner_clauses) == 1, item
            assert owner_clauses[0].endswith("set default_args={'owner': ...}")
        bash = next(v for v in violations if v["dag_id"] == RUN_DAG)
        print("Hangar page record:", bash["message"])
        # The record is one Variable per DAG, written by the dag-processor.
        keys = [
            v["key"]
            for v in api.get("variables", limit=200, variable_key_pattern=VARIABLE_PREFIX + "%")[
                "variables"
            ]
        ]
        assert sorted(keys) == sorted(VARIABLE_PREFIX + dag_id for dag_id in dag_ids)
        # The page's HTML lists them too.
        page = api.session.get(f"{url}/hangar/", timeout=30).text
        assert f"DAGs breaking the DAG rules ({len(dag_ids)})" in page

        # ./hangar doctor: one line per DAG.
        doctor = hangar(env, "doctor")
        print(doctor.stdout)
        dag_rows = [line for line in doctor.stdout.splitlines() if line.startswith("DAG ")]
        assert sorted(line.split()[1] for line in dag_rows) == sorted(dag_ids)
        assert all(line.split()[2] == "WARN" for line in dag_rows)
        assert re.search(
            rf"dag-policy +WARN +HANGAR_DAG_POLICY=warn: {len(dag_ids)} loaded", doctor.stdout
        )

        # A loaded example runs to success.
        api.unpause(RUN_DAG)
        run_id = api.trigger(RUN_DAG)
        assert api.wait_for_run(RUN_DAG, run_id, timeout=300) == "success"
        states = {ti["task_id"]: ti["state"] for ti in api.task_instances(RUN_DAG, run_id)}
        print(f"{RUN_DAG} run {run_id}: {states}")
        assert states["run_after_loop"] == "success"
    finally:
        down = hangar(env, "down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert processes_of(state) == []


def _artifact(folder: Path, out: Path) -> Path:
    """The examples as a bundle artifact (a zip: what deploy unpacks of a bundle PEX)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                info = zipfile.ZipInfo(str(path.relative_to(folder)), date_time=DATE)
                archive.writestr(info, path.read_bytes())
    out.write_bytes(buffer.getvalue())
    return out


def test_enforce_mode_deploy_refuses_the_examples_one_message_per_dag(
    tmp_path: Path, examples: tuple[Path, set[str]]
) -> None:
    folder, dag_ids = examples
    artifact = _artifact(folder, tmp_path / "examples.pex")
    store = tmp_path / "store"
    env = {
        **os.environ,
        "HANGAR_BUNDLE_STORE_URL": f"file://{store}",
        "HANGAR_STATE_DIR": str(tmp_path / "state"),
        "HANGAR_DAG_POLICY": "enforce",
    }
    started = time.monotonic()
    refused = hangar(env, "deploy", "--artifact", str(artifact), timeout=900)
    print(f"enforce deploy: {time.monotonic() - started:.1f} s\n{refused.stdout}")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    lines = refused.stdout.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("refused: "))
    assert lines[heading] == (
        f"refused: {len(dag_ids)} DAGs of this bundle break Hangar's DAG rules and the platform "
        "would reject them (HANGAR_DAG_POLICY=enforce; HANGAR_DAG_POLICY=warn loads them and "
        "lists their violations):"
    )
    messages = [line.strip() for line in lines[heading + 1 :] if line.startswith("  DAG ")]
    assert [m.split("'")[1] for m in messages] == sorted(dag_ids)  # one message per DAG
    assert all(m.count("has no owner") + m.count("have no owner") == 1 for m in messages)
    assert not (store / "current.json").exists() and not list(store.rglob("*.pex"))
    # Reported per DAG, not again as the import errors Airflow keeps per file.
    assert "! import error" not in refused.stdout

    # Warn mode deploys the same bundle, listing the same DAGs as a warning.
    warned = hangar(
        {**env, "HANGAR_DAG_POLICY": "warn"}, "deploy", "--plan", "--artifact", str(artifact)
    )
    assert warned.returncode == 0, warned.stdout + warned.stderr
    assert f"warning: {len(dag_ids)} DAGs of this bundle break Hangar's DAG rules" in warned.stdout
    assert sum(line.startswith("  DAG '") for line in warned.stdout.splitlines()) == len(dag_ids)
