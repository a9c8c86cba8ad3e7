"""The native Celery stack: two workers, Flower, and the faults production sees.

One stack serves the whole module (starting it is the slow part): PostgreSQL metadata DB of
its own, a Redis of its own (the Redis test restarts it), two workers, the test profile's
timeouts (task heartbeat timeout 30 s, queued timeout 60 s).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests

from hangar_common.platform.api_client import AirflowApi
from tests.support.hangar_stack import ADMIN_PASSWORD, api_url, hangar, processes_of, stack_env
from tests.support.postgres import scratch_database
from tests.support.redis_server import RedisServer

DAG = "platform_smoke_check"


class CeleryStack:
    def __init__(self, env: dict[str, str], state: Path, broker: RedisServer) -> None:
        self.env = env
        self.state = state
        self.broker = broker
        self.api = AirflowApi(api_url(env), "admin", ADMIN_PASSWORD)

    def worker_pids(self) -> dict[str, int]:
        status = hangar(self.env, "status").stdout.splitlines()
        pids = {}
        for line in status:
            parts = line.split()
            if parts and parts[0].startswith("worker-") and parts[1] == "RUNNING":
                pids[parts[0]] = int(parts[3].rstrip(","))
        return pids


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryStack]:
    tmp = tmp_path_factory.mktemp("celery")
    broker = RedisServer(tmp / "redis")
    broker.start()
    state = tmp / "state"
    with scratch_database("hangar_it_celery") as metadata_db:
        env = stack_env(state, HANGAR_METADATA_DB_URL=metadata_db, HANGAR_REDIS_URL=broker.url)
        up = hangar(env, "up", "--stack", "celery", "--workers", "2", "--timeout", "300")
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


def test_worker_killed_mid_task_is_retried_and_the_run_succeeds(stack: CeleryStack) -> None:
    run_id = stack.api.trigger(DAG, {"total": 1_000, "chunks": 1, "work_seconds": 25})
    deadline = time.monotonic() + 120
    victim = None
    while victim is None and time.monotonic() < deadline:
        for ti in stack.api.task_instances(DAG, run_id):
            if ti["task_id"] == "sum_chunk" and ti["state"] == "running" and ti.get("pid"):
                victim = ti
        time.sleep(1)
    assert victim is not None, "the long task never started"
    worker = victim["hostname"].split("@")[0]
    worker_pid = stack.worker_pids()[worker]
    # SIGKILL the worker's whole process group and the task process, which has its own group.
    task_pid = int(victim["pid"])
    task_procs = [psutil.Process(task_pid)] if psutil.pid_exists(task_pid) else []
    task_procs += [child for proc in task_procs for child in proc.children(recursive=True)]
    os.killpg(os.getpgid(worker_pid), signal.SIGKILL)
    for proc in task_procs:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass

    assert stack.api.wait_for_run(DAG, run_id, timeout=300) == "success"
    chunk = next(ti for ti in stack.api.task_instances(DAG, run_id) if ti["task_id"] == "sum_chunk")
    assert chunk["state"] == "success"
    assert chunk["try_number"] == 2
    # supervisord restarted the killed worker.
    assert worker in stack.worker_pids()
    assert stack.worker_pids()[worker] != worker_pid


def test_redis_restart_mid_run_leaves_no_run_stuck(stack: CeleryStack) -> None:
    run_ids = [
        stack.api.trigger(DAG, {"total": 10_000, "chunks": 6, "work_seconds": 3}) for _ in range(3)
    ]
    # Mid-run, provably: a task instance of these runs is running on a worker.
    deadline = time.monotonic() + 120
    while not any(
        ti["state"] == "running"
        for run_id in run_ids
        for ti in stack.api.task_instances(DAG, run_id)
    ):
        assert time.monotonic() < deadline, "no task started within 120 s"
        time.sleep(0.5)
    stack.broker.restart(down_seconds=3)
    states = [stack.api.wait_for_run(DAG, run_id, timeout=400) for run_id in run_ids]
    assert states == ["success"] * 3
    for run_id in run_ids:
        stuck = [
            ti["task_id"]
            for ti in stack.api.task_instances(DAG, run_id)
            if ti["state"] in ("queued", "scheduled", "running")
        ]
        assert stuck == []
