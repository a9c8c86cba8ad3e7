"""Ingest a CSV of ROWS rows (default 1,000,000) step by step; print rows/s and peak RSS.

Real parts: a local HTTP server serves the CSV, a SeaweedFS S3 server is the lake, a scratch
PostgreSQL database is the warehouse. Each step runs in its own process, so its peak RSS
(ru_maxrss) is its own. Usage: ./pants run benchmarks/ingestion_benchmark.py -- [ROWS]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

DAY = "2026-11-20"


def _step(name: str, lake: str) -> None:
    """Run one step in this process (the child) and print its figures as JSON."""
    import hangar_dags
    from hangar_plugins.hooks.warehouse import WarehouseHook
    from hangar_plugins.ingestion import tasks as ingestion
    from hangar_plugins.ingestion.datasets import load_datasets

    config = Path(hangar_dags.__file__).parent / "config" / "datasets.yaml"
    dataset = load_datasets(config)["sales"]
    start_of_day = dt.datetime.fromisoformat(DAY).replace(tzinfo=dt.UTC)
    paths = ingestion.interval_paths(lake, dataset, start_of_day, conn_id="object_storage")
    started = time.perf_counter()
    if name == "download":
        result = ingestion.download(
            ingestion.source_url(dataset, start_of_day), paths.raw, http_conn_id="example_sales"
        )
        rows = None
    elif name == "convert":
        result = ingestion.convert(dataset, paths)
        rows = result["rows_total"]
    else:
        import pyarrow.parquet as pq

        hook = WarehouseHook()
        hook.run(ingestion.create_table_sql(dataset), autocommit=True)
        with paths.parquet.open("rb") as handle:
            loaded = hook.upsert_batches(
                table=dataset.table,
                keys=list(dataset.keys),
                batches=pq.ParquetFile(handle).iter_batches(batch_size=100_000),
            )
        result = {"staged": loaded.staged, "inserted": loaded.inserted}
        rows = loaded.staged
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "step": name,
                "seconds": seconds,
                "rows": rows,
                "peak_rss_mib": peak_mib,
                "result": {k: v for k, v in result.items() if k != "reasons"},
            }
        )
    )


def main(rows: int) -> int:
    from benchmarks.child import ChildFailed, run_child
    from hangar_common.examples.sales import HEADER, sales_rows
    from tests.support.http_fixtures import FixtureServer
    from tests.support.postgres import airflow_connection, scratch_database
    from tests.support.seaweedfs import ACCESS_KEY, SECRET_KEY, SeaweedFS

    with tempfile.TemporaryDirectory(prefix="hangar-bench-") as tmp:
        csv_path = Path(tmp) / "sales.csv"
        with csv_path.open("w") as handle:
            handle.write(HEADER)
            handle.writelines(sales_rows(DAY, rows, bad_every=1000))
        size_mib = csv_path.stat().st_size / 2**20
        body = csv_path.read_bytes()
        s3 = SeaweedFS(Path(tmp) / "s3")
        s3.start()
        s3.create_bucket("bench-lake")
        try:
            with (
                FixtureServer(lambda path: ("text/csv", body)) as server,
                scratch_database("hangar_bench_wh") as warehouse,
            ):
                env = {
                    **os.environ,
                    "AIRFLOW_CONN_EXAMPLE_SALES": json.dumps(
                        {"conn_type": "http", "host": server.url}
                    ),
                    "AIRFLOW_CONN_OBJECT_STORAGE": json.dumps(
                        {
                            "conn_type": "aws",
                            "login": ACCESS_KEY,
                            "password": SECRET_KEY,
                            "extra": {"endpoint_url": s3.endpoint, "region_name": "us-east-1"},
                        }
                    ),
                    "AIRFLOW_CONN_WAREHOUSE": airflow_connection(warehouse),
                }
                print(f"CSV: {rows:,} rows, {size_mib:.1f} MiB (1 row in 1000 malformed)")
                print(f"{'step':<10} {'seconds':>8} {'rows/s':>10} {'peak RSS MiB':>13}")
                for step in ("download", "convert", "load"):
                    try:
                        figures = run_child(__file__, "--step", step, "s3://bench-lake", env=env)
                    except ChildFailed as exc:
                        print(exc, file=sys.stderr)
                        return 1
                    rate = (figures["rows"] or rows) / figures["seconds"]
                    print(
                        f"{step:<10} {figures['seconds']:>8.1f} {rate:>10,.0f} "
                        f"{figures['peak_rss_mib']:>13.0f}"
                    )
        finally:
            s3.stop()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        _step(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
