"""The release image and the highly available Compose stack, for real, through a container engine.

Pants builds the images first (``runtime_package_dependencies``: the platform image and the
stand-in PostgreSQL/Redis images). One Compose project per test file run (own name, own free
host ports, own volumes), in docker/compose.yaml + compose.test.yaml with two workers, the
metrics of compose.metrics.yaml and the published ports of compose.scale-out.yaml; the tests
run in order against it and the last one takes it down. The DAGs deployed are the platform
suites' bundle (tests/support/platform_dags:bundle), not the library's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil
import psycopg
import pytest
import requests

from hangar_common.platform.api_client import AirflowApi
from hangar_common.platform.secrets import SECRET_NAMES as SECRET_SETTINGS
from hangar_common.platform.secrets import generate
from tests.support.compose import (
    ComposeProject,
    Container,
    engine,
    engine_cli,
    image_exists,
    remove_orphaned_projects,
)
from tests.support.fixture_dags import SMOKE_DAG, bundle_pex
from tests.support.hangar_stack import hangar
from tests.support.paths import repo_root
from tests.support.ports import free_port

pytestmark = pytest.mark.timeout(1500)

IMAGE = "hangar/platform:latest"
METRICS_IMAGE = "hangar/metrics:latest"
SCALE_OUT_DAG = "platform_scale_out"
SCALE_OUT_TABLE = "scale_out.chunk_rows"
FIGURES: dict[str, Any] = {}


def _wait(condition: Callable[[], Any], what: str, timeout: float, interval: float = 2) -> Any:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = condition()
            if result:
                return result
        except (requests.RequestException, RuntimeError, KeyError) as exc:
            last = exc
        time.sleep(interval)
    raise AssertionError(f"{what} within {timeout:.0f} s (last error: {last})")


class Stack:
    def __init__(self, project: ComposeProject, env: dict[str, str]) -> None:
        self.project = project
        self.env = env
        self.api_url = f"http://127.0.0.1:{env['HANGAR_API_PORT']}"
        self.flower_url = f"http://127.0.0.1:{env['HANGAR_FLOWER_PORT']}"
        self.prometheus_url = f"http://127.0.0.1:{env['HANGAR_PROMETHEUS_PORT']}"
        self._api: AirflowApi | None = None

    @property
    def api(self) -> AirflowApi:
        if self._api is None:
            self._api = AirflowApi(self.api_url, "admin", self.env["HANGAR_ADMIN_PASSWORD"])
        return self._api

    def postgres_url(self, database: str) -> str:
        """A database of the stack's PostgreSQL, through its published port."""
        return (
            f"postgresql://hangar:{self.env['HANGAR_POSTGRES_PASSWORD']}"
            f"@127.0.0.1:{self.env['HANGAR_POSTGRES_PORT']}/{database}"
        )

    def prometheus(self, path: str, **params: str) -> Any:
        answer = requests.get(f"{self.prometheus_url}/api/v1/{path}", params=params, timeout=30)
        answer.raise_for_status()
        return answer.json()["data"]

    def healthy(self) -> bool:
        health = requests.get(f"{self.api_url}/api/v2/monitor/health", timeout=5).json()
        return all(
            (part or {}).get("status") == "healthy"
            for name, part in health.items()
            if name in ("metadatabase", "scheduler", "triggerer", "dag_processor")
        )

    def worker_hostnames(self) -> dict[str, Container]:
        """Task-instance host name (the container's host name) → worker container."""
        return {
            self.project.inspect(c)["Config"]["Hostname"]: c
            for c in self.project.of_service("worker")
        }

    def memory_mib(self) -> dict[str, str]:
        """PSS / RSS (MiB) of every running container's processes, seen from the host."""
        figures = {}
        for container in self.project.containers():
            if not container.running:
                continue
            try:
                root = psutil.Process(self.project.inspect(container)["State"]["Pid"])
                tree = [root, *root.children(recursive=True)]
                infos = [proc.memory_full_info() for proc in tree]
            except (psutil.Error, KeyError):
                continue
            pss = sum(info.pss for info in infos) / 2**20
            rss = sum(info.rss for info in infos) / 2**20
            figures[container.name.removeprefix(f"{self.project.name}_")] = f"{pss:.0f}/{rss:.0f}"
        return figures

    def diagnostics(self) -> str:
        return "\n".join(
            f"--- {c.name} ({'running' if c.running else 'stopped'})\n{self.project.logs(c, 25)}"
            for c in self.project.containers()
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    images = {
        "HANGAR_IMAGE": IMAGE,
        "HANGAR_METRICS_IMAGE": METRICS_IMAGE,
        # The stand-ins Pants builds for this test (docker/standins), from Debian's packages.
        "HANGAR_POSTGRES_IMAGE": "localhost/hangar-standin/postgres:15",
        "HANGAR_REDIS_IMAGE": "localhost/hangar-standin/redis:7",
    }
    missing = [name for name in images.values() if not image_exists(name)]
    assert not missing, (
        f"images {missing} are not in the engine that `podman`/`docker` reaches, although"
        " `./pants test` builds them first (runtime_package_dependencies): is DOCKER_HOST the"
        " same engine? (docs/containers.rst)"
    )
    removed = remove_orphaned_projects("hangar-it")
    if removed:
        print(f"removed Compose projects of dead test processes: {removed}")
    secrets = generate()
    slot = os.environ.get("HANGAR_TEST_SLOT", "0")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        **images,
        **secrets,
        "HANGAR_ADMIN_PASSWORD": secrets.get("HANGAR_ADMIN_PASSWORD")
        or "admin-" + os.urandom(8).hex(),
        "HANGAR_POSTGRES_PASSWORD": os.urandom(12).hex(),
        "HANGAR_S3_ACCESS_KEY": "hangar" + os.urandom(4).hex(),
        "HANGAR_S3_SECRET_KEY": os.urandom(16).hex(),
        "HANGAR_PUBLISH_HOST": "127.0.0.1",
        "HANGAR_API_PORT": str(free_port()),
        "HANGAR_FLOWER_PORT": str(free_port()),
        "HANGAR_S3_PORT": str(free_port()),
        "HANGAR_PROMETHEUS_PORT": str(free_port()),
        # High availability, as production runs it: two schedulers by the native setting.
        "HANGAR_SCHEDULERS": "2",
        # compose.scale-out.yaml: PostgreSQL and Redis (with a password) published for workers
        # on another host. The warehouse and the example source: the defaults (databases of
        # the stack's PostgreSQL, which init creates).
        "HANGAR_POSTGRES_PORT": str(free_port()),
        "HANGAR_REDIS_PORT": str(free_port()),
        "HANGAR_REDIS_PASSWORD": os.urandom(12).hex(),
    }
    for name in ("DOCKER_HOST", "CONTAINERS_CONF", "XDG_RUNTIME_DIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    docker = repo_root() / "docker"
    project = ComposeProject(
        name=f"hangar-it{slot}-{os.getpid()}",
        files=(
            docker / "compose.yaml",
            docker / "compose.test.yaml",
            docker / "compose.scale-out.yaml",
            docker / "compose.metrics.yaml",
        ),
        env=env,
    )
    started = time.monotonic()
    project.run("up", "-d", timeout=900)
    running = Stack(project, env)
    try:
        _wait(running.healthy, "the API did not report every component healthy", 600, 3)
        FIGURES["compose up → API healthy (s)"] = round(time.monotonic() - started, 1)
        yield running
    except BaseException:
        print(running.diagnostics())
        raise
    finally:
        project.run("down", "-v", "-t", "5", timeout=600, check=False)
        print(f"\n[compose stack figures] {FIGURES}")


def _deploy(stack: Stack) -> None:
    env = {
        **os.environ,
        "HANGAR_BUNDLE_STORE_URL": "s3://hangar-bundles/hangar",
        "HANGAR_S3_ENDPOINT": f"http://127.0.0.1:{stack.env['HANGAR_S3_PORT']}",
        "HANGAR_S3_ACCESS_KEY": stack.env["HANGAR_S3_ACCESS_KEY"],
        "HANGAR_S3_SECRET_KEY": stack.env["HANGAR_S3_SECRET_KEY"],
    }
    artifact = str(bundle_pex())
    proc = hangar(env, "deploy", "--artifact", artifact)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_image_runs_as_a_user_and_holds_no_secret(stack: Stack) -> None:
    api_server = stack.project.of_service("api-server")[0]
    whoami = engine("exec", api_server.id, "whoami").stdout.strip()
    assert whoami == "airflow"
    history = engine("history", "--no-trunc", "--format", "{{.CreatedBy}}", IMAGE).stdout
    for name in ("HANGAR_FERNET_KEY", "HANGAR_JWT_SECRET", "HANGAR_ADMIN_PASSWORD"):
        assert stack.env[name] not in history
    assert "PASSWORD=" not in history and "SECRET=" not in history
    labels = engine("image", "inspect", "--format", "{{json .Config.Labels}}", IMAGE).stdout
    for label in ("image.source", "image.revision", "image.version"):
        assert f"org.opencontainers.{label}" in labels


def test_every_container_s_health_check_passes(stack: Stack) -> None:
    """Each service's own health check, run in its container. Docker runs them on its own;
    Podman runs them from systemd timers, so on a host without systemd (this one, many CI
    runners) `podman healthcheck run` is what runs one, and then `inspect` shows the result."""
    checked = {}
    for container in stack.project.containers():
        config = stack.project.inspect(container)
        if not container.running or not (config["Config"].get("Healthcheck") or {}).get("Test"):
            continue
        if engine_cli() == "podman":
            ran = engine("healthcheck", "run", container.id, check=False, timeout=120)
            assert ran.returncode == 0, (container.name, ran.stdout, ran.stderr)
        else:

            def healthy(c: Container = container) -> bool:
                return bool(stack.project.inspect(c)["State"]["Health"]["Status"] == "healthy")

            _wait(healthy, f"{container.name} not healthy", 180, 3)
        checked[container.name] = stack.project.inspect(container)["State"]["Health"]["Status"]
    assert set(checked.values()) == {"healthy"}, checked
    services = {c.service for c in stack.project.containers() if c.name in checked}
    assert services >= {"api-server", "scheduler", "dag-processor", "triggerer", "worker"}
    assert len([c for c in stack.project.of_service("scheduler") if c.name in checked]) == 2


def test_a_deployed_bundle_runs_its_parallel_tasks_on_both_workers(stack: Stack) -> None:
    _deploy(stack)
    started = time.monotonic()
    try:
        _wait(lambda: stack.api.get(f"dags/{SMOKE_DAG}"), "the deployed DAG is not visible", 300)
    except AssertionError as exc:
        # What the dag-processor saw: its log, the import errors, the stack's containers.
        errors = stack.api.get("importErrors").get("import_errors", [])
        processor = stack.project.of_service("dag-processor")[0]
        raise AssertionError(
            f"{exc}\nimport errors: {errors}\n--- dag-processor log\n"
            f"{stack.project.logs(processor, 120)}\n{stack.diagnostics()}"
        ) from None
    FIGURES["deploy → DAG visible (s)"] = round(time.monotonic() - started, 1)
    stack.api.unpause(SMOKE_DAG)
    run_id = stack.api.trigger(SMOKE_DAG, {"chunks": 12})
    assert stack.api.wait_for_run(SMOKE_DAG, run_id, timeout=600) == "success"
    chunks = [
        ti for ti in stack.api.task_instances(SMOKE_DAG, run_id) if ti["task_id"] == "sum_chunk"
    ]
    assert len(chunks) == 12 and {ti["state"] for ti in chunks} == {"success"}
    workers = stack.worker_hostnames()
    assert len(workers) == 2
    assert {ti["hostname"] for ti in chunks} == set(workers), chunks
    FIGURES["PSS/RSS MiB after the parallel run"] = stack.memory_mib()
    flower = f"{stack.flower_url}/api/workers"
    assert requests.get(flower, timeout=30).status_code == 401  # behind the admin login
    listed = requests.get(
        flower,
        params={"refresh": 1},
        auth=("admin", stack.env["HANGAR_ADMIN_PASSWORD"]),
        timeout=60,
    ).json()
    assert {name.split("@", 1)[1] for name in listed} == set(workers)


def test_the_warehouse_and_the_example_sources_are_there_without_settings(
    stack: Stack,
) -> None:
    """The library's pipelines run on the default Compose stack as on the native ones: the
    warehouse and the example source are databases of its PostgreSQL, reached as its user, and
    the example sales files are served in the stack."""
    warehouse = stack.api.get("connections/warehouse")
    assert (warehouse["host"], warehouse["login"], warehouse["schema"]) == (
        "postgres",
        "hangar",
        "hangar_warehouse",
    )
    with psycopg.connect(stack.postgres_url("hangar_warehouse")) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("hangar_warehouse",)
    # The ingestion pipeline's example source, served in the stack as natively.
    assert stack.api.get("connections/example_sales")["host"] == "http://sales-source:8765"
    worker = stack.project.of_service("worker")[0]
    day = time.strftime("%Y-%m-%d", time.gmtime())
    csv = engine(
        "exec", worker.id, "curl", "--fail", "--silent", f"http://sales-source:8765/sales/{day}.csv"
    )
    assert len(csv.stdout.splitlines()) > 1, csv.stdout[:200]
    with psycopg.connect(stack.postgres_url("hangar_source")) as conn:
        days, rows = conn.execute(
            "SELECT count(DISTINCT occurred_at::date), count(*) FROM app_events"
        ).fetchone() or (0, 0)
    assert days >= 7 and rows > 0, (days, rows)


def test_prometheus_has_task_successes_every_target_and_the_alert_rules(stack: Stack) -> None:
    """Metrics at parity with `./hangar up --with-metrics`: after the deployed run above, the
    task-success series (StatsD from the workers' task processes -> collectd -> Prometheus,
    relabelled), every scrape target up, Hangar's alert rules loaded."""

    def successes() -> dict[str, float]:
        query = f'airflow_ti_finish_total{{dag_id="{SMOKE_DAG}",state="success"}}'
        found = stack.prometheus("query", query=query)["result"]
        return {s["metric"]["task_id"]: float(s["value"][1]) for s in found}

    # Each task process sends its count as it ends; collectd publishes every 10 s and Prometheus
    # scrapes every 15 s, so the last tasks' counts may arrive up to ~25 s after the run ended.
    def all_counted() -> dict[str, float]:
        counted = successes()
        return counted if set(counted) >= {"plan", "sum_chunk", "verify"} else {}

    try:
        counted = _wait(all_counted, "the run's task successes not all in Prometheus", 180, 5)
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {successes()}") from None
    # plan and verify once each, the 12 mapped chunks (and any later runs' tasks) at least.
    assert counted["plan"] >= 1 and counted["verify"] >= 1 and counted["sum_chunk"] >= 12, counted

    def targets_up() -> dict[str, str]:
        active = stack.prometheus("targets")["activeTargets"]
        health = {t["labels"]["job"]: t["health"] for t in active}
        return health if set(health.values()) == {"up"} else {}

    health = _wait(targets_up, "a scrape target is down", 120, 5)
    assert set(health) == {"airflow", "postgres", "redis", "celery"}, health
    groups = stack.prometheus("rules")["groups"]
    alerts = {rule["name"] for group in groups for rule in group["rules"]}
    assert {"AirflowSchedulerHeartbeatStale", "AirflowTasksStuckQueued"} <= alerts, alerts


def test_the_alert_rules_pass_their_promtool_tests_in_the_metrics_image(stack: Stack) -> None:
    """The rule tests of config/prometheus, against the files the Compose Prometheus loads."""
    prometheus = stack.project.of_service("prometheus")[0]
    tests = (repo_root() / "config/prometheus/alerts_test.yml").read_text()
    tests = tests.replace(
        "rule_files: [alerts.yml]", "rule_files: [/etc/hangar/metrics/alerts.yml]"
    )
    assert "/etc/hangar/metrics/alerts.yml" in tests
    checked = engine(
        "exec", prometheus.id, "promtool", "check", "config", "/etc/hangar/metrics/prometheus.yml"
    )
    assert "SUCCESS" in checked.stdout + checked.stderr
    ran = subprocess.run(
        [engine_cli(), "exec", "-i", prometheus.id, "sh", "-c",
         "cat > /tmp/alerts_test.yml && promtool test rules /tmp/alerts_test.yml"],
        input=tests, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert ran.returncode == 0 and "SUCCESS" in ran.stdout, ran.stdout + ran.stderr


def test_a_task_log_reads_from_the_store_once_its_worker_and_log_files_are_gone(
    stack: Stack,
) -> None:
    [run] = stack.api.get(
        f"dags/{SMOKE_DAG}/dagRuns", state="success", order_by="-end_date", limit=1
    )["dag_runs"]
    run_id = run["dag_run_id"]
    chunk = next(
        ti for ti in stack.api.task_instances(SMOKE_DAG, run_id) if ti["task_id"] == "sum_chunk"
    )
    worker = stack.worker_hostnames()[chunk["hostname"]]
    engine("stop", worker.id)  # `restart: unless-stopped`: it stays down until started
    try:
        api_server = stack.project.of_service("api-server")[0]
        engine("exec", api_server.id, "sh", "-c", "rm -rf /opt/airflow/hangar/logs/airflow/*")
        path = (
            f"dags/{SMOKE_DAG}/dagRuns/{quote(run_id, safe='')}/taskInstances/sum_chunk/logs/"
            f"{chunk['try_number']}"
        )
        content = stack.api.get(path, map_index=chunk["map_index"], full_content=True)["content"]
    finally:
        engine("start", worker.id)
    events = [str(entry.get("event", "")) for entry in content]
    assert any(e.startswith("s3://hangar-logs/task-logs/dag_id=") for e in events), events
    assert any("Done. Returned value was" in e for e in events), events


def test_a_worker_killed_mid_task_is_restarted_and_the_task_retried(stack: Stack) -> None:
    # Long enough to kill the worker while its chunk runs; the retry holds as long again.
    run_id = stack.api.trigger(SMOKE_DAG, {"chunks": 2, "work_seconds": 20})

    def running_chunk() -> dict[str, Any] | None:
        for ti in stack.api.task_instances(SMOKE_DAG, run_id):
            if ti["task_id"] == "sum_chunk" and ti["state"] == "running" and ti["hostname"]:
                return ti
        return None

    victim_ti = _wait(running_chunk, "no chunk task started running", 180, 1)
    victim = stack.worker_hostnames()[victim_ti["hostname"]]
    before = stack.project.inspect(victim)
    pid = before["State"]["Pid"]
    killed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)  # the container's PID 1: the whole worker dies mid-task

    def restarted() -> bool:
        now = stack.project.inspect(victim)
        return now["State"]["Running"] and now["State"]["Pid"] != pid

    _wait(restarted, "the killed worker was not restarted by its restart policy", 120, 1)
    FIGURES["killed worker restarted (s)"] = round(time.monotonic() - killed_at, 1)
    assert stack.api.wait_for_run(SMOKE_DAG, run_id, timeout=600) == "success"
    FIGURES["kill → run success (s)"] = round(time.monotonic() - killed_at, 1)
    retried = [
        ti
        for ti in stack.api.task_instances(SMOKE_DAG, run_id)
        if ti["task_id"] == "sum_chunk" and ti["map_index"] == victim_ti["map_index"]
    ][0]
    assert retried["state"] == "success"
    assert retried["try_number"] >= 2, retried
    assert retried["hostname"] in stack.worker_hostnames()
    FIGURES["retry ran on"] = (
        "the other worker" if retried["hostname"] != victim_ti["hostname"] else "the restarted one"
    )


def test_with_one_scheduler_stopped_the_other_keeps_scheduling(stack: Stack) -> None:
    first, second = stack.project.of_service("scheduler")  # HANGAR_SCHEDULERS=2
    engine("stop", "-t", "10", first.id)
    try:
        run_id = stack.api.trigger(SMOKE_DAG, {"chunks": 4})
        assert stack.api.wait_for_run(SMOKE_DAG, run_id, timeout=300) == "success"
        assert stack.project.inspect(second)["State"]["Running"]
    finally:
        engine("start", first.id, check=False)


class SecondHost:
    """Celery workers on another machine of the same LAN, as docs/containers.rst starts them:
    the same image in a network namespace of their own (slirp4netns), which reaches the first
    host only through the ports it publishes (the host's loopback is 10.0.2.2 there), with an
    env file of their own. No container network, volume or file of the stack is shared."""

    FIRST_HOST = "10.0.2.2"
    HOSTNAME = "second-host"

    def __init__(self, stack: Stack, env_file: Path) -> None:
        self.stack = stack
        self.name = f"{stack.project.name}_second-host"
        first, env = self.FIRST_HOST, stack.env
        postgres = f"hangar:{env['HANGAR_POSTGRES_PASSWORD']}@{first}:{env['HANGAR_POSTGRES_PORT']}"
        settings = {
            "HANGAR_STACK": "celery",
            "HANGAR_PROFILE": "test",
            "HANGAR_WAIT_FOR_MIGRATIONS": "true",
            "HANGAR_POSTGRES_URL": f"postgresql://{postgres}/postgres",
            "HANGAR_METADATA_DB_URL": f"postgresql://{postgres}/hangar_airflow",
            "HANGAR_REDIS_URL": (
                f"redis://:{env['HANGAR_REDIS_PASSWORD']}@{first}:{env['HANGAR_REDIS_PORT']}/0"
            ),
            "HANGAR_API_HOST": first,
            "HANGAR_API_PORT": env["HANGAR_API_PORT"],
            "HANGAR_BUNDLE_STORE_URL": "s3://hangar-bundles/hangar",
            "HANGAR_S3_ENDPOINT": f"http://{first}:{env['HANGAR_S3_PORT']}",
            "HANGAR_S3_ACCESS_KEY": env["HANGAR_S3_ACCESS_KEY"],
            "HANGAR_S3_SECRET_KEY": env["HANGAR_S3_SECRET_KEY"],
            # The connections as this host reaches them (the metadata DB's name the first
            # host's: `postgres`, `object-store`); Airflow reads the environment first.
            "AIRFLOW_CONN_WAREHOUSE": f"postgresql://{postgres}/hangar_warehouse",
            "AIRFLOW_CONN_OBJECT_STORAGE": json.dumps(
                {
                    "conn_type": "aws",
                    "login": env["HANGAR_S3_ACCESS_KEY"],
                    "password": env["HANGAR_S3_SECRET_KEY"],
                    "extra": {
                        "endpoint_url": f"http://{first}:{env['HANGAR_S3_PORT']}",
                        "region_name": "us-east-1",
                    },
                }
            ),
            **{name: env[name] for name in SECRET_SETTINGS if env.get(name)},
        }
        env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
        env_file.chmod(0o600)
        self.env_file = env_file

    def start(self) -> None:
        engine(
            "run", "-d", "--name", self.name, "--hostname", self.HOSTNAME,
            "--network", "slirp4netns:allow_host_loopback=true",
            "--env-file", str(self.env_file),
            IMAGE, "airflow", "celery", "worker",
        )  # fmt: skip

    def remove(self) -> None:
        engine("rm", "-f", "-t", "0", self.name, check=False, timeout=120)

    def listed_by_flower(self) -> bool:
        workers = requests.get(
            f"{self.stack.flower_url}/api/workers",
            params={"refresh": 1},
            auth=("admin", self.stack.env["HANGAR_ADMIN_PASSWORD"]),
            timeout=60,
        ).json()
        return any(name.endswith(f"@{self.HOSTNAME}") for name in workers)


def _warehouse_rows(stack: Stack, run_id: str) -> list[tuple[int, int, int]]:
    """(chunk, rows, distinct n) of one run of platform_scale_out, from the stack's warehouse."""
    with psycopg.connect(stack.postgres_url("hangar_warehouse")) as conn:
        return conn.execute(
            f"SELECT chunk, count(*), count(DISTINCT n) FROM {SCALE_OUT_TABLE} "
            "WHERE run_id = %s GROUP BY chunk ORDER BY chunk",
            (run_id,),
        ).fetchall()


def test_workers_on_a_second_host_share_runs_and_its_loss_loses_nothing(
    stack: Stack, tmp_path: Path
) -> None:
    host = SecondHost(stack, tmp_path / "second-host.env")
    started = time.monotonic()
    host.start()
    try:
        _wait(host.listed_by_flower, "the second host's worker never joined", 300, 3)
        FIGURES["second host: worker joined (s)"] = round(time.monotonic() - started, 1)
        _wait(lambda: stack.api.get(f"dags/{SCALE_OUT_DAG}"), "platform_scale_out not visible", 300)
        stack.api.unpause(SCALE_OUT_DAG)

        # One run's tasks land on both hosts; a second-host task's log reads through the API.
        run_id = stack.api.trigger(SCALE_OUT_DAG, {"chunks": 24, "rows": 100})
        assert stack.api.wait_for_run(SCALE_OUT_DAG, run_id, timeout=600) == "success"
        writes = [
            ti
            for ti in stack.api.task_instances(SCALE_OUT_DAG, run_id)
            if ti["task_id"] == "write_chunk"
        ]
        hosts = {ti["hostname"] for ti in writes}
        FIGURES["second host: task hosts of one run"] = sorted(hosts)
        assert host.HOSTNAME in hosts and hosts & set(stack.worker_hostnames()), hosts
        remote = next(ti for ti in writes if ti["hostname"] == host.HOSTNAME)
        path = (
            f"dags/{SCALE_OUT_DAG}/dagRuns/{quote(run_id, safe='')}/taskInstances/write_chunk/"
            f"logs/{remote['try_number']}"
        )
        content = stack.api.get(path, map_index=remote["map_index"], full_content=True)["content"]
        events = [str(entry.get("event", "")) for entry in content]
        assert any(f"Returned value was: {host.HOSTNAME}" in e for e in events), events
        assert _warehouse_rows(stack, run_id) == [(chunk, 100, 100) for chunk in range(24)]

        # The second host goes away mid-run (power cut): its tasks are retried on the first.
        run_id = stack.api.trigger(SCALE_OUT_DAG, {"chunks": 12, "rows": 100, "work_seconds": 20})

        def holding_on_second_host() -> dict[str, Any] | None:
            for ti in stack.api.task_instances(SCALE_OUT_DAG, run_id):
                if ti["hostname"] == host.HOSTNAME and ti["state"] == "running":
                    return ti
            return None

        victim = _wait(holding_on_second_host, "no task ran on the second host", 300, 1)
        lost_at = time.monotonic()
        host.remove()
        assert stack.api.wait_for_run(SCALE_OUT_DAG, run_id, timeout=600) == "success"
        FIGURES["second host removed → run success (s)"] = round(time.monotonic() - lost_at, 1)
        retried = next(
            ti
            for ti in stack.api.task_instances(SCALE_OUT_DAG, run_id)
            if ti["task_id"] == "write_chunk" and ti["map_index"] == victim["map_index"]
        )
        assert retried["try_number"] >= 2 and retried["hostname"] in stack.worker_hostnames()
        assert _warehouse_rows(stack, run_id) == [(chunk, 100, 100) for chunk in range(12)]
    finally:
        host.remove()


def test_down_and_up_again_keeps_the_platform_s_state(stack: Stack) -> None:
    """A restart of the whole stack (a host reboot, an upgrade): the volumes keep the metadata
    DB, the deployed bundle and the runs; timed as a warm start (images and volumes there)."""
    runs_before = stack.api.get(f"dags/{SMOKE_DAG}/dagRuns")["total_entries"]
    stack.project.run("down", "-t", "10", timeout=600)
    started = time.monotonic()
    stack.project.run("up", "-d", timeout=900)
    _wait(stack.healthy, "the restarted stack did not report every component healthy", 300, 1)
    FIGURES["compose up, warm (images, volumes) → API healthy (s)"] = round(
        time.monotonic() - started, 1
    )
    assert stack.api.get(f"dags/{SMOKE_DAG}/dagRuns")["total_entries"] == runs_before >= 1
    run_id = stack.api.trigger(SMOKE_DAG, {"chunks": 4})
    assert stack.api.wait_for_run(SMOKE_DAG, run_id, timeout=300) == "success"


def test_down_removes_every_container_network_and_volume(stack: Stack) -> None:
    assert stack.project.leftovers()["volumes"], "the running stack should have volumes"
    stack.project.run("down", "-v", "-t", "5", timeout=600)
    left = stack.project.leftovers()
    assert left.pop("pods", []) == []
    assert left == {"containers": [], "networks": [], "volumes": []}
