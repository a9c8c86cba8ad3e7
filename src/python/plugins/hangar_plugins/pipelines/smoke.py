"""Arithmetic behind the ``platform_smoke_check`` DAG: a fan-out whose result is checkable.

Each mapped task sums the squares of one slice of ``range(total)``; the sum over all slices must
equal the closed form ``(n-1)n(2n-1)/6``, so a lost, duplicated or mis-routed task is detected.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TypedDict


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
