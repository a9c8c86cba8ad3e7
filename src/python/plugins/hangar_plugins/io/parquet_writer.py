"""Write Parquet to object storage batch by batch, publishing the file only when it is whole."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from hangar_plugins.io.publish import publish_file

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from airflow.sdk import ObjectStoragePath


class ObjectStorageParquetWriter:
    """Stream record batches into one Parquet object at ``destination``.

    Batches are written to a local spool file (memory holds one row group, not the file) and
    the finished file is uploaded on a clean exit: readers never see a partial object, and an
    exception uploads nothing and leaves any object already at ``destination`` untouched.

    :param destination: where the file goes, e.g. ``ObjectStoragePath("s3://b/k.parquet",
        conn_id="object_storage")`` or a ``file://`` path.
    :param schema: the Parquet schema; every batch must match it.
    :param compression: Parquet codec (``zstd`` is small and fast to read).
    """

    def __init__(
        self,
        *,
        destination: ObjectStoragePath,
        schema: pa.Schema,
        compression: str = "zstd",
        spool_dir: str | None = None,
    ) -> None:
        self.destination = destination
        self.schema = schema
        self.compression = compression
        self.spool_dir = spool_dir
        self.rows_written = 0
        self.bytes_written = 0
        self._spool: Path | None = None
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> ObjectStorageParquetWriter:
        import pyarrow.parquet as pq

        fd, name = tempfile.mkstemp(suffix=".parquet", dir=self.spool_dir)
        os.close(fd)
        self._spool = Path(name)
        self._writer = pq.ParquetWriter(str(self._spool), self.schema, compression=self.compression)
        return self

    def write_batch(self, batch: pa.RecordBatch) -> None:
        if self._writer is None:
            raise RuntimeError("write_batch() outside the `with` block")
        if not batch.schema.equals(self.schema):
            raise ValueError(f"batch schema {batch.schema} does not match {self.schema}")
        self._writer.write_batch(batch)
        self.rows_written += batch.num_rows

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._writer is not None and self._spool is not None
        try:
            self._writer.close()
            if exc_type is None:
                self.bytes_written = self._spool.stat().st_size
                publish_file(self._spool, self.destination)
        finally:
            self._spool.unlink(missing_ok=True)
