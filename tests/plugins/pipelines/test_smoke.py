from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hangar_plugins.pipelines.smoke import (
    expected_sum_of_squares,
    plan_chunks,
    sum_of_squares,
    verify_total,
)


@given(total=st.integers(min_value=0, max_value=10_000), chunks=st.integers(1, 64))
def test_chunks_cover_the_range_exactly_once(total: int, chunks: int) -> None:
    plan = plan_chunks(total, chunks)
    assert len(plan) == chunks
    covered = [i for chunk in plan for i in range(chunk["start"], chunk["stop"])]
    assert covered == list(range(total))
    sizes = [chunk["stop"] - chunk["start"] for chunk in plan]
    assert max(sizes) - min(sizes) <= 1


@given(start=st.integers(0, 2_000), length=st.integers(0, 2_000))
def test_sum_of_squares_matches_brute_force(start: int, length: int) -> None:
    stop = start + length
    assert sum_of_squares(start, stop) == sum(i * i for i in range(start, stop))


def test_verify_total_accepts_the_right_sum_and_rejects_a_lost_chunk() -> None:
    plan = plan_chunks(1_000, 7)
    partials = [sum_of_squares(c["start"], c["stop"]) for c in plan]
    assert verify_total(partials, 1_000) == expected_sum_of_squares(1_000)
    with pytest.raises(ValueError, match="a task result is wrong"):
        verify_total(partials[1:], 1_000)


@pytest.mark.parametrize(("total", "chunks"), [(-1, 3), (10, 0)])
def test_plan_rejects_bad_input(total: int, chunks: int) -> None:
    with pytest.raises(ValueError):
        plan_chunks(total, chunks)


def test_slow_variant_waits_then_returns_the_same_sum() -> None:
    import time

    from hangar_plugins.pipelines.smoke import sum_of_squares_slowly

    start = time.monotonic()
    assert sum_of_squares_slowly(3, 9, work_seconds=0.2) == sum_of_squares(3, 9)
    assert time.monotonic() - start >= 0.2
    with pytest.raises(ValueError):
        sum_of_squares_slowly(0, 1, work_seconds=-1)
