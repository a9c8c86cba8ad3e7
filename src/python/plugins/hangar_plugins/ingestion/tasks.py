"""The ingestion pipeline's steps: download → CSV-to-Parquet with quarantine → warehouse load.

Every step writes to a path derived from the data interval, so re-running an interval
replaces its own files and nothing else; the warehouse load is an UPSERT on the dataset's key.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowFailException

from hangar_plugins.ingestion.csv_convert import BadRow, arrow_schema, convert_csv
from hangar_plugins.ingestion.datasets import Dataset
from hangar_plugins.io.parquet_writer import ObjectStorageParquetWriter
from hangar_plugins.io.publish import publish_file
from hangar_plugins.pipelines.settings import partition_folder

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

DOWNLOAD_CHUNK = 1 << 20
READ_BLOCK = 8 * 2**20  # object-store read-ahead (s3fs defaults to 50 MiB blocks)
SQL_TYPES = {
    "string": "text",
    "int": "bigint",
    "float": "double precision",
    "bool": "boolean",
    "date": "date",
    "timestamp": "timestamptz",
}


class TooManyBadRows(AirflowFailException):
    """More rows are malformed than the dataset tolerates; nothing was loaded.

    Fails the task without retries: the same file would fail the same way.
    """


@dataclass(frozen=True)
class IntervalPaths:
    raw: ObjectStoragePath
    parquet: ObjectStoragePath
    quarantine: ObjectStoragePath


def interval_paths(
    lake_url: str, dataset: Dataset, interval_start: datetime, *, conn_id: str | None
) -> IntervalPaths:
    def folder(zone: str) -> ObjectStoragePath:
        return partition_folder(
            f"{zone}/{dataset.name}", interval_start, lake=lake_url, conn_id=conn_id
        )

    return IntervalPaths(
        raw=folder("raw") / "source.csv",
        parquet=folder("parquet") / "part-0.parquet",
        quarantine=folder("quarantine") / "bad_rows.csv",
    )


def source_url(dataset: Dataset, interval_start: datetime) -> str:
    """The dataset's URL with ``{ds}`` / ``{ds_nodash}`` filled from the interval start."""
    day = interval_start.strftime("%Y-%m-%d")
    return dataset.url.format(ds=day, ds_nodash=day.replace("-", ""))


def download(
    url: str,
    destination: ObjectStoragePath,
    *,
    http_conn_id: str | None = None,
    timeout: float = 60,
) -> dict[str, Any]:
    """Stream ``url`` (relative to ``http_conn_id``'s host when given) to ``destination``,
    through a local spool: the object is published only when the download is whole."""
    import requests

    session: Any = requests.Session()
    if http_conn_id:
        from airflow.providers.http.hooks.http import HttpHook

        hook = HttpHook(method="GET", http_conn_id=http_conn_id)
        session = hook.get_conn()  # the connection's auth and headers, its host as base URL
        url = hook.url_from_endpoint(url)
    from hangar_plugins.pipelines.reachability import failing_fast_when_unreachable

    digest = hashlib.sha256()
    size = 0
    with (
        tempfile.NamedTemporaryFile(suffix=".csv") as spool,
        failing_fast_when_unreachable(http_conn_id, url),
    ):
        with session.get(url, stream=True, timeout=(10, timeout)) as response:
            if response.status_code != 200:
                raise RuntimeError(f"download of {url} failed: HTTP {response.status_code}")
            for chunk in response.iter_content(DOWNLOAD_CHUNK):
                spool.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        spool.flush()
        publish_file(Path(spool.name), destination)
    return {"url": url, "bytes": size, "sha256": digest.hexdigest(), "path": str(destination)}


class QuarantineFile:
    """Malformed rows of one interval as CSV (line, reason, record), published on close."""

    def __init__(self, destination: ObjectStoragePath) -> None:
        self.destination = destination
        self.rows = 0
        self._spool = tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", delete=False)
        self._writer = csv.writer(self._spool)
        self._writer.writerow(["line", "reason", "record"])

    def write(self, bad: BadRow) -> None:
        self._writer.writerow([bad.line, bad.reason, bad.record])
        self.rows += 1

    def close(self) -> None:
        """Publish the rows; with none, remove a quarantine left by an earlier run."""
        self._spool.close()
        spool = Path(self._spool.name)
        try:
            if self.rows:
                publish_file(spool, self.destination)
            elif self.destination.exists():
                self.destination.unlink()
        finally:
            spool.unlink(missing_ok=True)


def convert(dataset: Dataset, paths: IntervalPaths) -> dict[str, Any]:
    """Raw CSV → Parquet; malformed rows to the quarantine file. Fails, publishing no Parquet,
    when more than ``dataset.max_bad_share`` of the rows are malformed."""
    quarantine = QuarantineFile(paths.quarantine)
    try:
        with (
            paths.raw.open("rb", block_size=READ_BLOCK) as source,
            ObjectStorageParquetWriter(
                destination=paths.parquet, schema=arrow_schema(dataset)
            ) as writer,
        ):
            report = convert_csv(
                source, dataset, on_batch=writer.write_batch, on_bad_row=quarantine.write
            )
            if report.bad_share > dataset.max_bad_share:
                raise TooManyBadRows(
                    f"dataset {dataset.name}: {report.bad_rows} of {report.rows_total} rows "
                    f"({report.bad_share:.1%}) are malformed, more than the allowed "
                    f"{dataset.max_bad_share:.1%}; nothing was loaded. Reasons: "
                    f"{report.reasons}. Rows with line numbers: {paths.quarantine}"
                )
    finally:
        quarantine.close()
    return {**asdict(report), "parquet": str(paths.parquet), "quarantine": str(paths.quarantine)}


def create_table_sql(dataset: Dataset) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for the dataset, its key as the primary key, with the
    partition column the load replaces a day by (added to tables created before it)."""
    from hangar_plugins.hooks.warehouse import (
        PARTITION_COLUMN,
        partition_column_sql,
        quoted_table,
    )

    table = quoted_table(dataset.table)
    columns = ", ".join(
        f'"{c.name}" {SQL_TYPES[c.type]}'
        + (" NOT NULL" if c.required or c.name in dataset.keys else "")
        for c in dataset.columns
    )
    keys = ", ".join(f'"{k}"' for k in dataset.keys)
    schema = f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}; " if "." in table else ""
    return (
        f"{schema}CREATE TABLE IF NOT EXISTS {table} ({columns}, {PARTITION_COLUMN} text,"
        f" PRIMARY KEY ({keys})); {partition_column_sql(dataset.table)}"
    )


def read_all(path: ObjectStoragePath) -> bytes:
    with path.open("rb") as handle:
        return bytes(handle.read())


def quarantined_rows(path: ObjectStoragePath) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(read_all(path).decode())))
