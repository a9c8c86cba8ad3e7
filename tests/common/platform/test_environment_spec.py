from __future__ import annotations

from pathlib import Path

import pytest

from hangar_common.platform.environment_spec import load_environment, parse_environment
from hangar_common.settings import ConfigurationError
from tests.support.paths import repo_root


def test_checked_in_config_resolves_with_defaults_only() -> None:
    spec = load_environment(repo_root() / "config/environment.yaml", {})
    assert {pool.name: pool.slots for pool in spec.pools} == {"default_pool": 16}
    connections = {conn.conn_id: conn for conn in spec.connections}
    assert set(connections) == {
        "warehouse",
        "object_storage",
        "slack",
        "airflow_api",
        "airflow_api_provisioner",
        "example_sales",
        "launches_api",
        "source_db",
    }
    assert connections["warehouse"].conn_type == "postgres"
    assert connections["warehouse"].port == 5432
    assert connections["slack"].password is None
    assert spec.variables["dag_number"] == "10"


def test_secrets_and_sizes_come_from_the_environment() -> None:
    env = {"HANGAR_DEFAULT_POOL_SLOTS": "64", "HANGAR_SLACK_TOKEN": "xoxb-test"}
    spec = load_environment(repo_root() / "config/environment.yaml", env)
    assert spec.pools[0].slots == 64
    slack = next(conn for conn in spec.connections if conn.conn_id == "slack")
    assert slack.password == "xoxb-test"
    assert slack.conn_type == "slack"
    assert slack.extra == {"base_url": "https://slack.com/api/"}


def test_required_reference_names_the_variable() -> None:
    document = {"connections": {"db": {"conn_type": "postgres", "password": "${DB_PASSWORD}"}}}
    with pytest.raises(ConfigurationError, match="connections.db.password needs DB_PASSWORD"):
        parse_environment(document, {})


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"pool": {}}, "unknown section"),
        ({"pools": {"p": {"slots": "many"}}}, "pools.p.slots"),
        ({"pools": {"p": {"slots": -1}}}, "must be >= 0"),
        ({"connections": {"c": {"host": "h"}}}, "conn_type is required"),
        (
            {"connections": {"c": {"conn_type": "x", "hots": "h"}}},
            r"connections.c: unknown field\(s\) \['hots'\]",
        ),
        ({"connections": {"c": {"conn_type": "x", "port": "abc"}}}, r"connections.c.port='abc': "),
    ],
)
def test_invalid_documents_are_rejected(document: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse_environment(document, {})


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "env.yaml").write_text("pools: [unclosed\n")
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_environment(tmp_path / "env.yaml", {})
