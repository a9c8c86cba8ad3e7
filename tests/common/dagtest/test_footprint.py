from __future__ import annotations

from hangar_common.dagtest.footprint import Snapshot, compare, lake_objects, warehouse_conninfo
from hangar_common.platform.environment_spec import ConnectionSpec


def test_only_what_changed_is_reported() -> None:
    before = Snapshot(
        tables={"raw.sales": 10, "marts.kept": 3},
        objects={"a.csv": (5, '"e1"'), "b.csv": (6, '"e2"'), "gone.csv": (1, '"e3"')},
    )
    after = Snapshot(
        tables={"raw.sales": 20, "marts.kept": 3, "raw.new": 4},
        objects={"a.csv": (5, '"e1"'), "b.csv": (7, '"e9"'), "c.csv": (8, '"e4"')},
    )
    footprint = compare(before, after, warehouse="wh", lake="s3://lake")
    assert [(t.table, t.before, t.after) for t in footprint.tables] == [
        ("raw.new", None, 4),
        ("raw.sales", 10, 20),
    ]
    assert footprint.tables_unchanged == 1
    assert [(o.key, o.change, o.size) for o in footprint.objects] == [
        ("b.csv", "changed", 7),
        ("c.csv", "added", 8),
        ("gone.csv", "removed", 1),
    ]


def test_a_part_not_reachable_both_times_is_not_compared_but_named() -> None:
    before = Snapshot(tables=None, objects={}, problems=("the warehouse: refused",))
    after = Snapshot(tables={"raw.sales": 1}, objects={"k": (1, "e")})
    footprint = compare(before, after, warehouse="wh", lake="s3://lake")
    assert (footprint.warehouse_seen, footprint.tables) == (False, ())
    assert footprint.lake_seen and [o.key for o in footprint.objects] == ["k"]
    assert footprint.problems == ("the warehouse: refused",)


def test_the_warehouse_is_reached_through_its_connection() -> None:
    conn = ConnectionSpec(
        conn_id="warehouse", conn_type="postgres", host="db", port=6543, schema="dw", login="me"
    )
    info = warehouse_conninfo(conn)
    assert "host=db" in info and "port=6543" in info and "dbname=dw" in info and "user=me" in info


class _Pages:
    def __init__(self, pages: list[dict[str, object]]) -> None:
        self.pages = pages
        self.asked: dict[str, object] = {}

    def get_paginator(self, name: str) -> _Pages:
        return self

    def paginate(self, **kwargs: object) -> list[dict[str, object]]:
        self.asked = kwargs
        return self.pages


def test_lake_objects_are_listed_under_the_lake_prefix_page_by_page() -> None:
    client = _Pages(
        [
            {"Contents": [{"Key": "lake/a", "Size": 1, "ETag": '"x"'}]},
            {"Contents": [{"Key": "lake/b", "Size": 2, "ETag": '"y"'}]},
            {},
        ]
    )
    assert lake_objects(client, "s3://bucket/lake") == {"lake/a": (1, '"x"'), "lake/b": (2, '"y"')}
    assert client.asked == {"Bucket": "bucket", "Prefix": "lake/"}
    lake_objects(client, "s3://bucket")
    assert client.asked == {"Bucket": "bucket", "Prefix": ""}
