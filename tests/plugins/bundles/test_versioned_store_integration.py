"""Versioned bundle deploys on the Celery stack, through a real S3 server (SeaweedFS).

Artifacts are the platform suites' DAG bundle (tests/support/platform_dags:bundle, built like the
library's) plus a probe DAG whose task returns its version's marker, so a task's XCom proves which
code ran.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import requests

from hangar_common.bundles.refresh_request import request_refresh
from hangar_common.bundles.store import POINTER, BundleStore, artifact_files
from hangar_common.platform.airflow_config import BUNDLE_NAME
from hangar_common.platform.api_client import AirflowApi
from tests.support.browser import chromium_page, open_logged_in
from tests.support.fixture_dags import bundle_pex
from tests.support.hangar_stack import ADMIN_PASSWORD, api_url, hangar, processes_of, stack_env
from tests.support.postgres import scratch_database
from tests.support.redis_server import RedisServer
from tests.support.seaweedfs import ACCESS_KEY, SECRET_KEY, SeaweedFS

BUCKET = "hangar-bundles"
PROBE = "bundle_probe"
PROBE_DAG = """
import os
import time

import hangar_common
import pendulum
from airflow.sdk import dag, task

MARKER = "{marker}"


@dag(
    dag_id="bundle_probe",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["test"],
    default_args={{"owner": "platform", "retries": 1}},
    params={{"hold_until": ""}},
    doc_md="Returns the marker of the bundle version it runs from.",
)
def bundle_probe():
    @task
    def marker(params=None):
        # Held until the test creates this file: no race between a fixed sleep and a slow machine.
        deadline = time.monotonic() + 600
        while params["hold_until"] and not os.path.exists(params["hold_until"]):
            assert time.monotonic() < deadline, "never released"
            time.sleep(0.2)
        return MARKER + "|" + hangar_common.__file__

    marker()


bundle_probe()
"""


RERUN = "rerun_probe"
# Two tasks: ``marker`` returns its version's marker, ``hold`` keeps the run running until the
# test creates a file. Only MARKER differs between versions, as in a code-only fix: the
# serialized DAG stays the same, so Airflow keeps one DAG version and moves its bundle version.
RERUN_DAG = """
import os
import time

import pendulum
from airflow.sdk import dag, task

MARKER = "{marker}"


@dag(
    dag_id="rerun_probe",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["test"],
    default_args={{"owner": "platform", "retries": 1}},
    params={{"hold_until": ""}},
    doc_md="Re-run probe: which bundle version a cleared task runs.",
)
def rerun_probe():
    @task
    def marker():
        return MARKER

    @task
    def hold(params=None):
        deadline = time.monotonic() + 600
        while params["hold_until"] and not os.path.exists(params["hold_until"]):
            assert time.monotonic() < deadline, "never released"
            time.sleep(0.2)

    marker()
    hold()


rerun_probe()
"""


def make_artifact(tmp: Path, marker: str) -> Path:
    """The fixture bundle PEX with the probe DAGs added (one file each differs per marker)."""
    source = bundle_pex().read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for name, text in (("bundle_probe.py", PROBE_DAG), ("rerun_probe.py", RERUN_DAG)):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            dst.writestr(entry, text.format(marker=marker))
    path = tmp / f"bundle-{marker}.pex"
    path.write_bytes(out.getvalue())
    return path


class Deployment:
    def __init__(self, env: dict[str, str], state: Path, s3: SeaweedFS, tmp: Path) -> None:
        self.env, self.state, self.s3, self.tmp = env, state, s3, tmp
        self.api = AirflowApi(api_url(env), "admin", ADMIN_PASSWORD)
        self.store = BundleStore.from_url(
            f"s3://{BUCKET}/test",
            key=ACCESS_KEY,
            secret=SECRET_KEY,
            client_kwargs={"endpoint_url": s3.endpoint, "region_name": "us-east-1"},
        )

    def deploy(self, marker: str) -> str:
        proc = hangar(self.env, "deploy", "--artifact", str(make_artifact(self.tmp, marker)))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        pointer = self.store.current()
        assert pointer is not None
        return pointer.version

    def visible_version(self, dag_id: str = PROBE) -> str | None:
        try:
            return self.api.get(f"dags/{dag_id}").get("bundle_version")
        except Exception:  # noqa: BLE001 - not parsed yet: 404
            return None

    def wait_visible(self, version: str, timeout: float = 120, dag_id: str = PROBE) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.visible_version(dag_id) == version:
                return time.monotonic() - start
            time.sleep(0.25)
        raise TimeoutError(f"version {version} of {dag_id} not visible after {timeout} s")

    def run_probe(self, hold_until: Path | None = None) -> str:
        """Trigger the probe; with ``hold_until`` its task runs until that file exists."""
        return self.api.trigger(PROBE, {"hold_until": str(hold_until or "")})

    def task_state(self, run_id: str) -> str | None:
        [ti] = self.api.task_instances(PROBE, run_id)
        return ti["state"]

    def wait_running(self, run_id: str, timeout: float = 120) -> None:
        """Until the probe's task runs (so it has loaded its bundle version)."""
        deadline = time.monotonic() + timeout
        while not any(ti["state"] == "running" for ti in self.api.task_instances(PROBE, run_id)):
            assert time.monotonic() < deadline, f"{run_id}: no task running after {timeout} s"
            time.sleep(0.5)

    def result(self, run_id: str) -> tuple[str, str, str]:
        """(run state, the marker its task returned, the run's bundle version)."""
        state, value, version = self.raw_result(run_id)
        return state, value.split("|")[0], version

    def raw_result(self, run_id: str) -> tuple[str, str, str]:
        state = self.api.wait_for_run(PROBE, run_id, timeout=240)
        xcom = self.api.get(
            f"dags/{PROBE}/dagRuns/{quote(run_id, safe='')}/taskInstances/marker/"
            "xcomEntries/return_value"
        )
        return (
            state,
            str(xcom["value"]).strip('"'),
            str(self.api.run(PROBE, run_id)["bundle_version"]),
        )

    def components(self) -> dict[int, str]:
        """The stack's long-running programs (supervisord's children): pid -> command line."""
        [supervisor] = [
            proc for proc in processes_of(self.state) if "supervisord" in " ".join(proc.cmdline())
        ]
        return {child.pid: " ".join(child.cmdline()) for child in supervisor.children()}

    def sync_status(self) -> dict:
        return json.loads((self.state / "airflow/bundles/hangar/sync-status.json").read_text())


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp("bundles")
    s3 = SeaweedFS(tmp / "seaweedfs")
    s3.start()
    s3.create_bucket(BUCKET)
    broker = RedisServer(tmp / "redis")
    broker.start()
    state = tmp / "state"
    with scratch_database("hangar_it_bundles") as metadata_db:
        env = stack_env(
            state,
            HANGAR_METADATA_DB_URL=metadata_db,
            HANGAR_REDIS_URL=broker.url,
            HANGAR_BUNDLE_STORE_URL=f"s3://{BUCKET}/test",
            HANGAR_BUNDLE_REFRESH_INTERVAL="3",
            HANGAR_S3_ENDPOINT=s3.endpoint,
            HANGAR_S3_ACCESS_KEY=ACCESS_KEY,
            HANGAR_S3_SECRET_KEY=SECRET_KEY,
        )
        up = hangar(env, "up", "--stack", "celery", "--workers", "1", "--timeout", "300")
        try:
            assert up.returncode == 0, up.stdout + up.stderr
            yield Deployment(env, state, s3, tmp)
        finally:
            hangar(env, "down")
            broker.stop()
            s3.stop()
        assert processes_of(state) == []


def test_deploy_makes_dags_visible_and_runs_pin_their_version(deployment: Deployment) -> None:
    v1 = deployment.deploy("v1")
    deployment.wait_visible(v1)
    deployment.api.unpause(PROBE)
    state, value, version = deployment.raw_result(deployment.run_probe())
    assert (state, value.split("|")[0], version) == ("success", "v1", v1)
    # The rule for code that exists twice: the platform's copy (image / runtime venv) wins over
    # the copy the bundle carries, because Airflow appends bundle folders to sys.path.
    assert "hangar_common/__init__.py" in artifact_files(bundle_pex().read_bytes())
    common_file = value.split("|")[1]
    assert "/bundles/hangar/" not in common_file
    assert common_file.endswith("src/python/common/hangar_common/__init__.py")

    # A run started on v1 that is still running when v2 lands finishes on v1 code.
    release = deployment.tmp / "release-long-run"
    long_run = deployment.run_probe(hold_until=release)
    deployment.wait_running(long_run)
    v2 = deployment.deploy("v2")
    deployment.wait_visible(v2)
    assert deployment.task_state(long_run) == "running"
    release.touch()
    assert deployment.result(long_run) == ("success", "v1", v1)
    assert deployment.result(deployment.run_probe()) == ("success", "v2", v2)


def test_deploy_to_visible_latency(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deploys are pushed: each asks the dag-processor to refresh, whose own poll is 60 s
    (the figures: benchmarks/deploy_benchmark.py)."""
    latencies = []
    for index in range(3):
        version = deployment.deploy(f"latency-{index}")
        latencies.append(deployment.wait_visible(version))
    with capsys.disabled():  # a figure for the record
        print(
            f"\ndeploy-to-visible over {len(latencies)} deploys: median "
            f"{statistics.median(latencies):.1f} s, max {max(latencies):.1f} s"
        )
    # Waiting for the 60 s poll, three deploys would all land under 15 s about once in 64 tries.
    assert max(latencies) < 15


@pytest.mark.parametrize("fault", ["corrupt", "truncated", "missing"])
def test_bad_artifacts_are_rejected_while_the_last_good_version_serves(
    deployment: Deployment, fault: str
) -> None:
    good = deployment.deploy(f"good-before-{fault}")
    deployment.wait_visible(good)
    store = deployment.store
    if fault == "missing":
        bad = "0" * 64
    else:
        manifest, _ = store.publish(
            make_artifact(deployment.tmp, f"bad-{fault}").read_bytes(), git_commit="test"
        )
        bad = manifest.version
        artifact_path = f"{store.root}/versions/{bad}/bundle.pex"
        data = store.fs.cat_file(artifact_path)
        damaged = data[: len(data) // 2] if fault == "truncated" else data[:-10] + b"X" * 10
        store.fs.pipe_file(artifact_path, damaged)
    # Point "current" at the bad version behind the CLI's back (the CLI would refuse), then
    # ask for the refresh a deploy asks for (the poll is 60 s).
    store.fs.pipe_file(
        f"{store.root}/{POINTER}",
        json.dumps({"version": bad, "previous": good, "updated_at": "now"}).encode(),
    )
    assert request_refresh(deployment.api, bundle_name=BUNDLE_NAME) is not None
    deadline = time.monotonic() + 60
    while deployment.sync_status().get("ok", True) and time.monotonic() < deadline:
        time.sleep(1)
    status = deployment.sync_status()
    assert status["ok"] is False and status["current"] == good
    expected = {"corrupt": "is corrupt", "truncated": "truncated", "missing": "does not exist"}
    assert expected[fault] in status["last_error"]
    assert deployment.visible_version() == good
    assert deployment.result(deployment.run_probe())[0] == "success"
    shown = hangar(deployment.env, "status").stdout
    assert "bundle" in shown and "FAILING" in shown
    store.set_current(good)  # repair for the next test


def test_rollback_brings_the_old_code_back(deployment: Deployment) -> None:
    old = deployment.deploy("before-rollback")
    deployment.wait_visible(old)
    new = deployment.deploy("after-rollback")
    deployment.wait_visible(new)
    proc = hangar(deployment.env, "rollback")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    deployment.wait_visible(old)
    assert deployment.result(deployment.run_probe())[1:] == ("before-rollback", old)
    listed = hangar(deployment.env, "versions").stdout
    assert f"* {old[:12]}" in listed


class Rerun:
    """The rerun probe's task instances: clear them, wait for a try, read what it returned."""

    def __init__(self, deployment: Deployment) -> None:
        self.api = deployment.api

    def ti(self, run_id: str, task_id: str) -> dict:
        [ti] = [t for t in self.api.task_instances(RERUN, run_id) if t["task_id"] == task_id]
        return ti

    def wait_ti(self, run_id: str, task_id: str, state: str, try_number: int) -> dict:
        """The task instance once its try ``try_number`` is in ``state`` (an earlier try's
        state never counts)."""
        deadline = time.monotonic() + 240
        while True:
            ti = self.ti(run_id, task_id)
            if ti["try_number"] == try_number and ti["state"] == state:
                return ti
            assert ti["state"] != "failed", ti
            assert time.monotonic() < deadline, f"{task_id}: {ti['state']} try {ti['try_number']}"
            time.sleep(0.5)

    def marker(self, run_id: str) -> str:
        xcom = self.api.get(
            f"dags/{RERUN}/dagRuns/{quote(run_id, safe='')}/taskInstances/marker/"
            "xcomEntries/return_value"
        )
        return str(xcom["value"]).strip('"')

    def clear_tasks(self, run_id: str, task_ids: list[str], *, latest: bool) -> None:
        """What the task instance's Clear dialog sends (its "Run with latest bundle version")."""
        self.api.send(
            "POST",
            f"dags/{RERUN}/clearTaskInstances",
            {
                "dry_run": False,
                "dag_run_id": run_id,
                "task_ids": task_ids,
                "only_failed": False,
                "run_on_latest_version": latest,
            },
        )


def test_clear_reruns_the_pinned_version_or_with_latest_the_deployed_one(
    deployment: Deployment,
) -> None:
    """Clearing re-runs the code a run was created with; with ``run_on_latest_version`` (the
    Clear dialogs' "Run with latest bundle version"), the code deployed now, and the run moves to
    that bundle version. Both for a finished run (the run's Clear) and for a task of a run still
    running (the task's Clear): the case of apache/airflow #67657, where Airflow 3.3.2 re-ran the
    old code after a code-only fix (one DAG version; hangar_plugins.bundles.rerun_latest)."""
    rerun = Rerun(deployment)
    v1 = deployment.deploy("rerun-v1")
    deployment.wait_visible(v1, dag_id=RERUN)
    deployment.api.unpause(RERUN)
    release = deployment.tmp / "release-rerun"
    finished = deployment.api.trigger(RERUN, {"hold_until": ""})
    running = deployment.api.trigger(RERUN, {"hold_until": str(release)})
    try:
        assert deployment.api.wait_for_run(RERUN, finished, timeout=240) == "success"
        rerun.wait_ti(running, "marker", "success", 1)
        rerun.wait_ti(running, "hold", "running", 1)

        def ran() -> list[tuple[str, str]]:
            runs = [deployment.api.run(RERUN, run_id) for run_id in (finished, running)]
            return [(rerun.marker(r["dag_run_id"]), r["bundle_version"]) for r in runs]

        assert ran() == [("rerun-v1", v1)] * 2

        v2 = deployment.deploy("rerun-v2")
        deployment.wait_visible(v2, dag_id=RERUN)
        for try_number, latest, expected in (
            (2, False, ("rerun-v1", v1)),
            (3, True, ("rerun-v2", v2)),
        ):
            deployment.api.clear_run(
                RERUN, finished, only_failed=False, run_on_latest_version=latest
            )
            rerun.clear_tasks(running, ["marker"], latest=latest)
            # Clearing queues the finished run at once: its final state is this re-run's.
            assert deployment.api.wait_for_run(RERUN, finished, timeout=240) == "success"
            rerun.wait_ti(finished, "marker", "success", try_number)
            rerun.wait_ti(running, "marker", "success", try_number)
            assert ran() == [expected] * 2, f"run_on_latest_version={latest}"
            assert rerun.ti(running, "hold")["state"] == "running"  # the run never stopped
    finally:
        release.touch()
    assert deployment.api.wait_for_run(RERUN, running, timeout=240) == "success"
    assert deployment.api.run(RERUN, running)["bundle_version"] == v2


def test_hangar_page_shows_the_real_versions_only_with_auth(
    deployment: Deployment, tmp_path: Path
) -> None:
    url = api_url(deployment.env)
    assert requests.get(f"{url}/hangar/", timeout=10).status_code == 401
    forged = {"Authorization": "Bearer not-a-token"}
    assert requests.get(f"{url}/hangar/status.json", headers=forged, timeout=10).status_code == 403

    current = deployment.store.current()
    assert current is not None
    deployment.wait_visible(current.version)
    response = deployment.api.session.get(f"{url}/hangar/status.json", timeout=60)
    assert response.status_code == 200, response.text
    status = response.json()
    bundle, previews = status["bundles"]
    assert bundle["kind"] == "VersionedStoreDagBundle" and bundle["error"] is None
    # The previews bundle beside it (no preview deployed here: the preview test shows one).
    assert (previews["name"], previews["kind"]) == ("hangar-previews", "PreviewsDagBundle")
    assert previews["error"] is None
    manifests = list(reversed(deployment.store.versions()))
    newest_first = [manifest.version for manifest in manifests]
    assert [v["version"] for v in bundle["versions"]] == newest_first
    # Each version with what its deploy changed (the plan kept in its manifest).
    plans = [list((manifest.plan or {}).get("lines") or []) for manifest in manifests]
    assert [v["plan"] for v in bundle["versions"]] == plans
    assert any(plans), "no deploy recorded its plan"
    assert [v["version"] for v in bundle["versions"] if v["current"]] == [current.version]
    assert bundle["parsed_version"] == current.version
    assert bundle["last_refreshed"] is not None
    components = {c["component"] for c in status["components"]}
    assert components == {"scheduler", "dag-processor", "triggerer"}
    assert [w["name"].split("@")[0] for w in status["workers"] if w["ok"]] == ["worker-1"]

    html = deployment.api.session.get(f"{url}/hangar/", timeout=60).text
    assert f"current</span></td><td><code>{current.version[:16]}</code>" in html

    with chromium_page() as page:  # the page inside the UI, as a logged-in person sees it
        open_logged_in(page, url, deployment.api.token, "/plugin/hangar")
        page.wait_for_text("Hangar")
        time.sleep(3)  # the page loads in an iframe of the UI
        target = Path(os.environ.get("HANGAR_SCREENSHOT_DIR") or tmp_path) / "ui-hangar-page.png"
        page.screenshot(target)
    assert target.read_bytes().startswith(b"\x89PNG")


def test_old_versions_are_removed_but_not_while_a_task_uses_them(deployment: Deployment) -> None:
    """Airflow's stale-bundle cleanup (test profile: every 10 s, older than 20 s, keep 2)."""
    in_use = deployment.deploy("in-use")
    deployment.wait_visible(in_use)
    release = deployment.tmp / "release-in-use"
    run_id = deployment.run_probe(hold_until=release)
    deployment.wait_running(run_id)
    versions_dir = deployment.state / "airflow/bundles/hangar/versions"
    newer = []
    for marker in ("newer-1", "newer-2", "newer-3"):
        newer.append(deployment.deploy(marker))
        deployment.wait_visible(newer[-1])
    deadline = time.monotonic() + 60
    while newer[0] in {p.name for p in versions_dir.iterdir()} and time.monotonic() < deadline:
        time.sleep(1)
    present = {path.name for path in versions_dir.iterdir()}
    assert deployment.task_state(run_id) == "running"  # held: it still uses in_use
    release.touch()
    assert in_use in present, "a version a running task uses was removed"
    assert newer[-1] in present
    assert newer[0] not in present, "an unused old version was kept"
    assert deployment.result(run_id)[1] == "in-use"


def test_a_preview_runs_on_the_workers_beside_the_deployed_version(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    """`./hangar deploy --preview feat_x` on the Celery stack while a run of the deployed
    bundle is in flight: no component restarts, that run finishes on its own code, the
    preview's task runs its code on a worker, and `previews remove` leaves no DAG, import error
    or metadata row of it behind."""
    live = deployment.deploy("live")
    deployment.wait_visible(live)
    components = deployment.components()
    release = deployment.tmp / "release-during-preview"
    in_flight = deployment.run_probe(hold_until=release)
    deployment.wait_running(in_flight)
    started = time.monotonic()
    proc = hangar(
        deployment.env,
        "deploy",
        "--preview",
        "feat_x",
        "--artifact",
        str(make_artifact(deployment.tmp, "preview")),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    preview_probe = f"{PROBE}__preview_feat_x"
    deployment.api.wait_for_dag(preview_probe, timeout=60)
    with capsys.disabled():
        print(f"\npreview deploy -> visible: {time.monotonic() - started:.1f} s")
    shown = deployment.api.get(f"dags/{preview_probe}")
    assert shown["is_paused"] and shown["bundle_name"] == "hangar-previews"
    assert "preview:feat_x" in {tag["name"] for tag in shown["tags"]}
    pointer = deployment.store.current()
    assert pointer is not None and pointer.version == live  # the deploy pointer never moved

    deployment.api.unpause(preview_probe)
    run_id = deployment.api.trigger(preview_probe, {"hold_until": ""})
    assert deployment.api.wait_for_run(preview_probe, run_id, timeout=240) == "success"
    xcom = deployment.api.get(
        f"dags/{preview_probe}/dagRuns/{quote(run_id, safe='')}/taskInstances/marker/"
        "xcomEntries/return_value"
    )
    assert str(xcom["value"]).strip('"').split("|")[0] == "preview"
    [ti] = deployment.api.task_instances(preview_probe, run_id)
    assert ti["hostname"], ti  # ran on a Celery worker
    assert deployment.task_state(in_flight) == "running"
    release.touch()
    assert deployment.result(in_flight) == ("success", "live", live)
    assert deployment.result(deployment.run_probe()) == ("success", "live", live)
    # The preview's DAGs shown on the Hangar page, each preview by name.
    page = deployment.api.session.get(f"{api_url(deployment.env)}/hangar/status.json", timeout=60)
    [shown_preview] = page.json()["bundles"][1]["versions"]
    assert shown_preview["preview"] == "feat_x" and shown_preview["current"]
    assert deployment.components() == components, "a component restarted"

    removed = hangar(deployment.env, "previews", "remove", "feat_x")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert "DAGs deleted from the platform" in removed.stdout, removed.stdout
    assert deployment.api.get_or_none(f"dags/{preview_probe}") is None
    assert hangar(deployment.env, "previews").stdout.startswith("no previews")
    errors = deployment.api.get("importErrors", limit=1000)["import_errors"]
    assert not [e for e in errors if e.get("bundle_name") == "hangar-previews"], errors
    with psycopg.connect(deployment.env["HANGAR_METADATA_DB_URL"]) as conn:
        for table in ("dag", "serialized_dag", "dag_version", "dag_run", "task_instance"):
            left = conn.execute(
                f"SELECT count(*) FROM {table} WHERE dag_id LIKE %s",  # noqa: S608 - fixed names
                ("%\\_\\_preview\\_feat\\_x",),
            ).fetchone()
            assert left == (0,), f"{table}: {left[0] if left else '?'} rows of the preview left"


def test_idle_refreshes_cost_one_small_request_each(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    # The bundle bucket's requests only: task logs go to the same server (another bucket), and
    # an earlier test's run may still upload its log during the window.
    before = deployment.s3.s3_requests(bucket=BUCKET)
    window = 20
    time.sleep(window)
    after = deployment.s3.s3_requests(bucket=BUCKET)
    delta = {action: after.get(action, 0) - before.get(action, 0) for action in after}
    total = sum(delta.values())
    with capsys.disabled():
        print(f"\nidle S3 requests over {window} s: {delta} = {total / window:.3f}/s")
    assert delta.get("PUT", 0) == 0
    # One component follows the store (the dag-processor), every 60 s once a version is
    # served: at most one check of each bundle in the window, no download. The deployed
    # bundle reads its pointer (a GET); the previews bundle lists its folder (no preview is
    # left: the preview test removed its own, folder markers included).
    assert delta.get("LIST", 0) <= 1
    assert total <= 3
