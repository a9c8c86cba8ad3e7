"""Throwaway services of a test run when no platform runs: started, usable, then gone."""

from __future__ import annotations

import os
from pathlib import Path

import psutil
import psycopg
import requests

from hangar_common.dagtest.services import throwaway_services
from hangar_common.platform.object_store import s3_client
from hangar_common.platform.services import database_conninfo
from hangar_common.settings import HangarSettings
from tests.support.services import service_env


def test_the_parts_up_would_start_run_for_the_block_and_leave_nothing(tmp_path: Path) -> None:
    env = {
        "HANGAR_POSTGRES_URL": service_env().postgres_url,
        "HANGAR_STATE_DIR": str(tmp_path / "state"),
        "PATH": os.environ.get("PATH", ""),
    }
    before = {proc.pid for proc in psutil.Process().children(recursive=True)}
    with throwaway_services(env, folder=tmp_path / "services") as started:
        settings = HangarSettings.from_env(started)
        # The object store with the lake's bucket, the sales source, the seeded source table.
        client = s3_client(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key)
        assert "hangar-lake" in {b["Name"] for b in client.list_buckets()["Buckets"]}
        assert requests.get(f"{settings.example_sales_url}/sales/2026-11-20.csv", timeout=10).ok
        with psycopg.connect(database_conninfo(settings, "SOURCE_DB")) as conn:
            [(events,)] = conn.execute("SELECT count(*) FROM app_events").fetchall()
        assert events > 0
        with psycopg.connect(database_conninfo(settings, "WAREHOUSE")):
            pass
        databases = {settings.warehouse_db, settings.source_db}
    left = {proc.pid for proc in psutil.Process().children(recursive=True)} - before
    assert left == set()
    with psycopg.connect(service_env().postgres_url) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname = ANY(%s)", (list(databases),)
        ).fetchall()
    assert rows == []
