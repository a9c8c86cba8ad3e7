"""
### Platform smoke test (the platform suites' copy)

The same DAG as the library's `platform_smoke_check` (id, params, tasks), which `./hangar smoke`
triggers by name: `chunks` parallel tasks each sum the squares of one slice of `range(total)`,
and `verify` checks the total against the closed form. `work_seconds` makes each chunk task hold
its slot (long tasks, killed workers).
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
    tags=["platform", "smoke", "test"],
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

    # TaskFlow passes an XComArg where verify names what it resolves to (pyproject.toml's
    # hangar_dags.* override, for this one call).
    verify(sum_chunk.expand(chunk=plan()))  # type: ignore[arg-type]


platform_smoke_check()
