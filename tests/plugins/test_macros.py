from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hangar_plugins.macros import partition_path


def test_day_partition_is_named_after_the_utc_interval_start() -> None:
    start = datetime(2026, 11, 21, 1, 30, tzinfo=timezone(timedelta(hours=3)))
    assert partition_path(start) == "year=2026/month=11/day=20"


@pytest.mark.parametrize(
    ("granularity", "expected"),
    [
        ("year", "year=2026"),
        ("month", "year=2026/month=02"),
        ("hour", "year=2026/month=02/day=03/hour=04"),
    ],
)
def test_granularity(granularity: str, expected: str) -> None:
    start = datetime(2026, 2, 3, 4, 5, tzinfo=UTC)
    assert partition_path(start, granularity=granularity) == expected


def test_naive_datetime_and_unknown_granularity_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        partition_path(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="granularity must be one of"):
        partition_path(datetime(2026, 1, 1, tzinfo=UTC), granularity="week")
