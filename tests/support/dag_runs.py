"""Run one pipeline with the DAG test runner (``./hangar test``'s) against real services of the
test's own: PostgreSQL databases (warehouse, example source) named after the Pants slot and
PID, dropped at the end; a SeaweedFS S3 store with the lake bucket; optional HTTP sources.

The DAG folder is the sandbox's ``src/python/dags``: exactly the DAG files and config entries
the test's target depends on (a neighbour pipeline's files are not there).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from hangar_common.dagtest.launch import run_dag_test
from hangar_common.dagtest.report import DagTestReport, render
from tests.support.hangar_stack import database_prefix
from tests.support.http_fixtures import FixtureServer, Route
from tests.support.paths import repo_root
from tests.support.seaweedfs import ACCESS_KEY, SECRET_KEY, SeaweedFS
from tests.support.services import service_env

LAKE = "hangar-lake"


@dataclass(frozen=True, kw_only=True)
class PipelineServices:
    """Where a pipeline under test reads and writes, and how to run it there."""

    env: dict[str, str]
    s3: SeaweedFS
    warehouse_url: str
    source_url: str
    work: Path

    def run(self, dag_id: str, *, day: date | None = None) -> DagTestReport:
        report = run_dag_test(
            project_root=repo_root(),
            env=self.env,
            dag_id=dag_id,
            day=day,
            dag_folder=repo_root() / "src/python/dags",
            work_dir=self.work / dag_id,
        )
        print(render(report))  # shown by pytest when the test fails
        return report

    def rows(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.warehouse_url) as conn:
            return conn.execute(query, params or None).fetchall()

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.s3.client().list_objects_v2(Bucket=LAKE, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def object(self, key: str) -> bytes:
        return bytes(self.s3.client().get_object(Bucket=LAKE, Key=key)["Body"].read())


@contextmanager
def _database(name: str) -> Iterator[str]:
    server = urlsplit(service_env().postgres_url)
    admin = urlunsplit(server._replace(path="/postgres"))
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(server._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(drop)


def _endpoint(prefix: str, url: str) -> dict[str, str]:
    """``HANGAR_<prefix>_HOST/PORT/USER`` and database of ``url``: a configured endpoint."""
    parts = urlsplit(url)
    database = "HANGAR_SOURCE_DB" if prefix == "SOURCE_DB" else f"HANGAR_{prefix}_DB"
    return {
        f"HANGAR_{prefix}_HOST": parts.hostname or "127.0.0.1",
        f"HANGAR_{prefix}_PORT": str(parts.port or 5432),
        f"HANGAR_{prefix}_USER": parts.username or "postgres",
        database: parts.path.lstrip("/"),
    }


def _discard(s3: SeaweedFS) -> None:
    """Kill the test's store: its data goes with the test (a graceful stop takes ~15 s)."""
    if s3.process is not None:
        s3.process.kill()
        s3.process.wait(timeout=30)
        s3.process = None


@contextmanager
def pipeline_services(tmp: Path, *, http: Route | None = None) -> Iterator[PipelineServices]:
    """Services of this test file's own; ``http``: a fixture server for the pipeline's HTTP
    sources (its URL is both the example sales source and the launches API)."""
    with ExitStack() as stack:
        s3 = SeaweedFS(tmp / "seaweedfs")
        s3.start()
        stack.callback(_discard, s3)
        s3.create_bucket(LAKE)
        warehouse = stack.enter_context(_database(f"{database_prefix()}warehouse"))
        source = stack.enter_context(_database(f"{database_prefix()}source"))
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("HANGAR_", "AIRFLOW"))
            or key in ("HANGAR_POSTGRES_URL", "HANGAR_TEST_SLOT")
        }
        env.update(
            HANGAR_HOME=str(repo_root()),
            HANGAR_STATE_DIR=str(tmp / "state"),
            # The interpreter and import path of this test run: Airflow, providers, Hangar's code.
            PYTHONPATH=os.pathsep.join(os.path.abspath(entry) for entry in sys.path if entry),
            HANGAR_S3_ENDPOINT=s3.endpoint,
            HANGAR_S3_ACCESS_KEY=ACCESS_KEY,
            HANGAR_S3_SECRET_KEY=SECRET_KEY,
            HANGAR_LAKE_URL=f"s3://{LAKE}",
            **_endpoint("WAREHOUSE", warehouse),
            **_endpoint("SOURCE_DB", source),
        )
        if http is not None:
            server = stack.enter_context(FixtureServer(http))
            env.update(HANGAR_EXAMPLE_SALES_URL=server.url, HANGAR_LAUNCHES_API_URL=server.url)
        yield PipelineServices(
            env=env, s3=s3, warehouse_url=warehouse, source_url=source, work=tmp / "runs"
        )
