from __future__ import annotations

from datetime import date

from hangar_common.examples.sales import sales_csv
from hangar_common.examples.source_server import answer

TODAY = date(2026, 11, 22)


def test_serves_past_days_and_refuses_the_future() -> None:
    assert answer("/sales/2026-11-21.csv", today=TODAY) == (
        200,
        "text/csv",
        sales_csv("2026-11-21"),
    )
    status, _, body = answer("/sales/2026-11-23.csv", today=TODAY)
    assert status == 404 and b"no sales file for 2026-11-23 yet" in body


def test_other_paths_are_not_found_and_health_answers() -> None:
    assert answer("/health", today=TODAY)[0] == 200
    assert answer("/sales/2026-13-01.csv", today=TODAY)[0] == 404
    assert answer("/etc/passwd", today=TODAY)[0] == 404
