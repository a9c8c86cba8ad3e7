"""Deterministic daily sales CSVs: the example source of the ``ingest_sales`` pipeline.

Order ids are unique across days (``YYYYMMDD`` × 100,000 + line), so loading several days keeps
every day's rows: a day's file never overwrites another day's orders in the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

HEADER = "order_id,ordered_at,store,sku,quantity,amount,paid\n"
# What the embedded source serves per day: 1,000 orders, every 100th line malformed (1 %, under
# the dataset's 5 % tolerance) so the quarantine has something to show.
ROWS_PER_DAY = 1000
BAD_EVERY = 100
_ORDERS_PER_DAY_MAX = 100_000


def order_id(day: str, line: int) -> int:
    """The order id of data line ``line`` (1-based) of ``day``'s file."""
    if not 1 <= line < _ORDERS_PER_DAY_MAX:
        raise ValueError(f"line must be between 1 and {_ORDERS_PER_DAY_MAX - 1}, got {line}")
    return int(date.fromisoformat(day).strftime("%Y%m%d")) * _ORDERS_PER_DAY_MAX + line


def sales_rows(day: str, count: int, *, bad_every: int = 0) -> Iterator[str]:
    """``count`` data lines for ``day``; every ``bad_every``-th one malformed (0: none).

    Malformed lines alternate between a wrong column count and a non-numeric amount.
    """
    for n in range(1, count + 1):
        oid = order_id(day, n)
        if bad_every and n % bad_every == 0:
            if (n // bad_every) % 2:
                yield f"{oid},{day}T10:00:00,store-{n % 7}\n"  # 3 columns instead of 7
            else:
                yield f"{oid},{day}T10:00:00,store-{n % 7},sku-{n % 50},1,twelve,true\n"
            continue
        minute = n % 60
        paid = "true" if n % 3 else "false"
        amount = f"{(n * 37) % 10000 / 100:.2f}"
        quantity = n % 5 + 1
        store, sku = f"store-{n % 7}", f"sku-{n % 50}"
        yield f"{oid},{day}T10:{minute:02d}:00,{store},{sku},{quantity},{amount},{paid}\n"


def sales_csv(day: str, count: int = ROWS_PER_DAY, *, bad_every: int = BAD_EVERY) -> bytes:
    """One day's whole file: header and ``count`` lines."""
    return (HEADER + "".join(sales_rows(day, count, bad_every=bad_every))).encode()


def good_rows(count: int = ROWS_PER_DAY, *, bad_every: int = BAD_EVERY) -> int:
    """How many of a day's ``count`` lines are well-formed."""
    return count - (count // bad_every if bad_every else 0)
