"""The PostgreSQL warehouse: idempotent bulk loads (COPY into staging, then one UPSERT)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow.providers.postgres.hooks.postgres import PostgresHook
from psycopg import sql

if TYPE_CHECKING:
    import pyarrow as pa

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SEQ = "_hangar_seq"  # staging-only column: the order rows arrived in (the last one wins)


@dataclass(frozen=True)
class UpsertResult:
    """What one load did: rows staged, and of those, rows inserted and rows changed."""

    staged: int
    inserted: int
    updated: int

    @property
    def unchanged(self) -> int:
        return self.staged - self.inserted - self.updated


def checked_identifier(name: str, *, what: str = "identifier") -> str:
    """``name`` if it is a plain SQL identifier; a clear error otherwise (no quoting games)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{what} {name!r} must match [A-Za-z_][A-Za-z0-9_]*")
    return name


def lock_sql(table: str) -> str:
    """A transaction-scoped advisory lock named after ``table`` (one writer at a time)."""
    statement = sql.SQL("SELECT pg_advisory_xact_lock(hashtext({}))").format(
        sql.Literal(f"hangar:{quoted_table(table)}")
    )
    return statement.as_string(None)


def _table(table: str) -> sql.Identifier:
    parts = table.split(".")
    if len(parts) > 2:
        raise ValueError(f"table {table!r} must be 'table' or 'schema.table'")
    return sql.Identifier(*(checked_identifier(part, what="table name part") for part in parts))


def quoted_table(table: str) -> str:
    """``table`` or ``schema.table``, checked and quoted for SQL (``"schema"."table"``)."""
    return _table(table).as_string(None)


def upsert_sql(table: str, columns: Sequence[str], keys: Sequence[str]) -> str:
    """The statement moving the staging table into ``table``: new keys inserted, changed rows
    updated, identical rows left alone (so a re-run writes nothing), duplicates in one load
    resolved to the last row. Names are checked, then quoted by :mod:`psycopg.sql`."""
    target = _table(table)
    cols = [checked_identifier(c, what="column") for c in columns]
    key_cols = [checked_identifier(k, what="key column") for k in keys]
    missing = set(key_cols) - set(cols)
    if not key_cols or missing:
        raise ValueError(f"key columns {sorted(missing) or '[]'} must be among the loaded columns")
    col_list = sql.SQL(", ").join(map(sql.Identifier, cols))
    key_list = sql.SQL(", ").join(map(sql.Identifier, key_cols))
    others = [c for c in cols if c not in key_cols]
    on_conflict: sql.Composable = sql.SQL("DO NOTHING")
    if others:
        on_conflict = sql.SQL(
            "DO UPDATE SET {assignments} WHERE ROW({current}) IS DISTINCT FROM ROW({incoming})"
        ).format(
            assignments=sql.SQL(", ").join(
                sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c))
                for c in others
            ),
            current=sql.SQL(", ").join(
                sql.SQL("{}.{}").format(target, sql.Identifier(c)) for c in others
            ),
            incoming=sql.SQL(", ").join(
                sql.SQL("EXCLUDED.{}").format(sql.Identifier(c)) for c in others
            ),
        )
    statement = sql.SQL(
        "WITH upserted AS ("
        " INSERT INTO {target} ({cols})"
        " SELECT DISTINCT ON ({keys}) {cols} FROM hangar_stage"
        " ORDER BY {keys}, {seq} DESC"
        " ON CONFLICT ({keys}) {on_conflict}"
        " RETURNING (xmax = 0) AS inserted)"
        " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
        " FROM upserted"
    ).format(
        target=target,
        cols=col_list,
        keys=key_list,
        seq=sql.SQL(_SEQ),
        on_conflict=on_conflict,
    )
    return statement.as_string(None)


class WarehouseHook(PostgresHook):
    """:class:`PostgresHook` for the ``warehouse`` connection, with idempotent bulk loads.

    :param postgres_conn_id: the warehouse connection (``warehouse``, created by init).
    """

    default_conn_name = "warehouse"
    hook_name = "Hangar warehouse"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("postgres_conn_id", self.default_conn_name)
        super().__init__(*args, **kwargs)

    def create_serialized(self, *, table: str, ddl: str) -> None:
        """Run ``ddl`` (``CREATE ... IF NOT EXISTS``) in one transaction holding a lock named
        after ``table``: two runs creating the same table at once would otherwise race in
        PostgreSQL's catalog ("duplicate key value violates unique constraint")."""
        self.run([lock_sql(table), ddl], autocommit=False)

    def upsert_batches(
        self, *, table: str, keys: Sequence[str], batches: Iterable[pa.RecordBatch]
    ) -> UpsertResult:
        """Load ``batches`` into ``table`` in one transaction: COPY into a temporary staging
        table batch by batch (memory stays at one batch), then one UPSERT on ``keys``.

        The target table must exist with a unique constraint on ``keys``. Nothing is visible
        to readers until the whole load commits; a failure leaves the table as it was.
        """
        from pyarrow import csv

        iterator = iter(batches)
        first = next(iterator, None)
        if first is None:
            return UpsertResult(0, 0, 0)
        columns = [checked_identifier(name, what="column") for name in first.schema.names]
        statement = upsert_sql(table, columns, keys)  # validates before touching the database
        target = quoted_table(table)
        col_list = ", ".join(f'"{c}"' for c in columns)
        options = csv.WriteOptions(include_header=False)
        staged = 0
        conn: Any = self.get_conn()  # psycopg 3 connection (the provider's protocol omits COPY)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    f"CREATE TEMP TABLE hangar_stage ON COMMIT DROP AS"
                    f" SELECT {col_list} FROM {target} WITH NO DATA"
                )
                cur.execute(f"ALTER TABLE hangar_stage ADD COLUMN {_SEQ} bigserial")
                with cur.copy(f"COPY hangar_stage ({col_list}) FROM STDIN (FORMAT csv)") as copy:
                    for batch in _chain(first, iterator):
                        if batch.schema.names != first.schema.names:
                            raise ValueError(
                                f"batch columns {batch.schema.names} differ from the first "
                                f"batch's {first.schema.names}"
                            )
                        buffer = io.BytesIO()
                        csv.write_csv(batch, buffer, options)
                        copy.write(buffer.getvalue())
                        staged += batch.num_rows
                # One UPSERT into a table at a time: two loads of the same keys (a manual and a
                # scheduled run of one interval) would otherwise deadlock on each other's rows.
                cur.execute(lock_sql(table))
                cur.execute(statement)
                inserted, updated = cur.fetchone()
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()
        self.log.info(
            "Loaded %s: %d rows staged, %d inserted, %d updated", table, staged, inserted, updated
        )
        return UpsertResult(staged, int(inserted), int(updated))


def _chain(first: pa.RecordBatch, rest: Iterable[pa.RecordBatch]) -> Iterable[pa.RecordBatch]:
    yield first
    yield from rest
