"""What the platform benchmark measures on a running side, through Airflow's REST API only.

Times come from the runs' and task instances' own ``start_date``/``end_date`` (the same clock:
one machine) against the moment the client sent the trigger, so how often the client polls does
not change the figures.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psutil

from benchmarks.dags.benchmark_dags import CHAIN_DAG, CHAIN_LENGTH, FAN_OUT_DAG, FAN_OUT_TASKS
from benchmarks.stacks import BenchmarkFailed, Side
from hangar_common.platform.api_client import FINAL_RUN_STATES, AirflowApi


@dataclass(frozen=True)
class Throughput:
    runs: int
    tasks: int
    seconds: float
    peak_pss_mib: float
    # Machine-wide CPU over the window (both sides share the machine, PostgreSQL and Redis):
    # how busy the cores were, and CPU seconds spent per task.
    cpu_busy_share: float = 0.0
    cpu_s_per_task: float = 0.0

    @property
    def tasks_per_s(self) -> float:
        return self.tasks / self.seconds


@dataclass(frozen=True)
class ChainLatency:
    trigger_to_success_s: list[float] = field(default_factory=list)
    task_gaps_s: list[float] = field(default_factory=list)


def _when(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp).timestamp()


def prepare(side: Side, api: AirflowApi, *, timeout: float = 300) -> list[str]:
    """Wait for both DAGs, unpause them, then warm up until a fan-out run used both workers
    (a worker still starting would otherwise count against the first measurement). The worker
    names seen."""
    for dag_id in (FAN_OUT_DAG, CHAIN_DAG):
        api.wait_for_dag(dag_id, timeout=timeout)
        api.unpause(dag_id)
    deadline = time.monotonic() + timeout
    workers: set[str] = set()
    while len(workers) < 2:
        if time.monotonic() > deadline:
            raise BenchmarkFailed(f"only workers {sorted(workers)} ran tasks in {timeout:.0f} s")
        run_id = api.trigger(FAN_OUT_DAG)
        _wait_all(api, FAN_OUT_DAG, [run_id], timeout=timeout, interval=0.5)
        workers |= side.workers_used(api, FAN_OUT_DAG, run_id)
    return sorted(workers)


def throughput(api: AirflowApi, *, runs: int, pss_bytes: Callable[[], int]) -> Throughput:
    """``runs`` fan-out runs triggered at once: tasks per second from the first trigger to the
    last run's end, and the stack's peak PSS sampled meanwhile."""
    sampler = _PeakSampler(pss_bytes)
    sampler.start()
    cpu_before = _cpu_busy_idle()
    started = time.time()
    try:
        run_ids = [api.trigger(FAN_OUT_DAG) for _ in range(runs)]
        finished = _wait_all(api, FAN_OUT_DAG, run_ids, timeout=60 + 30 * runs, interval=1)
    finally:
        sampler.stop()
    cpu_after = _cpu_busy_idle()
    _check_all_succeeded(api, FAN_OUT_DAG, finished, FAN_OUT_TASKS)
    last_end = max(_when(run["end_date"]) for run in finished)
    busy = cpu_after[0] - cpu_before[0]
    idle = cpu_after[1] - cpu_before[1]
    tasks = runs * FAN_OUT_TASKS
    return Throughput(
        runs=runs,
        tasks=tasks,
        seconds=last_end - started,
        peak_pss_mib=sampler.peak / 2**20,
        cpu_busy_share=busy / (busy + idle) if busy + idle else 0.0,
        cpu_s_per_task=busy / tasks,
    )


def idle_cpu_share(seconds: float = 20) -> float:
    """How busy the machine's cores are over ``seconds`` while the stack has nothing to run
    (its scheduler loop, heartbeats, refreshes)."""
    before = _cpu_busy_idle()
    time.sleep(seconds)
    after = _cpu_busy_idle()
    busy, idle = after[0] - before[0], after[1] - before[1]
    return busy / (busy + idle) if busy + idle else 0.0


def _cpu_busy_idle() -> tuple[float, float]:
    """Machine-wide CPU seconds (busy, idle) since boot, all cores."""
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    return sum(times) - idle, idle


def chain_latency(api: AirflowApi, *, runs: int) -> ChainLatency:
    """``runs`` chain runs one after another: trigger → run success, and the gaps between one
    task's end and the next one's start."""
    result = ChainLatency()
    for _ in range(runs):
        sent = time.time()
        run_id = api.trigger(CHAIN_DAG)
        (run,) = _wait_all(api, CHAIN_DAG, [run_id], timeout=300, interval=0.2)
        instances = _check_all_succeeded(api, CHAIN_DAG, [run], CHAIN_LENGTH)[run_id]
        result.trigger_to_success_s.append(_when(run["end_date"]) - sent)
        ordered = sorted(instances, key=lambda ti: _when(ti["start_date"]))
        result.task_gaps_s.extend(
            _when(later["start_date"]) - _when(earlier["end_date"])
            for earlier, later in zip(ordered, ordered[1:], strict=False)
        )
    return result


def _wait_all(
    api: AirflowApi, dag_id: str, run_ids: list[str], *, timeout: float, interval: float
) -> list[dict[str, Any]]:
    """The runs once every one of them is final (one list request per poll)."""
    pending = set(run_ids)
    done: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    while pending:
        if time.monotonic() > deadline:
            raise BenchmarkFailed(f"{len(pending)} run(s) of {dag_id} not final in {timeout} s")
        time.sleep(interval)
        listed = api.get(f"dags/{dag_id}/dagRuns", limit=100, order_by="-run_after")
        for run in listed["dag_runs"]:
            if run["dag_run_id"] in pending and run["state"] in FINAL_RUN_STATES:
                pending.discard(run["dag_run_id"])
                done[run["dag_run_id"]] = run
    return [done[run_id] for run_id in run_ids]


def _check_all_succeeded(
    api: AirflowApi, dag_id: str, runs: list[dict[str, Any]], tasks: int
) -> dict[str, list[dict[str, Any]]]:
    """Each run succeeded with all its tasks run (a green run without tasks is no figure)."""
    instances = {}
    for run in runs:
        run_id = run["dag_run_id"]
        found = api.task_instances(dag_id, run_id)
        states = sorted(str(ti["state"]) for ti in found)
        if run["state"] != "success" or states != ["success"] * tasks:
            raise BenchmarkFailed(f"{dag_id} run {run_id}: {run['state']}, tasks {states}")
        instances[run_id] = found
    return instances


class _PeakSampler:
    """The highest value of ``measure()`` seen every ``interval`` s on a thread of its own."""

    def __init__(self, measure: Callable[[], int], interval: float = 5) -> None:
        self.measure = measure
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.measure())
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
