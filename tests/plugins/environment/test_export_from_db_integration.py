"""`./hangar env export` against real, migrated metadata databases: export -> init on a fresh
platform -> export is a fixed point, and no secret value is ever written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.metadata_db import airflow_env, migrated_metadata_db, run_python
from tests.support.postgres import scratch_database

MODULE = "hangar_plugins.environment.export_from_db"

# The team's environment.yaml: references with defaults, a secret from the environment.
CONFIG = """
# comments are not exported
pools:
  default_pool: {slots: "${TEST_POOL_SLOTS:-24}", description: Default pool}
  warehouse_loads: {slots: 3, description: COPY slots}
connections:
  warehouse:
    conn_type: postgres
    description: The warehouse
    host: ${TEST_WAREHOUSE_HOST:-db.internal}
    port: 5432
    login: loader
    password: ${TEST_WAREHOUSE_PASSWORD}
    extra: {sslmode: require}
  slack:
    conn_type: slack
    password: ${TEST_SLACK_TOKEN:-}
variables:
  dag_number: "3"
"""

SECRETS = {
    "TEST_WAREHOUSE_PASSWORD": "wh-s3cret-value",
    "partner password": "partner-pw-4242",
    # Split so that pre-commit's detect-private-key does not take this fake for a real key.
    "partner private key": "-----BEGIN " + "PRIVATE KEY----- MIIE",
    "variable token": "tok-abcdef123456",
}

# Someone changed the platform by hand (UI/CLI): secrets that no reference names.
BY_HAND = f"""
import json
from airflow.models.connection import Connection
from airflow.models.pool import Pool
from airflow.models.variable import Variable
from airflow.utils.session import create_session

with create_session() as session:
    session.add(Connection(
        conn_id="partner_api", conn_type="http", host="https://partner.example", login="bot",
        password={SECRETS["partner password"]!r},
        extra=json.dumps({{"timeout": 30, "private_key": {SECRETS["partner private key"]!r}}}),
    ))
    Pool.create_or_update_pool("reports", 2, "added by hand", False, session=session)
Variable.set("partner_api_token", {SECRETS["variable token"]!r})
Variable.set("dag_number", "7")
# What the dag-processor records in warn mode (hangar_plugins.policy_record): not exported.
Variable.set("hangar.dag_policy.legacy", '{{"clauses": ["no tags"], "dag_id": "legacy"}}')
"""

# What a connection's secrets decrypt to (compared, never printed by the tests' assertions).
READ_SECRETS = """
import json
from airflow.models.connection import Connection
from airflow.models.variable import Variable
from airflow.utils.session import create_session

with create_session() as session:
    conns = {c.conn_id: [c.password, c.extra_dejson] for c in session.query(Connection)}
    variables = {
        v.key: v.val for v in session.query(Variable) if not v.key.startswith("hangar.dag_policy.")
    }
print(json.dumps({"conns": conns, "variables": variables}))
"""


@contextmanager
def copy_of(url: str, suffix: str) -> Iterator[str]:
    """A fresh copy of the migrated database at ``url`` (CREATE DATABASE ... TEMPLATE): a second
    platform without a second `airflow db migrate`."""
    source = urlsplit(url).path.lstrip("/")
    with scratch_database(f"{source}_{suffix}", template=source) as copy:
        yield copy


@pytest.fixture(scope="module")
def platforms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], ...]]:
    """(running, fresh): two migrated metadata DBs, each the environment of an Airflow process."""
    home = tmp_path_factory.mktemp("home")
    with migrated_metadata_db("hangar_it_export", home) as (url, _env):
        with copy_of(url, "running") as running, copy_of(url, "fresh") as fresh:
            yield airflow_env(running, home), airflow_env(fresh, home)


def _ok(env: dict[str, str], *args: str) -> str:
    proc = run_python(env, *args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _export(env: dict[str, str], reference: Path) -> dict[str, object]:
    proc = run_python(env, "-m", MODULE, str(reference))
    assert proc.returncode == 0, proc.stderr[-3000:]
    for value in SECRETS.values():
        assert value not in proc.stdout + proc.stderr
    answer: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return answer


def test_export_init_export_is_a_fixed_point_without_a_secret_value(
    platforms: tuple[dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    running, fresh = platforms
    config = tmp_path / "environment.yaml"
    config.write_text(CONFIG)
    running = {**running, "TEST_WAREHOUSE_PASSWORD": SECRETS["TEST_WAREHOUSE_PASSWORD"]}
    _ok(running, "-m", "hangar_plugins.environment.apply_to_db", str(config))
    _ok(running, "-c", BY_HAND)

    first = _export(running, config)
    text = str(first["text"])
    for value in SECRETS.values():
        assert value not in text
    (tmp_path / "first.yaml").write_text(text)  # kept for a failure's inspection
    assert "    password: ${TEST_WAREHOUSE_PASSWORD}\n" in text  # the reference it came from
    assert "    host: ${TEST_WAREHOUSE_HOST:-db.internal}\n" in text
    assert "    password: ${TEST_SLACK_TOKEN:-}\n" in text
    assert "    password: ${HANGAR_CONN_PARTNER_API_PASSWORD}\n" in text
    assert "      private_key: ${HANGAR_CONN_PARTNER_API_EXTRA_PRIVATE_KEY}\n" in text
    assert "  partner_api_token: ${HANGAR_VAR_PARTNER_API_TOKEN}\n" in text
    assert "  dag_number: '7'\n" in text  # the value an operator set, not the file's
    assert "comments are not exported" not in text
    assert "hangar.dag_policy" not in text
    assert first["needs"] == [
        "HANGAR_CONN_PARTNER_API_EXTRA_PRIVATE_KEY",
        "HANGAR_CONN_PARTNER_API_PASSWORD",
        "HANGAR_VAR_PARTNER_API_TOKEN",
        "TEST_WAREHOUSE_PASSWORD",
    ]

    # init on a fresh platform: the export is its environment file, the printed names set.
    exported = tmp_path / "exported.yaml"
    exported.write_text(text)
    fresh = {
        **fresh,
        "TEST_WAREHOUSE_PASSWORD": SECRETS["TEST_WAREHOUSE_PASSWORD"],
        "HANGAR_CONN_PARTNER_API_PASSWORD": SECRETS["partner password"],
        "HANGAR_CONN_PARTNER_API_EXTRA_PRIVATE_KEY": SECRETS["partner private key"],
        "HANGAR_VAR_PARTNER_API_TOKEN": SECRETS["variable token"],
    }
    _ok(fresh, "-m", "hangar_plugins.environment.apply_to_db", str(exported))

    second = _export(fresh, exported)
    assert second["text"] == text  # byte for byte
    assert second["needs"] == first["needs"]
    # ... and the fresh platform holds the same secrets as the first one.
    assert json.loads(_ok(fresh, "-c", READ_SECRETS).splitlines()[-1]) == json.loads(
        _ok(running, "-c", READ_SECRETS).splitlines()[-1]
    )


def test_an_unreachable_metadata_db_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with scratch_database("hangar_it_export_empty") as url:  # never migrated
        env = airflow_env(url, tmp_path)
        proc = run_python(env, "-m", MODULE, str(tmp_path / "none.yaml"))
    assert proc.returncode == 2, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("hangar env export: error: the metadata DB cannot be read")


def test_a_bad_reference_file_is_exit_2(
    platforms: tuple[dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    bad = tmp_path / "environment.yaml"
    bad.write_text("- a list\n")
    proc = run_python(platforms[0], "-m", MODULE, str(bad))
    assert proc.returncode == 2
    assert "must hold a mapping" in proc.stderr
