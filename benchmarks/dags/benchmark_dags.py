"""The DAGs the platform benchmark runs, the same file on Hangar and on stock Airflow.

``bench_fan_out``: 1 → 8 parallel → 1 trivial tasks (throughput); ``bench_chain``: three
trivial tasks in a row (trigger → success latency and the gap between two tasks). The tasks do
nothing, so what is measured is the platform's task path: scheduling, queueing, the worker, the
task process and its calls to the API server.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task

FAN_OUT_DAG = "bench_fan_out"
CHAIN_DAG = "bench_chain"
FAN_OUT_WIDTH = 8
FAN_OUT_TASKS = FAN_OUT_WIDTH + 2
CHAIN_LENGTH = 3

# Hangar's cluster policy wants tags, an owner and retries; stock Airflow ignores them.
_DAG_ARGS = {
    "start_date": pendulum.datetime(2026, 1, 1, tz="UTC"),
    "catchup": False,
    "tags": ["benchmark", "owner:platform"],
    "default_args": {"owner": "platform", "retries": 1, "retry_delay": dt.timedelta(seconds=5)},
}


@task
def nothing() -> None:
    """A task that does no work of its own."""


with DAG(dag_id=FAN_OUT_DAG, schedule=None, **_DAG_ARGS):  # type: ignore[arg-type]
    first = nothing.override(task_id="first")()
    last = nothing.override(task_id="last")()
    for index in range(FAN_OUT_WIDTH):
        first >> nothing.override(task_id=f"work_{index}")() >> last

with DAG(dag_id=CHAIN_DAG, schedule=None, **_DAG_ARGS):  # type: ignore[arg-type]
    previous = None
    for index in range(CHAIN_LENGTH):
        current = nothing.override(task_id=f"step_{index}")()
        if previous is not None:
            previous >> current
        previous = current
