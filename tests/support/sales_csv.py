"""Deterministic sales CSVs for the ingestion pipeline (and its benchmark)."""

from __future__ import annotations

from collections.abc import Iterator

HEADER = "order_id,ordered_at,store,sku,quantity,amount,paid\n"


def sales_rows(day: str, count: int, *, bad_every: int = 0) -> Iterator[str]:
    """``count`` data lines for ``day``; every ``bad_every``-th one malformed (0: none).

    Malformed lines alternate between a wrong column count and a non-numeric amount.
    """
    for n in range(1, count + 1):
        if bad_every and n % bad_every == 0:
            if (n // bad_every) % 2:
                yield f"{n},{day}T10:00:00,store-{n % 7}\n"  # 3 columns instead of 7
            else:
                yield f"{n},{day}T10:00:00,store-{n % 7},sku-{n % 50},1,twelve,true\n"
            continue
        minute = n % 60
        paid = "true" if n % 3 else "false"
        amount = f"{(n * 37) % 10000 / 100:.2f}"
        quantity = n % 5 + 1
        store, sku = f"store-{n % 7}", f"sku-{n % 50}"
        yield f"{n},{day}T10:{minute:02d}:00,{store},{sku},{quantity},{amount},{paid}\n"


def sales_csv(day: str, count: int, *, bad_every: int = 0) -> bytes:
    return (HEADER + "".join(sales_rows(day, count, bad_every=bad_every))).encode()
