"""`./hangar init`'s environment step against a real, migrated metadata database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.metadata_db import migrated_metadata_db, run_python

CONFIG = """
pools:
  default_pool: {slots: 24, description: Default pool}
  warehouse_loads: {slots: 3, description: COPY slots}
connections:
  warehouse:
    conn_type: postgres
    host: ${TEST_WAREHOUSE_HOST:-db.internal}
    port: 5432
    password: ${TEST_WAREHOUSE_PASSWORD}
    extra: {sslmode: require}
variables:
  dag_number: "3"
"""


@pytest.fixture(scope="module")
def metadata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    with migrated_metadata_db("hangar_it_apply_db", tmp_path_factory.mktemp("home")) as db:
        yield db


def _apply(env: dict[str, str], config: Path) -> list[str]:
    proc = run_python(env, "-m", "hangar_plugins.environment.apply_to_db", str(config))
    assert proc.returncode == 0, proc.stderr[-3000:]
    # The report's lines (Airflow may log to stdout too).
    verbs = ("created:", "updated:", "unchanged:")
    return [line for line in proc.stdout.splitlines() if line.startswith(verbs)]


def test_applies_once_then_changes_nothing(
    metadata: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, env = metadata
    config = tmp_path / "environment.yaml"
    config.write_text(CONFIG)
    env = {**env, "TEST_WAREHOUSE_PASSWORD": "s3cret"}
    first = _apply(env, config)
    assert any(line.startswith("created:") and "connection warehouse" in line for line in first)
    with psycopg.connect(url) as conn:
        pools: dict[str, int] = dict(conn.execute("SELECT pool, slots FROM slot_pool").fetchall())
        row = conn.execute(
            "SELECT host, password FROM connection WHERE conn_id = 'warehouse'"
        ).fetchone()
        assert row is not None
        host, password = row
        variable = conn.execute("SELECT val FROM variable WHERE key = 'dag_number'").fetchone()
    assert pools == {"default_pool": 24, "warehouse_loads": 3}
    assert host == "db.internal"
    assert password and "s3cret" not in password  # Fernet-encrypted at rest
    assert variable is not None

    second = _apply(env, config)
    assert [line.split(":")[0] for line in second] == ["unchanged"], second

    # An operator's variable value survives; a changed host is applied.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE variable SET val = 'operator' WHERE key = 'dag_number'")
    third = _apply({**env, "TEST_WAREHOUSE_HOST": "db2.internal"}, config)
    assert any(line.startswith("updated:") and "connection warehouse" in line for line in third)
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT host FROM connection WHERE conn_id = 'warehouse'").fetchone()
        kept = conn.execute("SELECT val FROM variable WHERE key = 'dag_number'").fetchone()
    assert row == ("db2.internal",) and kept == ("operator",)


def test_a_missing_secret_fails_naming_it_and_writes_nothing(
    metadata: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, env = metadata
    config = tmp_path / "environment.yaml"
    config.write_text(CONFIG.replace("warehouse_loads", "never_created"))
    env = {k: v for k, v in env.items() if k != "TEST_WAREHOUSE_PASSWORD"}
    proc = run_python(env, "-m", "hangar_plugins.environment.apply_to_db", str(config))
    assert proc.returncode == 2
    assert "connections.warehouse.password needs TEST_WAREHOUSE_PASSWORD" in proc.stderr
    with psycopg.connect(url) as conn:
        assert (
            conn.execute("SELECT 1 FROM slot_pool WHERE pool = 'never_created'").fetchone() is None
        )
