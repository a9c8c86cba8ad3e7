from __future__ import annotations

import csv
import io

import pytest

from hangar_common.examples.sales import HEADER, good_rows, order_id, sales_csv


def test_a_day_is_deterministic_with_one_percent_malformed_rows() -> None:
    text = sales_csv("2026-11-20").decode()
    assert text == sales_csv("2026-11-20").decode()
    assert text.startswith(HEADER)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert len(rows) == 1000
    well_formed = [row for row in rows if len(row) == 7 and row[5] != "twelve"]
    assert len(well_formed) == good_rows() == 990


def test_order_ids_are_unique_across_days() -> None:
    def ids(day: str) -> set[str]:
        return {line.split(",")[0] for line in sales_csv(day).decode().splitlines()[1:]}

    assert len(ids("2026-11-20")) == 1000
    assert ids("2026-11-20").isdisjoint(ids("2026-11-21"))
    assert order_id("2026-11-20", 1) == 2026112000001


def test_a_line_number_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="line must be between 1 and 99999"):
        order_id("2026-11-20", 100_000)
