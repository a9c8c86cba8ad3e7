"""Fault drills in the **default profile**: what production sees, with the timeouts users get.

One Celery stack serves the module, started the way a user starts it with nothing else
installed: ``./hangar up --stack celery`` with its own PostgreSQL, Redis and object store (so
the drills can restart them), two workers, two schedulers (``HANGAR_SCHEDULERS=2``), DAGs
served from deployed bundle versions (``HANGAR_DAG_SOURCE=store``). No profile, no timeout
is set by the test.

Each drill starts runs of ``fault_drill`` (stage 1,000 rows to the lake, hold, upsert them into
the warehouse), injects its fault while a task holds, and waits, without touching anything else,
until the runs succeed. It then checks the warehouse holds each run's rows exactly once and
prints its time to recover: from the fault to the last affected run's success.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import time
import xmlrpc.client
import zipfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from hangar_common.platform.api_client import AirflowApi
from hangar_common.platform.config import state_paths
from hangar_common.platform.health import wait_until_healthy
from hangar_common.platform.supervisor import Supervisor
from hangar_common.settings import read_dotenv
from tests.support.hangar_stack import ADMIN_PASSWORD, api_url, hangar, processes_of, stack_env
from tests.support.paths import repo_root
from tests.support.services import closed_port

DAG = "fault_drill"
ROWS = 1_000
DRILL_DAG_FILE = Path(__file__).parent / "dags" / "fault_drill.py"
# Each drill must recover without a person within this (the goal: 2 minutes); the wait
# allows for a loaded CI machine, the printed figure is what counts.
RECOVERY_GOAL_S = 120
WAIT_S = 400
RECOVERY: dict[str, float] = {}


class DrillStack:
    def __init__(self, env: dict[str, str], state: Path, tmp: Path) -> None:
        self.env, self.state, self.tmp = env, state, tmp
        self.api = AirflowApi(api_url(env), "admin", ADMIN_PASSWORD)
        self.supervisor = Supervisor(state_paths(env, repo_root()))
        self.deploys = 0

    # --- the stack's parts ---------------------------------------------------------------------
    def pid(self, program: str) -> int:
        (status,) = [s for s in self.supervisor.status() if s.name == program]
        assert status.state == "RUNNING", status
        return status.pid

    def kill_tree(self, program: str) -> None:
        """SIGKILL a program and every process under it: a crashed host or an OOM kill."""
        root = psutil.Process(self.pid(program))
        victims = [root, *root.children(recursive=True)]
        for proc in victims:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass

    def restart(self, program: str) -> None:
        """Stop (its clean shutdown signal) and start again, as an operator's restart does."""
        rpc = self.supervisor._rpc()
        rpc.stopProcess(program, True)
        rpc.startProcess(program, True)

    def wait_running(self, program: str, old_pid: int, timeout: float = 120) -> float:
        """Seconds until supervisord runs ``program`` again under a new PID."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            found = [s for s in self.supervisor.status() if s.name == program]
            if found and found[0].state == "RUNNING" and found[0].pid != old_pid:
                return time.monotonic() - started
            time.sleep(0.5)
        raise AssertionError(f"{program} not running again after {timeout} s")

    def warehouse_url(self) -> str:
        services = read_dotenv(self.state / "run" / "services.env")
        server = services["HANGAR_POSTGRES_URL"].rsplit("/", 1)[0]
        return f"{server}/{self.env['HANGAR_WAREHOUSE_DB']}"

    # --- bundle versions -----------------------------------------------------------------------
    def deploy(self) -> str:
        """Publish a new version of the drill DAG (its own artifact bytes each time); the
        version's first 12 characters, as ``./hangar versions`` shows them."""
        self.deploys += 1
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.write(DRILL_DAG_FILE, "fault_drill.py")
            archive.writestr("drill_version.txt", f"deploy {self.deploys}\n")
        artifact = self.tmp / f"drill-{self.deploys}.zip"
        artifact.write_bytes(out.getvalue())
        proc = hangar(self.env, "deploy", "--artifact", str(artifact))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        versions = hangar(self.env, "versions")
        current = [line for line in versions.stdout.splitlines() if line.startswith("*")]
        assert current, versions.stdout
        return current[0].split()[1]

    def visible_version(self) -> str:
        try:
            return str(self.api.get(f"dags/{DAG}").get("bundle_version") or "")
        except Exception:  # noqa: BLE001 - not parsed yet: 404
            return ""

    # --- runs ------------------------------------------------------------------------------------
    def trigger(self, count: int = 1, hold_s: int = 15) -> list[str]:
        return [self.api.trigger(DAG, {"hold_s": hold_s}) for _ in range(count)]

    def wait_holding(self, run_ids: list[str], timeout: float = 180) -> dict:
        """The first ``stage`` task instance of these runs seen running (the fault window)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for run_id in run_ids:
                for ti in self.api.task_instances(DAG, run_id):
                    if ti["task_id"] == "stage" and ti["state"] == "running":
                        return ti
            time.sleep(0.5)
        raise AssertionError(f"no stage task of {run_ids} ran within {timeout} s")

    def recovered(self, drill: str, run_ids: list[str], fault_at: float) -> float:
        """Wait for every run to succeed; record fault → last success and check the rows."""
        try:
            states = [self.api.wait_for_run(DAG, run_id, timeout=WAIT_S) for run_id in run_ids]
        except TimeoutError:
            self.print_evidence(run_ids)
            raise
        assert states == ["success"] * len(run_ids), states
        ends = [_timestamp(self.api.run(DAG, run_id)["end_date"]) for run_id in run_ids]
        seconds = max(ends) - fault_at
        RECOVERY[drill] = seconds
        print(
            f"\n[drill] {drill}: recovered {seconds:.0f} s after the fault "
            f"(goal {RECOVERY_GOAL_S} s)"
        )
        with psycopg.connect(self.warehouse_url()) as conn:
            counted = conn.execute(
                "SELECT run_id, count(*), count(DISTINCT event_id) FROM drills.events "
                "WHERE run_id = ANY(%s) GROUP BY run_id",
                (run_ids,),
            ).fetchall()
        assert sorted(counted) == sorted((run_id, ROWS, ROWS) for run_id in run_ids)
        return seconds

    def print_evidence(self, run_ids: list[str]) -> None:
        """What a drill that did not recover leaves to read: its task instances and the tails
        of the components' logs (the stack's folder is removed at the end of the module)."""
        for run_id in run_ids:
            try:
                tis = self.api.task_instances(DAG, run_id)
                print(
                    f"\n[evidence] {run_id}: "
                    + ", ".join(
                        f"{ti['task_id']}={ti['state']} (try {ti['try_number']}, {ti.get('hostname')})"
                        for ti in tis
                    )
                )
            except Exception as exc:  # noqa: BLE001 - evidence only
                print(f"\n[evidence] {run_id}: task instances unavailable: {exc}")
        logs = self.state / "logs"
        for name in (
            "supervisord",
            "scheduler",
            "scheduler-2",
            "worker-1",
            "worker-2",
            "api-server",
        ):
            path = logs / f"{name}.log"
            if path.is_file():
                tail = path.read_text(errors="replace").splitlines()[-40:]
                print(f"\n[evidence] last lines of {path.name}:\n" + "\n".join(tail))


def _timestamp(stamp: str) -> float:
    import datetime as dt

    return dt.datetime.fromisoformat(stamp).timestamp()


@pytest.fixture(scope="module")
def stack() -> Iterator[DrillStack]:
    # PostgreSQL runs as user postgres under root: its state folder must be traversable.
    tmp = Path(tempfile.mkdtemp(prefix="hangar-drills-"))
    tmp.chmod(0o755)
    state = tmp / "state"
    env = stack_env(state, HANGAR_DAG_SOURCE="store", HANGAR_SCHEDULERS="2")
    # The default profile: what users get. Nothing of the test profile stays.
    for test_only in ("HANGAR_PROFILE", "HANGAR_BUNDLE_REFRESH_INTERVAL", "HANGAR_METADATA_DB_URL"):
        env.pop(test_only, None)
    # Nothing answers here: `up` starts PostgreSQL and Redis of its own, which drills restart.
    env["HANGAR_POSTGRES_URL"] = f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres"
    env["HANGAR_REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    up = hangar(env, "up", "--stack", "celery", "--workers", "2", "--timeout", "400")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        running = DrillStack(env, state, tmp)
        version = running.deploy()
        deadline = time.monotonic() + 180
        while not running.visible_version().startswith(version):
            assert time.monotonic() < deadline, "the drill DAG never became visible"
            time.sleep(1)
        running.api.unpause(DAG)
        yield running
    finally:
        down = hangar(env, "down")
        if RECOVERY:
            print(
                "\n[drill] time to recover, s: "
                + ", ".join(f"{name} {seconds:.0f}" for name, seconds in RECOVERY.items())
            )
    assert down.returncode == 0, down.stdout + down.stderr
    assert processes_of(state) == []
    shutil.rmtree(tmp, ignore_errors=True)


def test_the_stack_runs_the_default_profile_with_two_schedulers(stack: DrillStack) -> None:
    programs = {s.name: s.state for s in stack.supervisor.status()}
    for name in ("scheduler", "scheduler-2", "worker-1", "worker-2", "postgres", "redis"):
        assert programs.get(name) == "RUNNING", programs
    # Nothing answered at the configured URLs: the stack runs its own PostgreSQL and Redis,
    # their data inside its state folder (what the drills restart).
    env = read_dotenv(stack.state / "run" / "services.env")
    assert "HANGAR_POSTGRES_URL" in env and "HANGAR_REDIS_URL" in env
    assert (stack.state / "postgres" / "data" / "PG_VERSION").is_file()
    status = hangar(stack.env, "status").stdout
    for component in ("postgres", "redis", "scheduler", "scheduler-2", "worker-2"):
        assert any(
            line.split()[:2] == [component, "RUNNING"] for line in status.splitlines()
        ), status
    baseline = stack.trigger(hold_s=0)
    stack.recovered("baseline (no fault)", baseline, time.time())


def test_worker_sigkilled_mid_task(stack: DrillStack) -> None:
    run_ids = stack.trigger()
    holding = stack.wait_holding(run_ids)
    worker = holding["hostname"].split("@")[0]
    old_pid = stack.pid(worker)
    fault_at = time.time()
    stack.kill_tree(worker)
    stack.wait_running(worker, old_pid)
    stack.recovered("worker SIGKILLed mid-task", run_ids, fault_at)
    stage = next(ti for ti in stack.api.task_instances(DAG, run_ids[0]) if ti["task_id"] == "stage")
    assert stage["try_number"] == 2  # the killed attempt was detected and retried


@pytest.mark.parametrize(
    ("program", "runs", "drill"),
    [
        ("redis", 4, "Redis restarted mid-run"),
        ("postgres", 2, "metadata PostgreSQL restarted mid-run"),
    ],
)
def test_service_restarted_mid_run(stack: DrillStack, program: str, runs: int, drill: str) -> None:
    run_ids = stack.trigger(count=runs)
    stack.wait_holding(run_ids)
    fault_at = time.time()
    stack.restart(program)
    stack.recovered(drill, run_ids, fault_at)


def test_api_server_killed_mid_run(stack: DrillStack) -> None:
    run_ids = stack.trigger(count=2)
    stack.wait_holding(run_ids)
    old_pid = stack.pid("api-server")
    fault_at = time.time()
    stack.kill_tree("api-server")
    stack.wait_running("api-server", old_pid)
    # Running is not serving yet: clients (this test too) wait for the API's health.
    wait_until_healthy(api_url(stack.env), timeout=WAIT_S)
    print(f"\n[drill] API server serving again {time.time() - fault_at:.0f} s after the kill")
    stack.recovered("API server killed mid-run", run_ids, fault_at)


def test_one_of_two_schedulers_killed(stack: DrillStack) -> None:
    run_ids = stack.trigger(count=2)
    stack.wait_holding(run_ids)
    old_pid = stack.pid("scheduler")
    fault_at = time.time()
    # A host gone for good: SIGKILLed, and kept down (supervisord would restart it); the other
    # scheduler carries on alone.
    stack.kill_tree("scheduler")
    try:
        stack.supervisor._rpc().stopProcess("scheduler", True)
    except xmlrpc.client.Fault:  # already exited, not restarted yet
        pass
    assert old_pid not in {s.pid for s in stack.supervisor.status()}
    try:
        stack.recovered("one of two schedulers killed", run_ids, fault_at)
    finally:
        try:
            stack.supervisor.start_programs(["scheduler"])
        except xmlrpc.client.Fault as fault:  # supervisord restarted it before it was stopped
            assert "ALREADY_STARTED" in fault.faultString, fault


def test_dag_processor_killed_during_a_bundle_refresh(stack: DrillStack) -> None:
    before = stack.visible_version()
    versions = stack.state / "airflow" / "bundles" / "hangar" / "versions"
    version = stack.deploy()
    assert not before.startswith(version)
    # The refresh has begun once the new version's folder appears (unpacking, then parsing).
    deadline = time.monotonic() + 120
    while not any(version in path.name for path in versions.iterdir()):
        assert time.monotonic() < deadline, "the dag-processor never fetched the new version"
        time.sleep(0.05)
    old_pid = stack.pid("dag-processor")
    fault_at = time.time()
    stack.kill_tree("dag-processor")
    stack.wait_running("dag-processor", old_pid)
    deadline = time.monotonic() + WAIT_S
    while not stack.visible_version().startswith(version):
        assert time.monotonic() < deadline, f"{version} not visible after the restart"
        time.sleep(0.5)
    visible_s = time.time() - fault_at
    print(
        f"\n[drill] dag-processor killed during a refresh: {version} visible {visible_s:.0f} s later"
    )
    run_ids = stack.trigger(hold_s=0)
    stack.recovered("dag-processor killed during a bundle refresh", run_ids, fault_at)
    assert str(stack.api.run(DAG, run_ids[0])["bundle_version"]).startswith(version)
    (unpacked,) = [p for p in versions.iterdir() if p.name.startswith(version)]
    assert (unpacked / ".complete").is_file()
    assert not [p.name for p in versions.iterdir() if p.name.endswith(".tmp")]
