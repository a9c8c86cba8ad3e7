"""The daily user-events aggregation: events per type and distinct users for one interval."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

# Parameters, not string formatting: the interval bounds are bound values.
AGGREGATE_SQL = """
SELECT event_type, count(*) AS events, count(DISTINCT user_id) AS users
FROM app_events
WHERE occurred_at >= %(start)s AND occurred_at < %(end)s
GROUP BY event_type
ORDER BY event_type
"""
MART_TABLE = "marts.user_events_daily"
CREATE_MART = """
CREATE SCHEMA IF NOT EXISTS marts;
CREATE TABLE IF NOT EXISTS marts.user_events_daily (
    day date NOT NULL, event_type text NOT NULL, events bigint NOT NULL, users bigint NOT NULL,
    PRIMARY KEY (day, event_type)
)
"""


def publish_day(
    rows: list[list[Any]], *, day: date, destination: ObjectStoragePath, warehouse_conn_id: str
) -> dict[str, Any]:
    """Write the day's aggregate to its Parquet partition and make the mart hold exactly it:
    UPSERT the rows, then delete the day's event types no longer present. Re-running a day
    converges to the same rows whatever happened before."""
    import pyarrow as pa

    from hangar_plugins.hooks.warehouse import WarehouseHook
    from hangar_plugins.io.parquet_writer import ObjectStorageParquetWriter

    schema = pa.schema(
        [
            ("day", pa.date32()),
            ("event_type", pa.string()),
            ("events", pa.int64()),
            ("users", pa.int64()),
        ]
    )
    batch = pa.RecordBatch.from_pylist(
        [{"day": day, "event_type": t, "events": int(e), "users": int(u)} for t, e, u in rows],
        schema=schema,
    )
    with ObjectStorageParquetWriter(destination=destination, schema=schema) as writer:
        writer.write_batch(batch)
    hook = WarehouseHook(postgres_conn_id=warehouse_conn_id)
    hook.create_serialized(table=MART_TABLE, ddl=CREATE_MART)
    result = hook.upsert_batches(table=MART_TABLE, keys=["day", "event_type"], batches=[batch])
    hook.run(
        "DELETE FROM marts.user_events_daily"
        " WHERE day = %(day)s AND NOT (event_type = ANY(%(types)s))",
        parameters={"day": day, "types": [row[0] for row in rows]},
        autocommit=True,
    )
    return {
        "day": str(day),
        "event_types": len(rows),
        "inserted": result.inserted,
        "path": str(destination),
    }
