from __future__ import annotations

from datetime import date, timedelta

from hangar_common.examples.app_events import EVENT_TYPES, event_rows, events_on


def test_events_are_deterministic_inside_their_day_with_unique_ids() -> None:
    day = date(2026, 11, 5)
    rows = list(event_rows(day))
    assert rows == list(event_rows(day))
    assert len(rows) == events_on(day) and 40 <= len(rows) <= 50
    assert {row[3].date() for row in rows} == {day}
    assert {row[2] for row in rows} == set(EVENT_TYPES)
    ids = [row[0] for day_ in (day, day + timedelta(days=1)) for row in event_rows(day_)]
    assert len(ids) == len(set(ids))
