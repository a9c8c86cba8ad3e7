from __future__ import annotations

from hangar_common.cli.query_commands import conninfo, render


def test_rows_are_printed_as_an_aligned_table() -> None:
    text = render(["day", "count"], [("2026-11-21", 990), ("2026-11-22", None)])
    assert text.splitlines() == [
        "day        | count",
        "-----------+------",
        "2026-11-21 | 990  ",
        "2026-11-22 |      ",
        "(2 rows)",
    ]


def test_the_warehouse_is_reached_as_the_stack_configured_it() -> None:
    env = {
        "HANGAR_WAREHOUSE_HOST": "wh",
        "HANGAR_WAREHOUSE_PORT": "6543",
        "HANGAR_WAREHOUSE_DB": "dw",
        "HANGAR_SOURCE_DB": "src",
    }
    info = conninfo(env, "warehouse")
    assert "host=wh" in info and "port=6543" in info and "dbname=dw" in info
    assert "dbname=src" in conninfo(env, "source") and "host=127.0.0.1" in conninfo(env, "source")
