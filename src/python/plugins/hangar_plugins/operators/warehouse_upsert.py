"""Load a Parquet file from object storage into a warehouse table, idempotently."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from hangar_plugins.hooks.warehouse import WarehouseHook

READ_BLOCK = 8 * 2**20  # s3fs reads 50 MiB ahead by default

if TYPE_CHECKING:
    import pyarrow as pa
    from airflow.sdk import Context


class WarehouseUpsertOperator(BaseOperator):
    """Load a Parquet object into ``table`` idempotently, one of two ways.

    With ``partition`` (e.g. the day): the rows of that partition are replaced by the file's in
    one transaction, COPYed straight into the table (keys another partition holds are moved
    through an UPSERT); returns ``{"loaded", "replaced", "method"}``. Without: COPY into staging
    and UPSERT on ``keys``, identical rows not rewritten; returns ``{"staged", "inserted",
    "updated", "unchanged"}``. Either way re-running the same interval leaves the same rows.

    :param source: Parquet object URL (templated), e.g. ``s3://lake/x/{{ ds }}/part.parquet``.
    :param table: target table (templated), ``table`` or ``schema.table``.
    :param keys: the columns of the target's unique key.
    :param source_conn_id: connection of the object store (``object_storage``).
    :param warehouse_conn_id: the warehouse connection (``warehouse``).
    :param batch_rows: rows read per batch: bounds memory.
    :param partition: the partition the file holds (templated), e.g. ``{{ ds }}``.
    """

    template_fields: Sequence[str] = ("source", "table", "partition")

    def __init__(
        self,
        *,
        source: str,
        table: str,
        keys: Sequence[str],
        source_conn_id: str | None = "object_storage",
        warehouse_conn_id: str = "warehouse",
        batch_rows: int = 100_000,
        partition: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.table = table
        self.keys = list(keys)
        self.source_conn_id = source_conn_id
        self.warehouse_conn_id = warehouse_conn_id
        self.batch_rows = batch_rows
        self.partition = partition

    def execute(self, context: Context) -> dict[str, Any]:
        import pyarrow.parquet as pq
        from airflow.sdk import ObjectStoragePath

        path = ObjectStoragePath(self.source, conn_id=self.source_conn_id)
        hook = WarehouseHook(postgres_conn_id=self.warehouse_conn_id)
        if self.partition is not None:
            handles = []

            def read_batches() -> Iterator[pa.RecordBatch]:
                handle = path.open("rb", block_size=READ_BLOCK)
                handles.append(handle)
                return pq.ParquetFile(handle).iter_batches(batch_size=self.batch_rows)

            try:
                replaced = hook.replace_partition(
                    table=self.table,
                    keys=self.keys,
                    partition=self.partition,
                    read_batches=read_batches,
                )
            finally:
                for handle in handles:
                    handle.close()
            return {
                "loaded": replaced.loaded,
                "replaced": replaced.replaced,
                "method": replaced.method,
            }
        with path.open("rb", block_size=READ_BLOCK) as handle:
            parquet = pq.ParquetFile(handle)
            result = hook.upsert_batches(
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
