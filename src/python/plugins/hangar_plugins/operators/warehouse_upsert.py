"""Load a Parquet file from object storage into a warehouse table, idempotently."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from hangar_plugins.hooks.warehouse import WarehouseHook

if TYPE_CHECKING:
    from airflow.sdk import Context


class WarehouseUpsertOperator(BaseOperator):
    """COPY a Parquet object into a staging table and UPSERT it into ``table`` on ``keys``.

    Re-running the same interval changes nothing (identical rows are not rewritten).
    Returns ``{"staged", "inserted", "updated", "unchanged"}`` (pushed to XCom).

    :param source: Parquet object URL (templated), e.g. ``s3://lake/x/{{ ds }}/part.parquet``.
    :param table: target table (templated), ``table`` or ``schema.table``.
    :param keys: the columns of the target's unique key.
    :param source_conn_id: connection of the object store (``object_storage``).
    :param warehouse_conn_id: the warehouse connection (``warehouse``).
    :param batch_rows: rows read per batch: bounds memory.
    """

    template_fields: Sequence[str] = ("source", "table")

    def __init__(
        self,
        *,
        source: str,
        table: str,
        keys: Sequence[str],
        source_conn_id: str | None = "object_storage",
        warehouse_conn_id: str = "warehouse",
        batch_rows: int = 100_000,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.table = table
        self.keys = list(keys)
        self.source_conn_id = source_conn_id
        self.warehouse_conn_id = warehouse_conn_id
        self.batch_rows = batch_rows

    def execute(self, context: Context) -> dict[str, int]:
        import pyarrow.parquet as pq
        from airflow.sdk import ObjectStoragePath

        path = ObjectStoragePath(self.source, conn_id=self.source_conn_id)
        with path.open("rb", block_size=8 * 2**20) as handle:  # s3fs reads 50 MiB by default
            parquet = pq.ParquetFile(handle)
            result = WarehouseHook(postgres_conn_id=self.warehouse_conn_id).upsert_batches(
                table=self.table,
                keys=self.keys,
                batches=parquet.iter_batches(batch_size=self.batch_rows),
            )
        return {
            "staged": result.staged,
            "inserted": result.inserted,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
