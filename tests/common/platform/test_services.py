"""What ``up`` starts beside Airflow: decided without starting anything (probes are stubs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hangar_common.platform.airflow_config import Stack
from hangar_common.platform.config import StatePaths
from hangar_common.platform.secrets import EMBEDDED_S3_ACCESS_KEY, EMBEDDED_S3_SECRET_KEY
from hangar_common.platform.services import databases_on_stack_server, plan_services
from hangar_common.settings import EMBEDDED_BUNDLE_STORE_URL, ConfigurationError, HangarSettings

SECRETS = {EMBEDDED_S3_ACCESS_KEY: "key", EMBEDDED_S3_SECRET_KEY: "secret"}


def _plan(tmp_path: Path, env: dict[str, str], *, postgres: bool = True, stack=Stack.EMBEDDED):
    return plan_services(
        env,
        StatePaths(root=tmp_path),
        stack,
        secrets=SECRETS,
        postgres_answers=lambda url: postgres,
        redis_answers=lambda url: True,
    )


def test_nothing_configured_starts_the_store_and_the_source_and_uses_the_postgres(
    tmp_path: Path,
) -> None:
    server = "postgresql://app:pw@db.internal:5433/postgres"
    plan = _plan(tmp_path, {"HANGAR_POSTGRES_URL": server})
    assert sorted(p.name for p in plan.programs) == ["object-store", "sales-source"]
    assert plan.env["HANGAR_WAREHOUSE_HOST"] == plan.env["HANGAR_SOURCE_DB_HOST"] == "db.internal"
    assert plan.env["HANGAR_WAREHOUSE_PORT"] == "5433"
    assert plan.env["HANGAR_WAREHOUSE_PASSWORD"] == "pw"
    assert (
        plan.env["HANGAR_METADATA_DB_URL"] == "postgresql://app:pw@db.internal:5433/hangar_airflow"
    )
    assert plan.env["HANGAR_S3_ACCESS_KEY"] == "key"
    assert plan.env["HANGAR_EMBEDDED_BUNDLE_STORE_URL"] == EMBEDDED_BUNDLE_STORE_URL
    assert sorted(plan.buckets) == ["hangar-bundles", "hangar-lake"]
    assert plan.databases[0].endswith("/hangar_warehouse")
    assert plan.seed_source.endswith("/hangar_source")
    parts = {part.name: part for part in plan.parts}
    assert parts["postgres"].origin == "HANGAR_POSTGRES_URL"
    assert "pw" not in parts["warehouse"].url  # shown to users: redacted
    assert parts["slack"].origin == "off"


def test_the_databases_take_the_names_given_by_the_settings(tmp_path: Path) -> None:
    """`up` passes the state folder's own names (hangar_<id>_...) as these settings."""
    names = {
        "HANGAR_METADATA_DB": "hangar_a1b2c3_airflow",
        "HANGAR_WAREHOUSE_DB": "hangar_a1b2c3_warehouse",
        "HANGAR_SOURCE_DB": "hangar_a1b2c3_source",
    }
    plan = _plan(tmp_path, names)
    assert plan.env["HANGAR_METADATA_DB_URL"].endswith("/hangar_a1b2c3_airflow")
    assert [url.rsplit("/", 1)[1] for url in plan.databases] == [
        "hangar_a1b2c3_warehouse",
        "hangar_a1b2c3_source",
    ]


def test_configured_endpoints_win_and_nothing_is_started_for_them(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        {
            "HANGAR_S3_ENDPOINT": "https://s3.example",
            "HANGAR_EXAMPLE_SALES_URL": "https://sales.example",
            "HANGAR_WAREHOUSE_HOST": "wh.example",
            "HANGAR_SOURCE_DB_HOST": "src.example",
            "HANGAR_SLACK_TOKEN": "xoxb-1",
        },
    )
    assert plan.programs == []
    assert not {"HANGAR_S3_ENDPOINT", "HANGAR_WAREHOUSE_HOST", "HANGAR_SOURCE_DB_HOST"} & set(
        plan.env
    )
    assert plan.databases == [] and plan.seed_source == "" and plan.buckets == []
    origins = {part.name: part.origin for part in plan.parts}
    assert origins == {
        "postgres": "HANGAR_POSTGRES_URL",  # still Airflow's metadata DB
        "warehouse": "configured",
        "source-db": "configured",
        "object-store": "configured",
        "sales-source": "configured",
        "slack": "configured",
    }


def test_no_postgres_and_no_binaries_is_a_clear_error(tmp_path: Path) -> None:
    env = {"HANGAR_PG_BIN": str(tmp_path / "none")}
    with pytest.raises(ConfigurationError, match="does not answer and no PostgreSQL binaries"):
        _plan(tmp_path, env, postgres=False)


def test_the_embedded_store_needs_its_generated_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="HANGAR_EMBEDDED_S3_ACCESS_KEY"):
        plan_services(
            {},
            StatePaths(root=tmp_path),
            Stack.EMBEDDED,
            secrets={},
            postgres_answers=lambda url: True,
            redis_answers=lambda url: True,
        )


def test_create_database_names_the_server_that_never_answered() -> None:
    from hangar_common.net import free_port
    from hangar_common.platform.services import create_database

    url = f"postgresql://hangar:secret-pw@127.0.0.1:{free_port()}/hangar_airflow"
    with pytest.raises(RuntimeError, match=r"did not answer within 1 s") as raised:
        create_database(url, wait=1.0)
    assert "secret-pw" not in str(raised.value)


def test_without_hosts_the_warehouse_and_source_are_databases_of_the_stack_server() -> None:
    """What the Compose stack's init creates: the settings it gets name the databases only."""
    server = "postgresql://hangar:pw@postgres:5432/postgres"
    settings = HangarSettings.from_env(
        {"HANGAR_WAREHOUSE_DB": "dw", "HANGAR_WAREHOUSE_USER": "", "HANGAR_SOURCE_DB_HOST": ""}
    )
    found = {db.name: db for db in databases_on_stack_server(settings, server)}
    assert found["warehouse"].url == "postgresql://hangar:pw@postgres:5432/dw"
    assert found["source-db"].url == "postgresql://hangar:pw@postgres:5432/hangar_source"
    assert found["warehouse"].env == {
        "HANGAR_WAREHOUSE_HOST": "postgres",
        "HANGAR_WAREHOUSE_PORT": "5432",
        "HANGAR_WAREHOUSE_USER": "hangar",
        "HANGAR_WAREHOUSE_PASSWORD": "pw",
    }
    # A warehouse with a host of its own is the user's: nothing is created for it.
    own = HangarSettings.from_env({"HANGAR_WAREHOUSE_HOST": "dw.example"})
    assert [db.name for db in databases_on_stack_server(own, server)] == ["source-db"]
