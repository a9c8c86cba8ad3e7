"""Out of the box, every pipeline runs: ``./hangar up`` with nothing configured, then one run of
every DAG of the library, as a new user would trigger them (the UI fills in *now* as the
logical date).

Every DAG runs on a platform whose PostgreSQL at ``HANGAR_POSTGRES_URL`` is unreachable (the stack
starts its own from installed binaries): the machine with nothing installed. The reachable case
(used; nothing extra started) is the deploy-and-rollback test's platform here, and every other
stack suite's; where PostgreSQL runs does not change what a DAG does, so the DAGs run once.
Beyond the admin password, the environment only isolates the test: its state folder, ports and
database names; the profile is the default one. Everything else (S3 store, sample sources,
sample rows) the platform provides itself. The one DAG that needs the public internet
(rocket_launches) must fail within 60 s saying which connection and URL it could not reach.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import psycopg
import pyarrow.parquet as pq
import pytest

from hangar_common.examples.sales import good_rows
from hangar_common.platform.api_client import AirflowApi
from hangar_common.settings import read_dotenv
from tests.support.browser import chromium_page, open_logged_in
from tests.support.hangar_stack import ADMIN_PASSWORD, api_url, hangar, processes_of, stack_env
from tests.support.paths import repo_root
from tests.support.pex import packaged_pex
from tests.support.services import closed_port

NEEDS_INTERNET = {"rocket_launches"}
FAIL_FAST_S = 60


def library_dag_ids(api: AirflowApi) -> list[str]:
    dags = api.get("dags", limit=1000, exclude_stale=True)["dags"]
    return sorted(dag["dag_id"] for dag in dags)


def _wait_for_library(api: AirflowApi, timeout: float = 180) -> list[str]:
    """Until the dag-processor parsed every DAG file of the bundle (23 DAGs today)."""
    files = list((repo_root() / "src/python/dags/hangar_dags").rglob("*.py"))
    deadline = time.monotonic() + timeout
    while True:
        dag_ids = library_dag_ids(api)
        # 10 hello_world DAGs come from one file; the rest one (or a few) per file.
        if len(dag_ids) >= 23 and "platform_smoke_check" in dag_ids:
            return dag_ids
        assert time.monotonic() < deadline, (dag_ids, [p.name for p in files])
        time.sleep(2)


class Platform:
    def __init__(self, env: dict[str, str], state: Path) -> None:
        self.env, self.state = env, state
        self.api = AirflowApi(api_url(env), "admin", ADMIN_PASSWORD)
        # The endpoints `up` chose for the parts it started (what every component was given).
        self.parts = dict(read_dotenv(state / "run" / "services.env"))

    def warehouse(self, query: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(
            host=self.parts["HANGAR_WAREHOUSE_HOST"],
            port=self.parts["HANGAR_WAREHOUSE_PORT"],
            user=self.parts["HANGAR_WAREHOUSE_USER"],
            password=self.parts["HANGAR_WAREHOUSE_PASSWORD"] or None,
            dbname=self.env["HANGAR_WAREHOUSE_DB"],
        ) as conn:
            return conn.execute(query).fetchall()

    def lake_keys(self, prefix: str) -> list[str]:
        s3 = boto3.client(
            "s3",
            endpoint_url=self.parts["HANGAR_S3_ENDPOINT"],
            aws_access_key_id=self.parts["HANGAR_S3_ACCESS_KEY"],
            aws_secret_access_key=self.parts["HANGAR_S3_SECRET_KEY"],
            region_name="us-east-1",
        )
        listed = s3.list_objects_v2(Bucket="hangar-lake", Prefix=prefix)
        self.s3 = s3
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def lake_object(self, key: str) -> bytes:
        self.lake_keys(key)
        return bytes(self.s3.get_object(Bucket="hangar-lake", Key=key)["Body"].read())

    def log(self, dag_id: str, run_id: str, task_id: str) -> str:
        return str(
            self.api.get(
                f"dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}/logs/1"
            )
        )


@pytest.fixture
def reachable_state() -> Iterator[Path]:
    """A state folder PostgreSQL (which runs as user postgres under root) can traverse."""
    folder = Path(tempfile.mkdtemp(prefix="hangar-library-"))
    folder.chmod(0o755)
    yield folder / "state"
    shutil.rmtree(folder, ignore_errors=True)


def _default_profile(env: dict[str, str]) -> dict[str, str]:
    """Only what isolates the test stays: no test profile, no faster refresh."""
    for name in ("HANGAR_PROFILE", "HANGAR_BUNDLE_REFRESH_INTERVAL"):
        env.pop(name, None)
    return env


@pytest.fixture
def platform(reachable_state: Path) -> Iterator[Platform]:
    """The default profile with the configured PostgreSQL unreachable."""
    unreachable = f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres"
    env = _default_profile(stack_env(reachable_state, HANGAR_POSTGRES_URL=unreachable))
    start = time.monotonic()
    up = hangar(env, "up", "--timeout", "300")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        print(f"\n./hangar up: {time.monotonic() - start:.1f} s (cold)")
        yield Platform(env, reachable_state)
    finally:
        down = hangar(env, "down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert processes_of(reachable_state) == []


def _status(platform: Platform) -> dict[str, tuple[str, str]]:
    proc = hangar(platform.env, "status")
    assert proc.returncode == 0, proc.stdout
    rows: dict[str, tuple[str, str]] = {}
    for line in proc.stdout.splitlines():
        name, state, *detail = line.split(maxsplit=2) + [""]
        rows[name] = (state, " ".join(detail).strip())  # parts come last: they win
    return rows


def _screenshot_dag_list(api: AirflowApi, folder: Path) -> None:
    """The UI's DAG list, logged in, as a person sees it: the README's picture of the library
    (docs/images/ui-dag-list.png, re-taken by ci_scripts/update_screenshots.sh)."""
    with chromium_page() as page:
        open_logged_in(page, api.base_url, api.token, "/dags")
        text = page.wait_for_text("ingest_sales")
        assert "Sign in" not in text and "Login" not in text
        target = Path(os.environ.get("HANGAR_SCREENSHOT_DIR") or folder) / "ui-dag-list.png"
        page.screenshot(target)
    png = target.read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_every_dag_of_the_library_runs_out_of_the_box(platform: Platform, tmp_path: Path) -> None:
    api = platform.api
    status = _status(platform)
    assert status["postgres"][0] == "OK"
    assert status["postgres"][1].startswith("embedded")
    assert (
        "postgres" in hangar(platform.env, "status").stdout.split("api-health")[0]
    ), "a PostgreSQL program runs when the configured one does not answer"
    for part in ("object-store", "sales-source"):
        assert status[part][0] == "OK" and status[part][1].startswith("embedded"), status
    assert status["slack"][0] == "OFF"

    dag_ids = _wait_for_library(api)
    _screenshot_dag_list(api, tmp_path)
    now = datetime.now(UTC).isoformat()
    runs = {}
    for dag_id in dag_ids:
        api.unpause(dag_id)
        runs[dag_id] = api.trigger(dag_id, logical_date=now)
    results = {}
    for dag_id, run_id in runs.items():
        state = api.wait_for_run(dag_id, run_id, timeout=600)
        results[dag_id] = (state, api.run(dag_id, run_id))
    failed = {d for d, (state, _) in results.items() if state != "success"}
    assert failed == NEEDS_INTERNET, {d: results[d][0] for d in failed}

    # The offline DAG failed fast, naming the connection and the URL.
    rocket = results["rocket_launches"][1]
    took = datetime.fromisoformat(rocket["end_date"]) - datetime.fromisoformat(rocket["start_date"])
    print(f"rocket_launches failed after {took.total_seconds():.1f} s")
    assert took.total_seconds() <= FAIL_FAST_S
    log = platform.log("rocket_launches", runs["rocket_launches"], "fetch")
    assert "connection 'launches_api' (https://ll.thespacedevs.com/" in log
    assert "cannot be reached" in log
    assert "Failed to run task callback" not in log  # alerts are off, not failing

    # Rows in the warehouse, objects in the lake.
    day = results["ingest_sales"][1]["data_interval_start"][:10]
    [(loaded,)] = platform.warehouse(
        f"SELECT count(*) FROM raw.sales WHERE ordered_at::date = '{day}'"
    )
    assert loaded == good_rows()
    y, m, d = day.split("-")
    partition = f"year={y}/month={m}/day={d}"
    [parquet] = platform.lake_keys(f"parquet/sales/{partition}/")
    assert pq.read_table(io.BytesIO(platform.lake_object(parquet))).num_rows == good_rows()
    assert platform.lake_keys(f"quarantine/sales/{partition}/") != []

    events_day = results["extract_app_events"][1]["data_interval_start"][:10]
    y, m, d = events_day.split("-")
    [extract] = platform.lake_keys(f"extracts/app_events/year={y}/month={m}/day={d}/")
    assert pq.read_table(io.BytesIO(platform.lake_object(extract))).num_rows > 0

    mart_day = results["user_events_daily"][1]["data_interval_start"][:10]
    mart = platform.warehouse(
        f"SELECT sum(events) FROM marts.user_events_daily WHERE day = '{mart_day}'"
    )
    assert mart[0][0] and mart[0][0] > 0
    for dag_id in ("provider_acme_dev", "provider_acme_prod", "provider_globex_prod"):
        schema = "dev_providers" if dag_id.endswith("_dev") else "prod_providers"
        table = "globex_deliveries" if "globex" in dag_id else "acme_deliveries"
        rows = platform.warehouse(
            f"SELECT refreshed_by FROM {schema}.{table} WHERE refreshed_by = '{runs[dag_id]}'"
        )
        assert rows == [(runs[dag_id],)]

    # A run before the dataset's history starts is refused, saying why.
    refused = api.session.post(
        f"{api.base_url}/api/v2/dags/ingest_sales/dagRuns",
        json={"logical_date": "2026-10-15T03:00:00Z", "conf": {}},
        timeout=30,
    )
    assert refused.status_code == 400, refused.text
    assert "history starts 2026-11-01" in refused.json()["detail"]
    assert "start_date" in refused.json()["detail"]
    print(f"before start_date: HTTP 400: {refused.json()['detail']}")


MARKER_DAG = """
\"\"\"A DAG only the second deployed version has (airflow dag).\"\"\"
import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("deploy_marker", schedule=None, tags=["owner:platform"], catchup=False,
         default_args={"retries": 1}):
    EmptyOperator(task_id="noop")
"""


def _bundle_with_marker(tmp: Path) -> Path:
    """The real bundle PEX plus one DAG file: a second, different version."""
    source = packaged_pex("src.python.dags/dag-bundle.pex").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        entry = zipfile.ZipInfo("hangar_dags/deploy_marker.py", date_time=(1980, 1, 1, 0, 0, 0))
        dst.writestr(entry, MARKER_DAG)
    path = tmp / "bundle-with-marker.pex"
    path.write_bytes(out.getvalue())
    return path


def _wait(condition: Any, what: str, env: dict[str, str], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            state = Path(env["HANGAR_STATE_DIR"])
            log = (state / "logs" / "dag-processor.log").read_text(errors="replace")
            status = hangar(env, "status").stdout
            raise AssertionError(f"{what}\n{status}\n--- dag-processor.log\n{log[-6000:]}")
        time.sleep(2)


def _preview_beside_the_deployed_version(platform: Platform, live: str) -> None:
    """`./hangar deploy --preview pr_7`: the branch's DAGs arrive beside the deployed ones
    (suffixed, tagged, paused), run on their own schemas and lake prefix, and leave again; the
    deployed version and production's rows are never touched."""
    env, api = platform.env, platform.api
    branch = str(_bundle_with_marker(platform.state.parent))
    preview = hangar(env, "deploy", "--preview", "pr_7", "--artifact", branch)
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "preview pr_7: plan (against a new preview):" in preview.stdout
    assert "asked the dag-processor to refresh bundle hangar-previews now" in preview.stdout
    started = time.monotonic()
    # The dag-processor stores each file's DAGs as that file's parse ends, one file after
    # another: wait for both files' DAGs, not for the first one seen.
    expected = {"deploy_marker__preview_pr_7", "ingest_sales__preview_pr_7"}
    _wait(lambda: expected <= set(library_dag_ids(api)), "preview not shown", env)
    print(f"preview deploy -> visible: {time.monotonic() - started:.1f} s")
    shown = api.get("dags", tags="preview:pr_7", limit=100)["dags"]
    assert {dag["dag_id"] for dag in shown} >= expected
    assert all(dag["is_paused"] and dag["bundle_name"] == "hangar-previews" for dag in shown)
    assert "deploy_marker" not in library_dag_ids(api)  # the live version is still `live`
    assert hangar(env, "versions").stdout.splitlines()[0].startswith(f"* {live}")

    production_rows = platform.warehouse(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'"
    )
    dag_id = "ingest_sales__preview_pr_7"
    api.unpause(dag_id)
    run_id = api.trigger(dag_id, {}, logical_date=None)
    assert api.wait_for_run(dag_id, run_id, timeout=240) == "success"
    loaded = platform.warehouse("SELECT count(*) FROM preview_pr_7__raw.sales")[0][0]
    assert loaded > 0
    assert (
        platform.warehouse(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'"
        )
        == production_rows
    )
    keys = platform.lake_keys("")
    assert any(key.startswith("previews/pr_7/parquet/sales/") for key in keys), keys
    assert not any(key.startswith("parquet/") for key in keys), keys

    # Unpausing also scheduled the latest interval (catchup=False): a DAG with a running task
    # is not deleted (HTTP 409), so the removal below waits for that run to end first.
    _wait(
        lambda: not api.get(f"dags/{dag_id}/dagRuns", state=["queued", "running"])["dag_runs"],
        "the preview's scheduled run did not end",
        env,
    )
    listed = hangar(env, "previews")
    assert listed.returncode == 0 and listed.stdout.startswith("pr_7 "), listed.stdout
    removed = hangar(env, "previews", "remove", "pr_7")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not api.get("dags", tags="preview:pr_7", exclude_stale=False)["dags"]
    assert hangar(env, "previews").stdout.startswith("no previews")
    # Its data stays until dropped (--drop-data): a preview's rows are evidence for a review.
    assert platform.warehouse("SELECT count(*) FROM preview_pr_7__raw.sales")[0][0] == loaded
    again = hangar(env, "previews", "remove", "pr_7")
    assert (again.returncode, again.stdout.strip()) == (
        2,
        "hangar: error: no preview 'pr_7' (previews: none)",
    )
    dropped = hangar(env, "previews", "remove", "pr_7", "--drop-data")
    assert dropped.returncode == 0, dropped.stdout + dropped.stderr
    assert "dropped schemas preview_pr_7__raw" in dropped.stdout
    assert not platform.warehouse(
        "SELECT 1 FROM pg_namespace WHERE starts_with(nspname, 'preview_pr_7__')"
    )
    assert not platform.lake_keys("previews/pr_7/")


def test_deploy_then_rollback_through_the_embedded_store(reachable_state: Path) -> None:
    """The deploy path: `./hangar deploy` publishes to the embedded object store and, with
    HANGAR_DAG_SOURCE=store, the platform serves the current version; rollback moves back.
    The default profile on the reachable PostgreSQL (used as it is; nothing extra started)."""
    env = _default_profile(stack_env(reachable_state, HANGAR_DAG_SOURCE="store"))
    env["HANGAR_BUNDLE_REFRESH_INTERVAL"] = "5"  # latency is the bundle suite's subject
    up = hangar(env, "up", "--timeout", "300")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        status = hangar(env, "status").stdout
        assert "postgres" not in status.split("api-health")[0], "the reachable one is used"
        api = AirflowApi(api_url(env), "admin", ADMIN_PASSWORD)
        plain = str(packaged_pex("src.python.dags/dag-bundle.pex"))
        first = hangar(env, "deploy", "--artifact", plain)
        assert first.returncode == 0, first.stdout + first.stderr
        _wait(lambda: "ingest_sales" in library_dag_ids(api), "deployed DAGs not visible", env)
        assert "deploy_marker" not in library_dag_ids(api)

        second = hangar(
            env, "deploy", "--artifact", str(_bundle_with_marker(reachable_state.parent))
        )
        assert second.returncode == 0, second.stdout + second.stderr
        # The deploy names what it changes, DAG by DAG (./hangar deploy --plan).
        assert "  + DAG deploy_marker (1 task, schedule None)" in second.stdout.splitlines()
        _wait(lambda: "deploy_marker" in library_dag_ids(api), "new version not visible", env)

        versions = hangar(env, "versions").stdout.splitlines()  # oldest first, * = current
        assert len(versions) == 2 and versions[1].startswith("* ")
        # The marker version holds one DAG file more than the plain bundle.
        counts = [int(line.split()[-3]) for line in versions]
        assert versions[1].endswith("DAG files") and counts[1] == counts[0] + 1, versions
        older = versions[0].split()[0]
        back = hangar(env, "rollback")  # to the previous version
        assert back.returncode == 0, back.stdout + back.stderr
        assert back.stdout.startswith(f"current -> {older}")
        _wait(lambda: "deploy_marker" not in library_dag_ids(api), "rollback not visible", env)
        assert hangar(env, "versions").stdout.splitlines()[0].startswith(f"* {older}")
        rows = {line.split()[0]: line for line in hangar(env, "status").stdout.splitlines()}
        assert rows["bundle"].split()[1] == "OK" and older[:12] in rows["bundle"]
        _preview_beside_the_deployed_version(Platform(env, reachable_state), older)
    finally:
        down = hangar(env, "down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert processes_of(reachable_state) == []
