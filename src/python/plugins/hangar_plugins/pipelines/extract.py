"""Incremental extraction: the rows of a source table whose watermark falls in an interval,
streamed (server-side cursor, bounded batches) into one Parquet object per interval."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from hangar_plugins.io.parquet_writer import ObjectStorageParquetWriter

if TYPE_CHECKING:
    import pyarrow as pa
    from airflow.sdk import ObjectStoragePath

# PostgreSQL type name -> Arrow type name; anything else is extracted as text.
_ARROW_TYPES = {
    "int2": "int16",
    "int4": "int32",
    "int8": "int64",
    "float4": "float32",
    "float8": "float64",
    "bool": "bool_",
    "text": "string",
    "varchar": "string",
    "bpchar": "string",
    "date": "date32",
    "timestamp": "timestamp_naive",
    "timestamptz": "timestamp_utc",
}


def arrow_type(pg_type: str) -> pa.DataType:
    import pyarrow as pa

    name = _ARROW_TYPES.get(pg_type, "string")
    if name == "timestamp_naive":
        return pa.timestamp("us")
    if name == "timestamp_utc":
        return pa.timestamp("us", tz="UTC")
    return getattr(pa, name)()


def extract_interval(
    *,
    conn_id: str,
    table: str,
    watermark: str,
    start: datetime,
    end: datetime,
    destination: ObjectStoragePath,
    batch_rows: int = 50_000,
) -> dict[str, Any]:
    """Rows with ``start <= watermark < end`` → ``destination`` (replaced whole, or untouched
    on failure). Ordered by the watermark; an empty interval gives an empty file."""
    import pyarrow as pa
    from airflow.providers.postgres.hooks.postgres import PostgresHook
    from psycopg import sql

    if start >= end:
        raise ValueError(f"empty interval: {start} is not before {end}")
    parts = table.split(".")
    query = sql.SQL("SELECT * FROM {} WHERE {} >= %s AND {} < %s ORDER BY {}").format(
        sql.Identifier(*parts),
        sql.Identifier(watermark),
        sql.Identifier(watermark),
        sql.Identifier(watermark),
    )
    conn: Any = PostgresHook(postgres_conn_id=conn_id).get_conn()
    rows = 0
    try:
        # A named (server-side) cursor: the database streams; memory holds one batch.
        with conn.cursor(name="hangar_extract") as cursor:
            cursor.execute(query, (start, end))
            fields = []
            for column in cursor.description:
                info = conn.adapters.types.get(column.type_code)
                fields.append(pa.field(column.name, arrow_type(info.name if info else "text")))
            schema = pa.schema(fields)
            with ObjectStorageParquetWriter(destination=destination, schema=schema) as writer:
                while batch := cursor.fetchmany(batch_rows):
                    columns = list(zip(*batch, strict=True))
                    arrays = [
                        pa.array(_as_text(values, f.type), type=f.type)
                        for values, f in zip(columns, schema, strict=True)
                    ]
                    writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
                    rows += len(batch)
        conn.commit()
    finally:
        conn.close()
    return {
        "table": table,
        "rows": rows,
        "path": str(destination),
        "start": str(start),
        "end": str(end),
    }


def _as_text(values: tuple[Any, ...], kind: pa.DataType) -> list[Any]:
    import pyarrow as pa

    if kind == pa.string():
        return [None if value is None else str(value) for value in values]
    return list(values)
