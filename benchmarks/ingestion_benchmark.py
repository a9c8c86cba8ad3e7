"""Ingestion end to end, Hangar's pipeline vs what a user would write instead, same file, same run.

For each size (default 1 M and 5 M rows of the sales CSV, every row valid so all three ways load
the same rows), each way runs in a process of its own (its own peak RSS, ``ru_maxrss``):

- **hangar**: the ``ingest_sales`` steps — download (HTTP → object store), convert (CSV →
  validated Parquet), load (Parquet → warehouse: the day's rows replaced by COPY in one
  transaction); then the load again (an idempotent re-run: the day deleted and COPYed anew);
- **pandas**: ``read_csv`` in 100 k-row chunks and ``DataFrame.to_sql`` (the usual way);
- **copy**: PostgreSQL's ``COPY ... FROM STDIN`` of the CSV (the ceiling: no validation, no lake).

Real parts: a local HTTP server serves the CSV, SeaweedFS is the lake, a scratch PostgreSQL
database the warehouse. Usage: ./pants run benchmarks:ingestion -- [--rows 1000000,5000000]
[--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DAY = "2026-11-20"
WAYS = ("hangar", "pandas", "copy")
CHUNK_ROWS = 100_000
# The CSV's columns as the warehouse types them (the same table for every way).
TABLE_COLUMNS = (
    "order_id bigint PRIMARY KEY, ordered_at timestamptz NOT NULL, store text NOT NULL, "
    "sku text, quantity bigint, amount double precision, paid boolean"
)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _hangar_step(name: str, lake: str) -> dict[str, Any]:
    """One step of the pipeline, as its task runs it."""
    import hangar_dags
    from hangar_plugins.hooks.warehouse import WarehouseHook
    from hangar_plugins.ingestion import tasks as ingestion
    from hangar_plugins.ingestion.datasets import load_dataset_file
    from hangar_plugins.operators.warehouse_upsert import WarehouseUpsertOperator

    config = Path(hangar_dags.__file__).parent / "config" / "datasets" / "sales.yaml"
    dataset = load_dataset_file(config)
    start_of_day = dt.datetime.fromisoformat(DAY).replace(tzinfo=dt.UTC)
    paths = ingestion.interval_paths(lake, dataset, start_of_day, conn_id="object_storage")
    started = time.perf_counter()
    rows = None
    if name == "download":
        ingestion.download(
            ingestion.source_url(dataset, start_of_day), paths.raw, http_conn_id="example_sales"
        )
    elif name == "convert":
        rows = ingestion.convert(dataset, paths)["rows_total"]
    else:  # load, reload: what the DAG's create_table and load_warehouse tasks run
        WarehouseHook().create_serialized(
            table=dataset.table, ddl=ingestion.create_table_sql(dataset)
        )
        load = WarehouseUpsertOperator(
            task_id="load_warehouse",
            source=str(paths.parquet),
            source_conn_id="object_storage",
            table=dataset.table,
            keys=dataset.keys,
            partition=DAY,
        )
        loaded = load.execute({})  # it reads no context
        expected_replaced = 0 if name == "load" else loaded["loaded"]
        if loaded["method"] != "copy" or loaded["replaced"] != expected_replaced:
            raise RuntimeError(f"{name}: unexpected load {loaded}")
        rows = loaded["loaded"]
    return {"seconds": time.perf_counter() - started, "rows": rows}


def _pandas_way(csv_path: str, db_url: str) -> dict[str, Any]:
    import pandas as pd  # type: ignore[import-untyped]  # no stubs in the lockfile
    import sqlalchemy

    engine = sqlalchemy.create_engine(db_url.replace("postgresql://", "postgresql+psycopg2://"))
    started = time.perf_counter()
    rows = 0
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE bench_pandas ({TABLE_COLUMNS})")
    for chunk in pd.read_csv(csv_path, chunksize=CHUNK_ROWS, parse_dates=["ordered_at"]):
        chunk.to_sql("bench_pandas", engine, if_exists="append", index=False)
        rows += len(chunk)
    return {"seconds": time.perf_counter() - started, "rows": rows}


def _copy_way(csv_path: str, db_url: str) -> dict[str, Any]:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE TABLE bench_copy ({TABLE_COLUMNS})")
        with (
            open(csv_path, "rb") as source,
            cur.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        rows = cur.rowcount
    return {"seconds": time.perf_counter() - started, "rows": rows}


def _child(way: str, *args: str) -> None:
    """Run one way (or one Hangar step) in this process; print its figures as JSON."""
    if way == "pandas":
        figures = _pandas_way(*args)
    elif way == "copy":
        figures = _copy_way(*args)
    else:
        figures = _hangar_step(*args)
    print(json.dumps({**figures, "peak_rss_mib": _peak_rss_mib()}))


def valid_rows(count: int) -> Iterator[str]:
    """``count`` valid sales lines with unique order ids (one day's ids hold 99,999 lines, so
    longer files take ids from the following days)."""
    from hangar_common.examples.sales import sales_rows

    per_day = 99_999
    day = dt.date.fromisoformat(DAY)
    while count > 0:
        take = min(per_day, count)
        yield from sales_rows(day.isoformat(), take)
        count -= take
        day += dt.timedelta(days=1)


def measure_size(rows: int, workdir: Path) -> dict[str, dict[str, float]]:
    """Every way on one CSV of ``rows`` rows: seconds, rows/s, peak RSS."""
    from benchmarks.child import run_child
    from hangar_common.examples.sales import HEADER
    from tests.support.http_fixtures import FixtureServer
    from tests.support.postgres import airflow_connection, scratch_database
    from tests.support.seaweedfs import ACCESS_KEY, SECRET_KEY, SeaweedFS

    csv_path = workdir / f"sales-{rows}.csv"
    with csv_path.open("w") as handle:
        handle.write(HEADER)
        handle.writelines(valid_rows(rows))
    s3 = SeaweedFS(workdir / f"s3-{rows}")
    s3.start()
    s3.create_bucket("bench-lake")
    results: dict[str, dict[str, float]] = {}
    try:
        with (
            FixtureServer(lambda path: ("text/csv", csv_path.read_bytes())) as server,
            scratch_database("hangar_bench_wh") as warehouse,
        ):
            env = {
                **os.environ,
                "AIRFLOW_CONN_EXAMPLE_SALES": json.dumps({"conn_type": "http", "host": server.url}),
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
            steps = {
                step: run_child(__file__, "--child", "hangar", step, "s3://bench-lake", env=env)
                for step in ("download", "convert", "load", "reload")
            }
            results["hangar"] = {
                "seconds": sum(steps[step]["seconds"] for step in ("download", "convert", "load")),
                "rows": float(steps["load"]["rows"]),
                "peak_rss_mib": max(s["peak_rss_mib"] for s in steps.values()),
                **{f"{step}_s": s["seconds"] for step, s in steps.items()},
            }
            for way in ("pandas", "copy"):
                results[way] = run_child(
                    __file__, "--child", way, str(csv_path), warehouse, env=env
                )
    finally:
        s3.stop()
        csv_path.unlink()
    for way, figures in results.items():
        if figures["rows"] != rows:
            raise RuntimeError(f"{way} loaded {figures['rows']} of {rows} rows")
        figures["rows_per_s"] = rows / figures["seconds"]
    return results


def table(by_size: dict[int, dict[str, dict[str, float]]]) -> str:
    lines = [
        f"{'rows':>10} {'way':<8} {'seconds':>8} {'rows/s':>10} {'peak RSS MiB':>13} {'hangar/way':>11}"
    ]
    for rows, results in by_size.items():
        hangar_rate = results["hangar"]["rows_per_s"]
        for way, figures in results.items():
            ratio = "" if way == "hangar" else f"{hangar_rate / figures['rows_per_s']:.2f}"
            lines.append(
                f"{rows:>10,} {way:<8} {figures['seconds']:>8.1f} {figures['rows_per_s']:>10,.0f} "
                f"{figures['peak_rss_mib']:>13.0f} {ratio:>11}"
            )
        load_rate = rows / results["hangar"]["load_s"]
        lines.append(
            f"{rows:>10,} {'load':<8} {results['hangar']['load_s']:>8.1f} {load_rate:>10,.0f} "
            f"{'':>13} {load_rate / results['copy']['rows_per_s']:>11.2f}  (Hangar's load step vs copy)"
        )
        reload_rate = rows / results["hangar"]["reload_s"]
        lines.append(
            f"{rows:>10,} {'reload':<8} {results['hangar']['reload_s']:>8.1f} {reload_rate:>10,.0f} "
            f"{'':>13} {reload_rate / results['copy']['rows_per_s']:>11.2f}  (the same day again)"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,5000000", help="comma-separated sizes")
    parser.add_argument("--quick", action="store_true", help="one size of 20,000 rows")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = [20_000] if args.quick else [int(size) for size in args.rows.split(",")]
    by_size = {}
    with tempfile.TemporaryDirectory(prefix="hangar-ingest-bench-") as tmp:
        for rows in sizes:
            print(f"{rows:,} rows ...", file=sys.stderr, flush=True)
            by_size[rows] = measure_size(rows, Path(tmp))
    from benchmarks.report import publish  # here: the --child processes run this file alone

    publish(table(by_size), {str(rows): results for rows, results in by_size.items()}, args.json)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:])
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
