"""Deterministic ``app_events`` rows: the example source table of ``extract_app_events`` and
``user_events_daily``, seeded into the source database by ``./hangar up``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

# The first day with events (the DAGs reading them start then too).
FIRST_DAY = date(2026, 11, 1)
EVENT_TYPES = ("view", "click", "buy")
CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS public.app_events (event_id bigint PRIMARY KEY,"
    " user_id int NOT NULL, event_type text NOT NULL, occurred_at timestamptz NOT NULL)"
)


def events_on(day: date) -> int:
    """How many events ``day`` has (40 to 50, varying by day)."""
    return 40 + day.toordinal() % 11


def event_rows(day: date) -> Iterator[tuple[int, int, str, datetime]]:
    """``(event_id, user_id, event_type, occurred_at)`` of ``day``; ids unique across days."""
    base = int(day.strftime("%Y%m%d")) * 10_000
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    for n in range(events_on(day)):
        occurred = midnight + timedelta(hours=n % 24, minutes=(n * 7) % 60)
        yield base + n, (n * 3 + day.day) % 9, EVENT_TYPES[n % 3], occurred


def seed(conninfo: str, *, until: date, since: date = FIRST_DAY) -> int:
    """Create ``public.app_events`` if needed and add the days ``since``..``until`` (inclusive)
    not there yet; rows already present are left as they are. Returns the rows added."""
    import psycopg

    added = 0
    with psycopg.connect(conninfo, connect_timeout=10) as conn:
        conn.execute(CREATE_TABLE)
        with conn.cursor() as cur:
            day = since
            while day <= until:
                cur.executemany(
                    "INSERT INTO public.app_events VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (event_id) DO NOTHING",
                    list(event_rows(day)),
                )
                added += max(cur.rowcount, 0)
                day += timedelta(days=1)
    return added
