"""Every pipeline of the DAG library, end to end on a running platform.

One embedded stack serves the module (LocalExecutor; the DAG bundle is src/python/dags),
wired by **explicitly configured endpoints** to real services of the test's own: a SeaweedFS
S3 server (the lake), a warehouse and a source PostgreSQL database, a local HTTP server with the
sources' fixture files (a bad day among them), and a fake Slack Web API. Configured endpoints
win: the stack starts none of its own (asserted). Tests assert outcomes: rows and checksums
in the warehouse, objects in the bucket, quarantined rows, runs cleared. Each test asserts on
its own runs only: unpausing a scheduled DAG also starts the latest interval's run.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import pendulum
import psycopg
import pyarrow.parquet as pq
import pytest

from hangar_common.examples.sales import sales_csv
from hangar_common.platform.api_client import AirflowApi
from tests.support.fake_slack import FakeSlack
from tests.support.hangar_stack import ADMIN_PASSWORD, api_url, hangar, processes_of, stack_env
from tests.support.http_fixtures import FixtureServer
from tests.support.postgres import scratch_database
from tests.support.seaweedfs import ACCESS_KEY, SECRET_KEY, SeaweedFS

LAKE = "hangar-lake"
SALES_ROWS = 1000
SALES_BAD_EVERY = 100  # 10 malformed rows of 1000: 1 %, under the dataset's 5 %
BAD_DAY = "2026-11-10"  # served with 50 % malformed rows
RESTART_BAD_DAY = "2026-11-12"  # the same, for the restart test's own failed run


LAUNCHES = {
    "count": 3,
    "results": [
        {
            "id": "a1",
            "name": "Falcon 9 | Starlink",
            "net": "2026-11-22T10:00:00Z",
            "image": {"image_url": "/images/a1.png"},
        },
        {
            "id": "b2",
            "name": "Ariane 6 | Galileo",
            "net": "2026-11-23T11:00:00Z",
            "image": "/images/b2.jpg",
        },
        {"id": "c3", "name": "Electron | Test", "net": "2026-11-24T12:00:00Z", "image": None},
    ],
}
IMAGES = {"/images/a1.png": b"\x89PNG fake a1", "/images/b2.jpg": b"\xff\xd8 fake b2"}
# app_events in the source database: (day, events per day); event ids are unique overall.
EVENT_DAYS = {f"2026-11-0{d}": 40 + d for d in range(1, 6)}


def route(path: str) -> tuple[str, bytes] | None:
    match = re.fullmatch(r"/sales/(\d{4}-\d{2}-\d{2})\.csv", path)
    if match:
        day = match.group(1)
        bad_every = 2 if day in (BAD_DAY, RESTART_BAD_DAY) else SALES_BAD_EVERY
        return "text/csv", sales_csv(day, SALES_ROWS, bad_every=bad_every)
    if path == "/2.3.0/launches/upcoming/":
        return "application/json", json.dumps(LAUNCHES).encode()
    if path in IMAGES:
        return "image/png", IMAGES[path]
    return None


def _seed_source(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE app_events (event_id bigint PRIMARY KEY, user_id int NOT NULL,"
            " event_type text NOT NULL, occurred_at timestamptz NOT NULL)"
        )
        event_id = 0
        for day, count in EVENT_DAYS.items():
            for n in range(count):
                event_id += 1
                conn.execute(
                    "INSERT INTO app_events VALUES (%s, %s, %s, %s)",
                    (
                        event_id,
                        n % 7,
                        ("view", "click", "buy")[n % 3],
                        f"{day}T{n % 24:02d}:{n % 60:02d}:00Z",
                    ),
                )


@dataclass
class Platform:
    env: dict[str, str]
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


def _db_endpoint(prefix: str, url: str) -> dict[str, str]:
    """``HANGAR_<prefix>_HOST/PORT/USER`` and the database name: an explicit endpoint."""
    parts = urlsplit(url)
    db_setting = "HANGAR_SOURCE_DB" if prefix == "SOURCE_DB" else f"HANGAR_{prefix}_DB"
    return {
        f"HANGAR_{prefix}_HOST": parts.hostname or "127.0.0.1",
        f"HANGAR_{prefix}_PORT": str(parts.port or 5432),
        f"HANGAR_{prefix}_USER": parts.username or "postgres",
        db_setting: _db_name(url),
    }


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
        _seed_source(source_url)
        env = stack_env(
            state,
            **_db_endpoint("WAREHOUSE", warehouse_url),
            **_db_endpoint("SOURCE_DB", source_url),
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
            # Configured endpoints win: no object store, sample source or sample rows of its own.
            status = hangar(env, "status").stdout
            for part in ("warehouse", "source-db", "object-store", "sales-source"):
                [row] = [line for line in status.splitlines() if line.startswith(f"{part} ")][-1:]
                assert row.split()[1:3] == ["OK", "configured:"], status
            assert "seeded" not in up.stdout and "created bucket" not in up.stdout
            api = AirflowApi(api_url(env), "admin", ADMIN_PASSWORD)
            yield Platform(env, api, s3, warehouse_url, source_url, slack, fixtures)
        finally:
            down = hangar(env, "down")
            s3.stop()
        assert down.returncode == 0, down.stdout + down.stderr
        assert processes_of(state) == []


# --- ingestion ------------------------------------------------------------------------------
def sales_checksum(day: str) -> str:
    """Count and checksum of one day's orders (order ids are unique per day)."""
    return (
        "SELECT count(*), md5(string_agg(concat_ws('|', order_id, ordered_at, store, sku,"
        " quantity, amount, paid), ',' ORDER BY order_id)) FROM raw.sales"
        f" WHERE ordered_at >= '{day}'::date AND ordered_at < '{day}'::date + 1"
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

    first = platform.warehouse(sales_checksum(interval))
    assert first[0][0] == SALES_ROWS - SALES_ROWS // SALES_BAD_EVERY

    # The same day again (cleared and re-run): the same rows, byte for byte.
    platform.api.clear_run("ingest_sales", run_id, only_failed=False)
    state, tasks = platform.finish("ingest_sales", run_id)
    assert state == "success", tasks
    assert platform.warehouse(sales_checksum(interval)) == first
    load = platform.xcom("ingest_sales", run_id, "load_warehouse")
    # The day was replaced as a unit, straight by COPY: its rows out, the file's rows in.
    good = SALES_ROWS - SALES_ROWS // SALES_BAD_EVERY
    assert load == {"loaded": good, "replaced": good, "method": "copy"}


def test_too_many_bad_rows_fail_the_run_and_load_nothing(platform: Platform) -> None:
    before = platform.warehouse(sales_checksum(BAD_DAY))
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
    assert platform.warehouse(sales_checksum(BAD_DAY)) == before == [(0, None)]
    log = platform.api.get(
        f"dags/ingest_sales/dagRuns/{quote(run_id, safe='')}"
        "/taskInstances/convert_to_parquet/logs/1",
    )
    assert "are malformed, more than the allowed 5.0%" in str(log)


# --- extraction -----------------------------------------------------------------------------
def test_extraction_copies_the_interval_of_the_source_table(platform: Platform) -> None:
    run_id = platform.run("extract_app_events", logical_date="2026-11-02T00:00:00Z")
    state, tasks = platform.finish("extract_app_events", run_id)
    assert state == "success", tasks
    start = platform.api.run("extract_app_events", run_id)["data_interval_start"][:10]
    y, m, d = start.split("-")
    table = pq.read_table(
        io.BytesIO(
            platform.object(f"extracts/app_events/year={y}/month={m}/day={d}/part-0.parquet")
        )
    )
    with psycopg.connect(platform.source_url) as conn:
        expected = [
            row[0]
            for row in conn.execute(
                "SELECT event_id FROM app_events WHERE occurred_at >= %s::date"
                " AND occurred_at < %s::date + 1 ORDER BY occurred_at",
                (start, start),
            )
        ]
    assert table.column("event_id").to_pylist() == expected
    assert len(expected) == EVENT_DAYS[start]
    assert str(table.schema.field("occurred_at").type) == "timestamp[us, tz=UTC]"


# --- user events: incremental + backfill ------------------------------------------------------
EVENTS_MART = (
    "SELECT day::text, event_type, events, users FROM marts.user_events_daily ORDER BY 1, 2"
)


def _expected_aggregates(source_url: str, days: list[str]) -> list[tuple[Any, ...]]:
    with psycopg.connect(source_url) as conn:
        return conn.execute(
            "SELECT (occurred_at AT TIME ZONE 'UTC')::date::text AS day, event_type, count(*),"
            " count(DISTINCT user_id) FROM app_events"
            " WHERE (occurred_at AT TIME ZONE 'UTC')::date::text = ANY(%s)"
            " GROUP BY 1, 2 ORDER BY 1, 2",
            (days,),
        ).fetchall()


def _wait_for_runs(platform: Platform, dag_id: str, days: set[str], timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = platform.api.get(f"dags/{dag_id}/dagRuns", limit=100)["dag_runs"]
        by_day = {run["data_interval_start"][:10]: run for run in runs}
        if days <= set(by_day) and all(by_day[d]["state"] in ("success", "failed") for d in days):
            return by_day
        time.sleep(3)
    raise TimeoutError(f"{dag_id}: runs for {sorted(days)} not finished")


def test_backfill_through_rest_and_cli_fills_one_partition_per_day(platform: Platform) -> None:
    platform.api.wait_for_dag("user_events_daily")
    platform.api.unpause("user_events_daily")
    response = platform.api.session.post(
        f"{platform.api.base_url}/api/v2/backfills",
        json={
            "dag_id": "user_events_daily",
            "from_date": "2026-11-01T00:00:00Z",
            "to_date": "2026-11-03T00:00:00Z",
            "max_active_runs": 2,
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    backfill_id = response.json()["id"]
    rest_days = ["2026-11-01", "2026-11-02", "2026-11-03"]
    runs = _wait_for_runs(platform, "user_events_daily", set(rest_days))
    assert {runs[d]["state"] for d in rest_days} == {"success"}
    assert {runs[d]["run_type"] for d in rest_days} == {"backfill"}
    deadline = time.monotonic() + 120  # one backfill per DAG at a time: let this one complete
    while platform.api.get(f"backfills/{backfill_id}")["completed_at"] is None:
        assert time.monotonic() < deadline, "the REST backfill never completed"
        time.sleep(2)

    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "hangar_common.platform.entrypoint",
            "airflow",
            "backfill",
            "create",
            "--dag-id",
            "user_events_daily",
            "--from-date",
            "2026-11-04",
            "--to-date",
            "2026-11-05",
        ],
        env=platform.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    days = [*rest_days, "2026-11-04", "2026-11-05"]
    runs = _wait_for_runs(platform, "user_events_daily", set(days))
    assert {runs[d]["state"] for d in days} == {"success"}

    for day in days:
        y, m, d = day.split("-")
        assert platform.keys(f"marts/user_events_daily/year={y}/month={m}/day={d}/") == [
            f"marts/user_events_daily/year={y}/month={m}/day={d}/part-0.parquet"
        ]
    expected = _expected_aggregates(platform.source_url, days)
    assert platform.warehouse(EVENTS_MART) == expected

    # Re-running a day changes nothing.
    platform.api.clear_run("user_events_daily", runs["2026-11-02"]["dag_run_id"], only_failed=False)
    again = _wait_for_runs(platform, "user_events_daily", {"2026-11-02"})
    assert again["2026-11-02"]["state"] == "success"
    assert platform.warehouse(EVENTS_MART) == expected


# --- runs without a logical date -------------------------------------------------------------
# Every interval pipeline of the library: schedule and the partition date its run writes.
INTERVAL_PIPELINES = {
    "ingest_sales": "0 2 * * *",
    "extract_app_events": "@daily",
    "user_events_daily": "@daily",
    "provider_acme_dev": "30 3 * * *",
    "provider_acme_prod": "30 3 * * *",
    "provider_globex_prod": "0 4 * * *",
}
# The tasks that process the interval (each says in its log which one it took).
INTERVAL_TASKS = {
    "ingest_sales": ["download_source", "convert_to_parquet"],
    "extract_app_events": ["extract"],
    "user_events_daily": ["aggregate_events", "publish"],
    "provider_acme_dev": ["refresh_deliveries"],
    "provider_acme_prod": ["refresh_deliveries"],
    "provider_globex_prod": ["refresh_deliveries"],
}


def _seed_recent_events(source_url: str) -> list[str]:
    """app_events for yesterday and today (UTC): the days a dateless @daily run may take."""
    today = datetime.now(UTC).date()
    days = [str(today - timedelta(days=1)), str(today)]
    assert not set(days) & set(EVENT_DAYS)  # the other tests' days stay as they are
    with psycopg.connect(source_url, autocommit=True) as conn:
        for offset, day in enumerate(days):
            for n in range(30 + offset):
                conn.execute(
                    "INSERT INTO app_events VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (
                        100_000 + offset * 1000 + n,
                        n % 5,
                        ("view", "buy")[n % 2],
                        f"{day}T{n % 24:02d}:{n % 60:02d}:00Z",
                    ),
                )
    return days


def test_runs_without_a_logical_date_process_the_latest_complete_interval(
    platform: Platform,
) -> None:
    """Triggered through the REST API with ``{"logical_date": null}`` (what API clients send when
    no date is given), every interval pipeline processes the latest complete interval of its
    schedule before the run's run_after (the interval the UI's *now* gives), says so in its
    task logs, and loads it; a run dated before start_date stays refused with the reason."""
    from airflow.timetables.interval import CronDataIntervalTimetable

    def parse(moment: str) -> pendulum.DateTime:
        return pendulum.instance(datetime.fromisoformat(moment))

    _seed_recent_events(platform.source_url)
    runs = {dag_id: platform.run(dag_id, logical_date=None) for dag_id in INTERVAL_PIPELINES}
    intervals = {}
    for dag_id, run_id in runs.items():
        state, tasks = platform.finish(dag_id, run_id)
        assert state == "success", (dag_id, tasks)
        assert set(tasks.values()) == {"success"}, (dag_id, tasks)
        run = platform.api.run(dag_id, run_id)
        # A dateless run: Airflow gives it no logical date and no data interval of its own.
        assert run["logical_date"] is None and run["data_interval_start"] is None, run
        timetable = CronDataIntervalTimetable(INTERVAL_PIPELINES[dag_id], "UTC")
        interval = timetable.infer_manual_data_interval(run_after=parse(run["run_after"]))
        intervals[dag_id] = interval
        print(f"{dag_id}: run_after {run['run_after']} -> {interval.start} .. {interval.end}")
        said = (
            "run without a logical date: processing the latest complete interval "
            f"{interval.start:%Y-%m-%d %H:%M} UTC → {interval.end:%Y-%m-%d %H:%M} UTC"
        )
        for task_id in INTERVAL_TASKS[dag_id]:
            log = platform.api.get(
                f"dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}/logs/1"
            )
            assert said in str(log), (dag_id, task_id, str(log)[-3000:])

    def partition(dag_id: str) -> str:
        start = intervals[dag_id].start
        return f"year={start:%Y}/month={start:%m}/day={start:%d}"

    # ingest_sales: that day's file, converted and loaded (1 % of the rows quarantined).
    day = f"{intervals['ingest_sales'].start:%Y-%m-%d}"
    converted = platform.xcom("ingest_sales", runs["ingest_sales"], "convert_to_parquet")
    assert f"/parquet/sales/{partition('ingest_sales')}/" in converted["parquet"]
    [(loaded, _)] = platform.warehouse(sales_checksum(day))
    assert loaded == SALES_ROWS - SALES_ROWS // SALES_BAD_EVERY
    assert platform.keys(f"quarantine/sales/{partition('ingest_sales')}/") != []

    # extract_app_events: exactly that day's source rows.
    extracted = platform.xcom("extract_app_events", runs["extract_app_events"], "extract")
    events_day = f"{intervals['extract_app_events'].start:%Y-%m-%d}"
    expected = _expected_aggregates(platform.source_url, [events_day])
    assert extracted["rows"] == sum(row[2] for row in expected) > 0
    key = f"extracts/app_events/{partition('extract_app_events')}/part-0.parquet"
    assert pq.read_table(io.BytesIO(platform.object(key))).num_rows == extracted["rows"]

    # user_events_daily: the templated query and the published day agree.
    mart_run = runs["user_events_daily"]
    aggregate = platform.api.get(
        f"dags/user_events_daily/dagRuns/{quote(mart_run, safe='')}/taskInstances/aggregate_events"
    )
    bounds = aggregate["rendered_fields"]["parameters"]
    interval = intervals["user_events_daily"]
    assert (parse(bounds["start"]), parse(bounds["end"])) == (interval.start, interval.end)
    assert platform.xcom("user_events_daily", mart_run, "publish")["day"] == events_day
    mart = platform.warehouse(
        "SELECT day::text, event_type, events, users FROM marts.user_events_daily"
        f" WHERE day = '{events_day}' ORDER BY 1, 2"
    )
    assert mart == expected
    assert platform.keys(f"marts/user_events_daily/{partition('user_events_daily')}/") != []

    # provider DAGs: the templated day is the interval's.
    for dag_id in ("provider_acme_dev", "provider_acme_prod", "provider_globex_prod"):
        refresh = platform.api.get(
            f"dags/{dag_id}/dagRuns/{quote(runs[dag_id], safe='')}/taskInstances"
            "/refresh_deliveries"
        )
        assert refresh["rendered_fields"]["parameters"]["day"] == str(intervals[dag_id].start)[:10]
        schema = "dev_providers" if dag_id.endswith("_dev") else "prod_providers"
        table = "globex_deliveries" if "globex" in dag_id else "acme_deliveries"
        day = str(intervals[dag_id].start)[:10]
        assert platform.warehouse(f"SELECT count(*) FROM {schema}.{table} WHERE day = '{day}'") == [
            (1,)
        ]

    # A run dated before the history starts stays refused, with the reason.
    refused = platform.api.session.post(
        f"{platform.api.base_url}/api/v2/dags/ingest_sales/dagRuns",
        json={"logical_date": "2026-10-15T03:00:00Z", "conf": {}},
        timeout=30,
    )
    assert refused.status_code == 400, refused.text
    assert "history starts 2026-11-01" in refused.json()["detail"]


# --- dynamic DAGs ---------------------------------------------------------------------------
def _hello_dags(platform: Platform) -> set[str]:
    found = platform.api.get("dags", dag_id_pattern="hello_world", limit=1000, exclude_stale=True)
    return {dag["dag_id"] for dag in found["dags"]}


def test_dag_number_variable_changes_the_dynamic_dag_set(platform: Platform) -> None:
    platform.api.wait_for_dag("hello_world_10")
    assert _hello_dags(platform) == {f"hello_world_{n}" for n in range(1, 11)}
    platform.api.session.patch(
        f"{platform.api.base_url}/api/v2/variables/dag_number",
        json={"key": "dag_number", "value": "3"},
        timeout=30,
    ).raise_for_status()
    # What a user does after changing the variable: ask for the file to be parsed again (the UI's
    # "Reparse Dag" button), instead of waiting up to min_file_process_interval (30 s). Asked
    # again every 5 s: a parse within the secrets cache's TTL (3 s) may still read the old value.
    file_token = platform.api.get("dags/hello_world_1/details")["file_token"]
    deadline = time.monotonic() + 120
    while _hello_dags(platform) != {"hello_world_1", "hello_world_2", "hello_world_3"}:
        assert time.monotonic() < deadline, _hello_dags(platform)
        platform.api.request_reparse(file_token)
        time.sleep(5)
    run_id = platform.run("hello_world_2")  # no logical date: a plain manual run
    assert platform.finish("hello_world_2", run_id)[0] == "success"
    assert platform.xcom("hello_world_2", run_id, "say_hello").startswith("hello from DAG 2 for ")


# --- template-built DAGs --------------------------------------------------------------------
def test_generated_provider_dag_refreshes_its_environment_schema(platform: Platform) -> None:
    run_id = platform.run("provider_acme_dev", logical_date="2026-11-03T03:30:00Z")
    state, tasks = platform.finish("provider_acme_dev", run_id)
    assert state == "success", tasks
    day = platform.api.run("provider_acme_dev", run_id)["data_interval_start"][:10]
    rows = platform.warehouse(
        "SELECT day::text, environment, refreshed_by FROM dev_providers.acme_deliveries"
        f" WHERE day = '{day}'"
    )
    assert rows == [(day, "dev", run_id)]


# --- rocket launches ------------------------------------------------------------------------
def test_rocket_launches_stores_answer_and_images_and_notifies(platform: Platform) -> None:
    run_id = platform.run("rocket_launches")
    state, tasks = platform.finish("rocket_launches", run_id)
    assert state == "success", tasks
    # This run's partition only (by when it was due): the scheduled run unpausing started may
    # fall on another day.
    due = platform.api.run("rocket_launches", run_id)["run_after"][:10]
    y, m, d = due.split("-")
    keys = platform.keys(f"launches/year={y}/month={m}/day={d}/")
    images = sorted(k for k in keys if "/images/" in k)
    assert [k.rsplit("/", 1)[1] for k in images] == ["a1.png", "b2.jpg"]
    assert platform.object(images[0]) == IMAGES["/images/a1.png"]
    [answer] = [k for k in keys if k.endswith("launches.json")]
    assert json.loads(platform.object(answer)) == LAUNCHES
    # Unpausing also started the latest scheduled run: one summary per successful run.
    deadline = time.monotonic() + 120
    while True:
        runs = platform.api.get("dags/rocket_launches/dagRuns")["dag_runs"]
        messages = [m for m in platform.slack.messages() if ":rocket:" in m.body.get("text", "")]
        finished = all(run["state"] in ("success", "failed") for run in runs)
        successes = sum(run["state"] == "success" for run in runs)
        if finished and len(messages) == successes:
            break
        assert time.monotonic() < deadline, (runs, len(messages))
        time.sleep(2)
    assert successes >= 1
    for message in messages:
        assert message.body["channel"] == "#launches"
        assert message.body["text"].startswith(":rocket: 3 upcoming launches")
        assert "Falcon 9 | Starlink" in message.body["text"]


# --- initialize_environment -----------------------------------------------------------------
def test_initialize_environment_restores_the_config_through_the_api(platform: Platform) -> None:
    base = platform.api.base_url
    platform.api.session.patch(
        f"{base}/api/v2/pools/default_pool",
        json={"slots": 5},
        params={"update_mask": ["slots"]},
        timeout=30,
    ).raise_for_status()
    platform.api.session.delete(f"{base}/api/v2/variables/dag_number", timeout=30)
    run_id = platform.run("initialize_environment")
    state, tasks = platform.finish("initialize_environment", run_id)
    assert state == "success", tasks
    report = platform.xcom("initialize_environment", run_id, "apply_environment")
    assert report["updated"] == ["pool default_pool"]
    assert report["created"] == ["variable dag_number"]
    assert platform.api.get("pools/default_pool")["slots"] == 16
    again = platform.run("initialize_environment")
    assert platform.finish("initialize_environment", again)[0] == "success"
    second = platform.xcom("initialize_environment", again, "apply_environment")
    assert second["created"] == [] and second["updated"] == []


# --- restart failed runs --------------------------------------------------------------------
def test_restart_failed_runs_dry_run_then_clears_through_the_api(platform: Platform) -> None:
    # A failed run of its own: a bad day's ingestion (convert fails, no retries).
    # A manual run at L covers the interval ending at L: 2026-11-13T02:00 -> [11-12, 11-13).
    target = platform.run("ingest_sales", logical_date="2026-11-13T02:00:00Z")
    assert platform.finish("ingest_sales", target)[0] == "failed"

    dry = platform.run("restart_failed_runs", conf={"dry_run": True, "lookback_hours": 2})
    assert platform.finish("restart_failed_runs", dry)[0] == "success"
    report = platform.xcom("restart_failed_runs", dry, "restart")
    [mine] = [r for r in report if r["run_id"] == target]
    assert (mine["dag_id"], mine["dry_run"]) == ("ingest_sales", True)
    assert "convert_to_parquet" in mine["tasks"]
    assert all(r["dry_run"] for r in report)
    assert platform.api.run("ingest_sales", target)["state"] == "failed"  # untouched

    real = platform.run("restart_failed_runs", conf={"dry_run": False, "lookback_hours": 2})
    assert platform.finish("restart_failed_runs", real)[0] == "success"
    cleared = platform.xcom("restart_failed_runs", real, "restart")
    [mine] = [r for r in cleared if r["run_id"] == target]
    assert mine["dag_id"] == "ingest_sales" and not mine["dry_run"]
    assert "convert_to_parquet" in mine["tasks"]  # the report names what a real clear reset
    assert "restart_failed_runs" not in {r["dag_id"] for r in cleared}  # it skips itself
    # The cleared run ran again (and, the data being still bad, failed again on try 2).
    assert platform.finish("ingest_sales", target)[0] == "failed"
    tis = {ti["task_id"]: ti for ti in platform.api.task_instances("ingest_sales", target)}
    assert tis["convert_to_parquet"]["try_number"] > 1
