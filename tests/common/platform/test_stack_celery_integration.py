"""The native Celery stack: two workers, Flower, and the faults production sees.

One stack serves the whole module (starting it is the slow part): PostgreSQL metadata DB of
its own, a Redis of its own, two workers, the test profile's timeouts, the platform suites' own
DAGs (tests/support/platform_dags). The faults (a worker killed, Redis or PostgreSQL
restarted...) are drilled in the default profile: tests/drills.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from hangar_common.platform.api_client import AirflowApi
from hangar_common.platform.config import state_paths
from hangar_common.platform.supervisor import Supervisor
from hangar_common.settings import read_dotenv
from tests.support.fixture_dags import HOUSEKEEPING_DAG, IDLE_DAG, SMOKE_DAG, served
from tests.support.hangar_stack import ADMIN_PASSWORD, api_url, hangar, processes_of, stack_env
from tests.support.paths import repo_root
from tests.support.ports import free_port
from tests.support.postgres import scratch_database
from tests.support.redis_server import RedisServer

DAG = SMOKE_DAG


class CeleryStack:
    def __init__(self, env: dict[str, str], state: Path, broker: RedisServer) -> None:
        self.env = env
        self.state = state
        self.broker = broker
        self.api = AirflowApi(api_url(env), "admin", ADMIN_PASSWORD)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryStack]:
    tmp = tmp_path_factory.mktemp("celery")
    broker = RedisServer(tmp / "redis")
    broker.start()
    state = tmp / "state"
    with scratch_database("hangar_it_celery") as metadata_db:
        env = stack_env(
            state,
            **served(),
            HANGAR_METADATA_DB_URL=metadata_db,
            HANGAR_REDIS_URL=broker.url,
            HANGAR_PROMETHEUS_PORT=str(free_port()),
            HANGAR_METRICS_INTERVAL="5",
        )
        up = hangar(
            env, "up", "--stack", "celery", "--workers", "2", "--with-metrics", "--timeout", "300"
        )
        try:
            assert up.returncode == 0, up.stdout + up.stderr
            running = CeleryStack(env, state, broker)
            running.api.wait_for_dag(DAG)
            running.api.unpause(DAG)
            yield running
        finally:
            down = hangar(env, "down")
            broker.stop()
        assert down.returncode == 0, down.stdout + down.stderr
        assert processes_of(state) == []


def test_fan_out_runs_on_both_workers_and_flower_lists_them(stack: CeleryStack) -> None:
    run_id = stack.api.trigger(DAG, {"total": 100_000, "chunks": 12, "work_seconds": 1})
    assert stack.api.wait_for_run(DAG, run_id, timeout=240) == "success"
    instances = stack.api.task_instances(DAG, run_id)
    chunks = [ti for ti in instances if ti["task_id"] == "sum_chunk"]
    assert len(chunks) == 12
    assert all(ti["state"] == "success" for ti in instances)
    workers = {ti["hostname"].split("@")[0] for ti in chunks}
    assert workers == {"worker-1", "worker-2"}

    flower = f"http://127.0.0.1:{stack.env['HANGAR_FLOWER_PORT']}/api/workers"
    assert requests.get(flower, timeout=10).status_code == 401  # Flower needs auth too
    listed = requests.get(
        flower, params={"refresh": 1}, auth=("admin", ADMIN_PASSWORD), timeout=30
    ).json()
    assert {name.split("@")[0] for name in listed} == {"worker-1", "worker-2"}


# --- production auth: the FAB auth manager, its roles and users -------------------------------


def _token_status(stack: CeleryStack, username: str, password: str) -> int:
    return requests.post(
        f"{api_url(stack.env)}/auth/token",
        json={"username": username, "password": password},
        timeout=30,
    ).status_code


def _add_user(stack: CeleryStack, username: str, role: str) -> tuple[AirflowApi, str]:
    added = hangar(stack.env, "users", "add", username, "--role", role)
    assert added.returncode == 0, added.stdout + added.stderr
    assert f"created user {username} ({role})" in added.stdout
    password = added.stdout.split("password (shown once):")[1].strip()
    return AirflowApi(api_url(stack.env), username, password), password


def _status(
    api: AirflowApi, method: str, path: str, body: Mapping[str, object] | None = None
) -> int:
    response = api.session.request(method, f"{api.base_url}/api/v2/{path}", json=body, timeout=30)
    return response.status_code


def test_roles_allow_exactly_what_each_login_needs(stack: CeleryStack) -> None:
    viewer, viewer_password = _add_user(stack, "vera", "Viewer")
    operator, _ = _add_user(stack, "otto", "Op")
    secrets = read_dotenv(state_paths(stack.env, repo_root()).secrets_file)
    maintenance = AirflowApi(
        api_url(stack.env), "maintenance", secrets["HANGAR_MAINTENANCE_PASSWORD"]
    )
    # IDLE_DAG stays paused: a triggered run is only queued, nothing runs.
    trigger: tuple[str, str, Mapping[str, object]] = (
        "POST",
        f"dags/{IDLE_DAG}/dagRuns",
        {"logical_date": None, "conf": {}},
    )

    assert _status(viewer, "GET", "dags") == 200
    assert _status(viewer, *trigger) == 403
    assert _status(operator, *trigger) == 200
    assert _status(maintenance, *trigger) == 403
    runs = maintenance.get(f"dags/{IDLE_DAG}/dagRuns")["dag_runs"]
    assert len(runs) == 1
    clear = f"dags/{IDLE_DAG}/dagRuns/{runs[0]['dag_run_id']}/clear"
    assert _status(maintenance, "POST", clear, {"dry_run": True}) == 200
    assert _status(viewer, "POST", clear, {"dry_run": True}) == 403
    connection = {"connection_id": "warehouse", "conn_type": "postgres", "host": "elsewhere"}
    assert _status(maintenance, "PATCH", "connections/warehouse", connection) == 403
    assert _status(maintenance, "GET", "connections/warehouse") == 403

    assert _token_status(stack, "vera", "not-her-password") == 401
    assert _token_status(stack, "nobody", ADMIN_PASSWORD) == 401
    assert requests.get(f"{api_url(stack.env)}/api/v2/dags", timeout=30).status_code == 401

    listed = hangar(stack.env, "users", "list")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line.split(None, 1)[1] for line in listed.stdout.splitlines()[1:]}
    assert rows == {
        "admin": "Admin",
        "maintenance": "Maintenance",
        "otto": "Op",
        "provisioner": "Provisioner",
        "vera": "Viewer",
    }
    refused = hangar(stack.env, "users", "remove", "admin")
    assert refused.returncode == 2
    assert "'admin' is a platform login" in refused.stderr
    removed = hangar(stack.env, "users", "remove", "vera")
    assert removed.returncode == 0, removed.stderr
    assert _token_status(stack, "vera", viewer_password) == 401


def test_the_platform_says_it_runs_production_auth(stack: CeleryStack) -> None:
    status = {
        line.split()[0]: line.split()[1:]
        for line in hangar(stack.env, "status").stdout.splitlines()
    }
    assert status["auth"][0] == "FAB"
    summary = stack.api.session.get(f"{stack.api.base_url}/hangar/status.json", timeout=30)
    assert summary.json()["auth_manager"] == "FabAuthManager"
    page = stack.api.session.get(f"{stack.api.base_url}/hangar/", timeout=30)
    assert page.status_code == 200
    assert "auth FabAuthManager" in page.text
    assert "Development login" not in page.text


def test_the_admin_password_is_in_no_log(stack: CeleryStack) -> None:
    files = [path for path in stack.state.rglob("*") if path.is_file() and path.suffix == ".log"]
    assert len(files) > 10  # component logs and task logs
    leaked = [str(path) for path in files if ADMIN_PASSWORD.encode() in path.read_bytes()]
    assert leaked == []


# --- remote task logs: a log outlives its worker and its disk ----------------------------------


def test_task_log_reads_from_the_store_after_its_worker_and_log_folder_are_gone(
    stack: CeleryStack,
) -> None:
    run_id = stack.api.trigger(DAG, {"total": 1_000, "chunks": 2, "work_seconds": 0})
    assert stack.api.wait_for_run(DAG, run_id, timeout=240) == "success"
    chunk = next(ti for ti in stack.api.task_instances(DAG, run_id) if ti["task_id"] == "sum_chunk")
    worker = chunk["hostname"].split("@")[0]
    supervisor = Supervisor(state_paths(stack.env, repo_root()))
    supervisor.stop_at_once([worker])
    try:
        shutil.rmtree(stack.state / "logs" / "airflow")
        path = (
            f"dags/{DAG}/dagRuns/{quote(run_id, safe='')}/taskInstances/sum_chunk/logs/"
            f"{chunk['try_number']}"
        )
        content = stack.api.get(path, map_index=chunk["map_index"], full_content=True)["content"]
    finally:
        supervisor.start_programs([worker])
    events = [str(entry.get("event", "")) for entry in content]
    assert any(event.startswith("s3://hangar-logs/task-logs/dag_id=") for event in events), events
    assert any("Done. Returned value was" in event for event in events), events


# --- housekeeping: the metadata DB cleanup reaches the DB from a task ----------------------------


def test_housekeeping_cleans_the_metadata_db_from_a_celery_task(stack: CeleryStack) -> None:
    dag = HOUSEKEEPING_DAG
    stack.api.wait_for_dag(dag)
    run_id = stack.api.trigger(dag, {"retention_days": 1, "dry_run": True})
    stack.api.unpause(dag)
    assert stack.api.wait_for_run(dag, run_id, timeout=240) == "success"
    report = stack.api.get(
        f"dags/{dag}/dagRuns/{quote(run_id, safe='')}/taskInstances/clean_metadata_db/"
        "xcomEntries/return_value"
    )["value"]
    # Task processes have no metadata DB of their own (Airflow 3 blocks it); the cleanup's
    # child process reached it: every run of this module is younger than a day.
    assert report["dry_run"] is True and report["total"] == 0, report


# --- metrics: a real Prometheus scrapes Airflow (StatsD via collectd), Flower, PostgreSQL, Redis --


def _prometheus(stack: CeleryStack, path: str, **params: str) -> Any:
    url = f"http://127.0.0.1:{stack.env['HANGAR_PROMETHEUS_PORT']}/api/v1/{path}"
    answer = requests.get(url, params=params, timeout=10).json()
    assert answer["status"] == "success", answer
    return answer["data"]


def _series(stack: CeleryStack, query: str) -> list[dict[str, Any]]:
    return list(_prometheus(stack, "query", query=query)["result"])


def test_prometheus_has_task_success_the_heartbeat_and_every_target(stack: CeleryStack) -> None:
    run_id = stack.api.trigger(DAG, {"total": 1_000, "chunks": 3, "work_seconds": 0})
    assert stack.api.wait_for_run(DAG, run_id, timeout=240) == "success"
    query = f'airflow_ti_finish_total{{dag_id="{DAG}",task_id="sum_chunk",state="success"}}'
    deadline = time.monotonic() + 60  # a scrape every 5 s, collectd flushes every 10 s
    while not _series(stack, query):
        assert time.monotonic() < deadline, _series(stack, "airflow_ti_finish_total")
        time.sleep(2)
    assert float(_series(stack, query)[0]["value"][1]) >= 3
    assert _series(stack, "increase(airflow_scheduler_heartbeat_total[1m]) > 0")
    targets = _prometheus(stack, "targets")["activeTargets"]
    assert {t["labels"]["job"]: t["health"] for t in targets} == {
        "airflow": "up",
        "celery": "up",
        "postgres": "up",
        "redis": "up",
    }
    assert _series(stack, "pg_up == 1") and _series(stack, "redis_up == 1")
    assert _series(stack, 'flower_events_total{type="task-succeeded"} > 0')
    # The Hangar page shows the same figures.
    summary = stack.api.session.get(f"{stack.api.base_url}/hangar/status.json", timeout=30).json()
    assert summary["metrics"]["error"] is None, summary["metrics"]
    figures = {f["label"]: f["value"] for f in summary["metrics"]["figures"]}
    assert int(figures["Tasks succeeded, last hour"]) >= 3, figures


def test_a_stopped_scheduler_fires_its_alert_within_the_rules_window(stack: CeleryStack) -> None:
    supervisor = Supervisor(state_paths(stack.env, repo_root()))
    supervisor.stop_at_once(["scheduler"])
    stopped = time.monotonic()
    try:
        state = None
        # The rule: no heartbeat counted in 1 minute, for 30 s; plus a scrape and an evaluation.
        while time.monotonic() - stopped < 90 + 2 * 5 + 10:
            alerts = _prometheus(stack, "alerts")["alerts"]
            states = {a["labels"]["alertname"]: a["state"] for a in alerts}
            state = states.get("AirflowSchedulerHeartbeatStale")
            if state == "firing":
                break
            time.sleep(2)
        took = time.monotonic() - stopped
    finally:
        supervisor.start_programs(["scheduler"])
    print(f"AirflowSchedulerHeartbeatStale fired {took:.0f} s after the scheduler stopped")
    assert state == "firing"
