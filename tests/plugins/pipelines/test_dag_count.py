from __future__ import annotations

import pytest

from hangar_plugins.pipelines.dag_count import parse_dag_count


@pytest.mark.parametrize(("raw", "expected"), [(None, 10), ("", 10), (" 3 ", 3), ("0", 0)])
def test_counts(raw: str | None, expected: int) -> None:
    assert parse_dag_count(raw, name="dag_number", default=10) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("ten", "dag_number='ten' must be a whole number"),
        ("501", "within 0..500"),
        ("-1", "0..500"),
    ],
)
def test_bad_values_fail_the_parse_clearly(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_dag_count(raw, name="dag_number", default=10)
