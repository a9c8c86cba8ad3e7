"""The ``platform_smoke_check`` DAG and its arithmetic: a fan-out whose result is checkable.

Each mapped task sums the squares of one slice of ``range(total)``; the sum over all slices must
equal the closed form ``(n-1)n(2n-1)/6``, so a lost, duplicated or mis-routed task is detected.
:func:`build_smoke_dag` builds the DAG for the library's file and the platform suites' fixture,
which ``./hangar smoke`` both trigger by the same id and params.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from airflow.sdk import DAG


class Chunk(TypedDict):
    start: int
    stop: int


def plan_chunks(total: int, chunks: int) -> list[Chunk]:
    """Split ``range(total)`` into ``chunks`` contiguous slices whose sizes differ by at most 1."""
    if total < 0:
        raise ValueError(f"total must be >= 0, got {total}")
    if chunks < 1:
        raise ValueError(f"chunks must be >= 1, got {chunks}")
    base, extra = divmod(total, chunks)
    plan: list[Chunk] = []
    start = 0
    for index in range(chunks):
        stop = start + base + (1 if index < extra else 0)
        plan.append({"start": start, "stop": stop})
        start = stop
    return plan


def sum_of_squares(start: int, stop: int) -> int:
    """Sum of ``i*i`` for ``start <= i < stop``."""
    if stop < start:
        raise ValueError(f"stop ({stop}) must be >= start ({start})")
    return expected_sum_of_squares(stop) - expected_sum_of_squares(start)


def sum_of_squares_slowly(start: int, stop: int, *, work_seconds: float) -> int:
    """:func:`sum_of_squares`, after holding the task slot for ``work_seconds`` (rehearsals)."""
    if work_seconds < 0:
        raise ValueError(f"work_seconds must be >= 0, got {work_seconds}")
    time.sleep(work_seconds)
    return sum_of_squares(start, stop)


def expected_sum_of_squares(total: int) -> int:
    """Closed form of ``sum(i*i for i in range(total))``."""
    return (total - 1) * total * (2 * total - 1) // 6


def verify_total(partials: Iterable[int], total: int) -> int:
    """Return the sum of ``partials``; raise when it differs from the closed form for ``total``."""
    got = sum(partials)
    want = expected_sum_of_squares(total)
    if got != want:
        raise ValueError(
            f"sum of partial results is {got}, expected {want}: a task result is wrong"
        )
    return got


def build_smoke_dag(*, tags: Sequence[str], doc_md: str | None = None) -> DAG:
    """The ``platform_smoke_check`` DAG: ``plan`` → ``sum_chunk`` × ``chunks`` → ``verify``."""
    # Airflow is imported here, not at module level: the arithmetic above needs none.
    from datetime import timedelta

    import pendulum
    from airflow.sdk import Param, dag, task

    from hangar_plugins.defaults import default_task_args

    @dag(
        dag_id="platform_smoke_check",
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        tags=list(tags),
        # A smoke check should report fast: short, still exponential, retry delays.
        default_args=default_task_args(
            owner="platform", retries=2, retry_delay=timedelta(seconds=10)
        ),
        params={
            "total": Param(1_000_000, type="integer", minimum=0),
            "chunks": Param(12, type="integer", minimum=1, maximum=64),
            "work_seconds": Param(0, type="integer", minimum=0, maximum=600),
        },
        doc_md=doc_md,
    )
    def platform_smoke_check() -> None:
        @task
        def plan(params: dict[str, Any] | None = None) -> list[Chunk]:
            assert params is not None
            return plan_chunks(int(params["total"]), int(params["chunks"]))

        @task
        def sum_chunk(chunk: Chunk, params: dict[str, Any] | None = None) -> int:
            assert params is not None
            return sum_of_squares_slowly(
                chunk["start"], chunk["stop"], work_seconds=int(params["work_seconds"])
            )

        @task
        def verify(partials: list[int], params: dict[str, Any] | None = None) -> int:
            assert params is not None
            return verify_total(partials, int(params["total"]))

        # TaskFlow passes an XComArg where verify names what it resolves to.
        verify(sum_chunk.expand(chunk=plan()))  # type: ignore[arg-type]

    return platform_smoke_check()
