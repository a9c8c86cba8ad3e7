"""
### Platform smoke test

Fans out `chunks` parallel tasks, each summing the squares of one slice of `range(total)`, and
checks the total against the closed form. Run it after a deploy or an upgrade: it proves that the
scheduler, the executor and every worker run tasks and pass results (XCom) correctly.

Params: `total` (default 1,000,000), `chunks` (default 12, the number of parallel tasks) and
`work_seconds` (default 0: how long each chunk task also holds its slot, to rehearse long tasks
and worker failures).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Param, dag, task

from hangar_plugins.defaults import default_task_args
from hangar_plugins.pipelines import smoke


@dag(
    dag_id="platform_smoke_check",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["platform", "smoke"],
    # A smoke check should report fast: short, still exponential, retry delays.
    default_args=default_task_args(owner="platform", retries=2, retry_delay=timedelta(seconds=10)),
    params={
        "total": Param(1_000_000, type="integer", minimum=0),
        "chunks": Param(12, type="integer", minimum=1, maximum=64),
        "work_seconds": Param(0, type="integer", minimum=0, maximum=600),
    },
    doc_md=__doc__,
)
def platform_smoke_check() -> None:
    @task
    def plan(params: dict[str, Any] | None = None) -> list[smoke.Chunk]:
        assert params is not None
        return smoke.plan_chunks(int(params["total"]), int(params["chunks"]))

    @task
    def sum_chunk(chunk: smoke.Chunk, params: dict[str, Any] | None = None) -> int:
        assert params is not None
        return smoke.sum_of_squares_slowly(
            chunk["start"], chunk["stop"], work_seconds=int(params["work_seconds"])
        )

    @task
    def verify(partials: list[int], params: dict[str, Any] | None = None) -> int:
        assert params is not None
        return smoke.verify_total(partials, int(params["total"]))

    verify(sum_chunk.expand(chunk=plan()))


smoke_check_dag = platform_smoke_check()

if __name__ == "__main__":
    smoke_check_dag.test()
