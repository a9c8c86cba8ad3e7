from __future__ import annotations

import pytest

from hangar_plugins.hooks.warehouse import UpsertResult, upsert_sql


def test_upsert_updates_only_rows_that_changed_and_keeps_the_last_duplicate() -> None:
    statement = upsert_sql("marts.sales", ["id", "day", "amount"], ["id", "day"])
    assert 'INSERT INTO "marts"."sales" ("id", "day", "amount")' in statement
    assert 'SELECT DISTINCT ON ("id", "day")' in statement
    assert 'ORDER BY "id", "day", _hangar_seq DESC' in statement
    assert 'ON CONFLICT ("id", "day") DO UPDATE SET "amount" = EXCLUDED."amount"' in statement
    assert (
        'WHERE ROW("marts"."sales"."amount") IS DISTINCT FROM ROW(EXCLUDED."amount")' in statement
    )


def test_key_only_tables_do_nothing_on_conflict() -> None:
    assert "DO NOTHING" in upsert_sql("t", ["id"], ["id"])


@pytest.mark.parametrize(
    ("table", "columns", "keys", "message"),
    [
        ("a.b.c", ["id"], ["id"], "must be 'table' or 'schema.table'"),
        ("t; drop", ["id"], ["id"], "table name part 't; drop' must match"),
        ("t", ["id", "x y"], ["id"], "column 'x y' must match"),
        ("t", ["id"], ["other"], "key columns ['other'] must be among the loaded columns"),
        ("t", ["id"], [], "key columns [] must be among"),
    ],
)
def test_bad_names_are_refused_before_any_sql_runs(
    table: str, columns: list[str], keys: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        upsert_sql(table, columns, keys)


def test_unchanged_is_what_was_neither_inserted_nor_updated() -> None:
    assert UpsertResult(staged=10, inserted=3, updated=2).unchanged == 5


def test_a_failed_copy_stops_reading_the_file() -> None:
    """When the server side of the COPY fails, the encoder thread stops instead of reading and
    encoding the rest of the input (a 5 M-row file would otherwise be read to its end)."""
    import pyarrow as pa

    from hangar_plugins.hooks.warehouse import _copy_into

    read = []

    def batches():
        for number in range(1000):
            read.append(number)
            yield pa.record_batch({"id": [number]})

    class FailingCopy:
        def __enter__(self) -> FailingCopy:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def write(self, data: bytes) -> None:
            raise RuntimeError("server closed the COPY")

    class Cursor:
        def copy(self, statement: str) -> FailingCopy:
            return FailingCopy()

    with pytest.raises(RuntimeError, match="server closed the COPY"):
        _copy_into(Cursor(), "t", batches())
    assert len(read) < 10, f"{len(read)} batches read after the COPY failed"
