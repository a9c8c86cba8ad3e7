"""Every pipeline of the DAG library, end to end on a running platform.

One embedded stack serves the module (LocalExecutor; the DAG bundle is src/python/dags),
wired by config/environment.yaml to real services of the test's own: a SeaweedFS S3 server
(the lake), a warehouse and a source PostgreSQL database, a local HTTP server with the
sources' fixture files, and a fake Slack Web API. Tests assert outcomes: rows and checksums
in the warehouse, objects in the bucket, quarantined rows, runs cleared.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import psycopg
import pyarrow.parquet as pq
import pytest

from hangar_common.platform.api_client import AirflowApi
from tests.support.fake_slack import FakeSlack
from tests.support.hangar_stack import ADMIN_PASSWORD, api_url, hangar, processes_of, stack_env
from tests.support.http_fixtures import FixtureServer
from tests.support.postgres import scratch_database
from tests.support.sales_csv import sales_csv
from tests.support.seaweedfs import ACCESS_KEY, SECRET_KEY, SeaweedFS

LAKE = "hangar-lake"
SALES_ROWS = 1000
SALES_BAD_EVERY = 100  # 10 malformed rows of 1000: 1 %, under the dataset's 5 %
BAD_DAY = "2026-11-10"  # served with 50 % malformed rows


def route(path: str) -> tuple[str, bytes] | None:
    match = re.fullmatch(r"/sales/(\d{4}-\d{2}-\d{2})\.csv", path)
    if match:
        day = match.group(1)
        bad_every = 2 if day == BAD_DAY else SALES_BAD_EVERY
        return "text/csv", sales_csv(day, SALES_ROWS, bad_every=bad_every)
    return None


@dataclass
class Platform:
    api: AirflowApi
    s3: SeaweedFS
    warehouse_url: str
    source_url: str
    slack: FakeSlack
    fixtures: FixtureServer

    def run(self, dag_id: str, logical_date: str | None = None, conf: dict | None = None) -> str:
        self.api.wait_for_dag(dag_id)
        self.api.unpause(dag_id)
        return self.api.trigger(dag_id, conf, logical_date=logical_date)

    def finish(self, dag_id: str, run_id: str) -> tuple[str, dict[str, str]]:
        state = self.api.wait_for_run(dag_id, run_id, timeout=300)
        tasks = {ti["task_id"]: ti["state"] for ti in self.api.task_instances(dag_id, run_id)}
        return state, tasks

    def xcom(self, dag_id: str, run_id: str, task_id: str) -> Any:
        entry = self.api.get(
            f"dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}"
            "/xcomEntries/return_value",
            deserialize=True,
        )
        return entry["value"]

    def keys(self, prefix: str) -> list[str]:
        listed = self.s3.client().list_objects_v2(Bucket=LAKE, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def object(self, key: str) -> bytes:
        return bytes(self.s3.client().get_object(Bucket=LAKE, Key=key)["Body"].read())

    def warehouse(self, query: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.warehouse_url) as conn:
            return conn.execute(query).fetchall()


def _db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    tmp = tmp_path_factory.mktemp("pipelines")
    s3 = SeaweedFS(tmp / "seaweedfs")
    s3.start()
    s3.create_bucket(LAKE)
    state = tmp / "state"
    with (
        FixtureServer(route) as fixtures,
        FakeSlack() as slack,
        scratch_database("hangar_it_wh") as warehouse_url,
        scratch_database("hangar_it_src") as source_url,
    ):
        env = stack_env(
            state,
            HANGAR_WAREHOUSE_DB=_db_name(warehouse_url),
            HANGAR_SOURCE_DB=_db_name(source_url),
            HANGAR_S3_ENDPOINT=s3.endpoint,
            HANGAR_S3_ACCESS_KEY=ACCESS_KEY,
            HANGAR_S3_SECRET_KEY=SECRET_KEY,
            HANGAR_LAKE_URL=f"s3://{LAKE}",
            HANGAR_EXAMPLE_SALES_URL=fixtures.url,
            HANGAR_LAUNCHES_API_URL=fixtures.url,
            HANGAR_SLACK_API_URL=slack.base_url,
            HANGAR_SLACK_TOKEN="xoxb-pipelines-test",
        )
        up = hangar(env, "up", "--timeout", "300")
        try:
            assert up.returncode == 0, up.stdout + up.stderr
            api = AirflowApi(api_url(env), "admin", ADMIN_PASSWORD)
            yield Platform(api, s3, warehouse_url, source_url, slack, fixtures)
        finally:
            down = hangar(env, "down")
            s3.stop()
        assert down.returncode == 0, down.stdout + down.stderr
        assert processes_of(state) == []


# --- ingestion ------------------------------------------------------------------------------
SALES_CHECKSUM = (
    "SELECT count(*), md5(string_agg(concat_ws('|', order_id, ordered_at, store, sku, quantity,"
    " amount, paid), ',' ORDER BY order_id)) FROM raw.sales"
)


def test_ingestion_loads_good_rows_quarantines_bad_ones_and_reruns_idempotently(
    platform: Platform,
) -> None:
    run_id = platform.run("ingest_sales", logical_date="2026-11-20T02:00:00Z")
    state, tasks = platform.finish("ingest_sales", run_id)
    assert state == "success", tasks
    interval = platform.api.run("ingest_sales", run_id)["data_interval_start"][:10]
    year, month, day = interval.split("-")
    partition = f"year={year}/month={month}/day={day}"

    assert platform.keys(f"raw/sales/{partition}/") == [f"raw/sales/{partition}/source.csv"]
    [parquet_key] = platform.keys(f"parquet/sales/{partition}/")
    table = pq.read_table(io.BytesIO(platform.object(parquet_key)))
    assert table.num_rows == SALES_ROWS - SALES_ROWS // SALES_BAD_EVERY
    assert str(table.schema.field("ordered_at").type) == "timestamp[us, tz=UTC]"

    quarantine = platform.object(f"quarantine/sales/{partition}/bad_rows.csv").decode()
    # In the order found: the parser's rejections of a block come before its value errors.
    bad = sorted(csv.DictReader(io.StringIO(quarantine)), key=lambda row: int(row["line"]))
    assert [int(row["line"]) for row in bad] == [n + 1 for n in range(100, 1001, 100)]
    assert bad[0]["reason"] == "expected 7 columns, got 3"
    assert bad[1]["reason"] == "amount: not a float ('twelve')"

    first = platform.warehouse(SALES_CHECKSUM)
    assert first[0][0] == SALES_ROWS - SALES_ROWS // SALES_BAD_EVERY

    # The same day again (cleared and re-run): the same rows, byte for byte.
    platform.api.clear_run("ingest_sales", run_id, only_failed=False)
    state, tasks = platform.finish("ingest_sales", run_id)
    assert state == "success", tasks
    assert platform.warehouse(SALES_CHECKSUM) == first
    load = platform.xcom("ingest_sales", run_id, "load_warehouse")
    assert (load["inserted"], load["updated"]) == (0, 0)


def test_too_many_bad_rows_fail_the_run_and_load_nothing(platform: Platform) -> None:
    before = platform.warehouse(SALES_CHECKSUM)
    # A manual run at L covers the schedule's interval ending at L: [2026-11-10, 2026-11-11).
    run_id = platform.run("ingest_sales", logical_date="2026-11-11T02:00:00Z")
    state, tasks = platform.finish("ingest_sales", run_id)
    assert state == "failed"
    assert tasks["convert_to_parquet"] == "failed"
    assert tasks["load_warehouse"] == "upstream_failed"
    assert platform.api.run("ingest_sales", run_id)["data_interval_start"][:10] == BAD_DAY
    partition = "year=2026/month=11/day=10"
    assert platform.keys(f"parquet/sales/{partition}/") == []
    assert platform.keys(f"quarantine/sales/{partition}/") != []
    assert platform.warehouse(SALES_CHECKSUM) == before
    log = platform.api.get(
        f"dags/ingest_sales/dagRuns/{quote(run_id, safe='')}/taskInstances/convert_to_parquet/logs/1",
    )
    assert "are malformed, more than the allowed 5.0%" in str(log)
