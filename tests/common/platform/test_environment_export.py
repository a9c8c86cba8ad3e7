"""Rendering a platform's environment as environment.yaml: references kept, secrets never."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
import yaml

from hangar_common.platform.environment_export import (
    CONNECTION_PREFIX,
    POOL_PREFIX,
    VARIABLE_PREFIX,
    RunningConnection,
    RunningEnvironment,
    RunningPool,
    RunningVariable,
    export_environment,
    identifier,
    is_sensitive,
    resolve,
)
from hangar_common.platform.environment_spec import EnvironmentSpec, parse_environment
from hangar_common.settings import described_fields
from tests.support.paths import repo_root

# Airflow's default sensitive names (airflow._shared.secrets_masker), a subset is enough here.
SENSITIVE = frozenset({"password", "secret", "token", "private_key", "api_key", "keyfile_dict"})


def running_from(spec: EnvironmentSpec) -> RunningEnvironment:
    """What apply_to_db leaves in a fresh metadata DB for ``spec``."""
    return RunningEnvironment(
        pools=[
            RunningPool(name=p.name, slots=p.slots, description=p.description) for p in spec.pools
        ],
        connections=[
            RunningConnection(
                conn_id=c.conn_id,
                conn_type=c.conn_type,
                description=c.description,
                host=c.host,
                port=c.port,
                schema=c.schema,
                login=c.login,
                password=c.password,
                extra=c.extra or None,
            )
            for c in spec.connections
        ],
        variables=[RunningVariable(key=k, value=v) for k, v in spec.variables.items()],
    )


def export(
    running: RunningEnvironment, reference: Mapping[str, Any], env: Mapping[str, str]
) -> Any:
    return export_environment(running, reference=reference, env=env, sensitive_fields=SENSITIVE)


def test_checked_in_config_exports_as_itself_without_its_comments() -> None:
    path = repo_root() / "config/environment.yaml"
    reference = yaml.safe_load(path.read_text())
    env = {"HANGAR_WAREHOUSE_DB": "hangar_ab12_warehouse", "HANGAR_MAINTENANCE_PASSWORD": "m41nt"}
    exported = export(running_from(parse_environment(reference, env)), reference, env)
    assert yaml.safe_load(exported.text) == reference
    assert "m41nt" not in exported.text
    # Only the secret set here is needed; the empty ones (${X:-}) are not.
    assert exported.needs == ["HANGAR_MAINTENANCE_PASSWORD"]
    assert "# Set where it is applied: HANGAR_MAINTENANCE_PASSWORD\n" in exported.text
    assert exported.notes == []


SECRETS = {
    "pw": "hunter2-pass",
    "key": "-----BEGIN KEY----- abc",
    "token": "tok-9f8e7d",
    "host": "s3cr3t-in-url",
    "keyfile": "kf-private",
}


def operator_made() -> RunningEnvironment:
    """A platform someone changed by hand: secrets with no reference anywhere."""
    return RunningEnvironment(
        pools=[
            RunningPool(name="zeta", slots=4, description="added in the UI"),
            RunningPool(name="default_pool", slots=128, description="Default pool"),
        ],
        connections=[
            RunningConnection(
                conn_id="partner-api",
                conn_type="http",
                description="",
                host=f"https://bot:{SECRETS['host']}@partner.example",
                login="bot",
                password=SECRETS["pw"],
                extra={
                    "timeout": 30,
                    "verify": True,
                    "auth": {"private_key": SECRETS["key"], "kind": "rsa"},
                    "keyfile_dict": {"k": SECRETS["keyfile"]},
                    "note": "multi\nline",
                },
            ),
            RunningConnection(conn_id="blank", conn_type="postgres", host="", schema="db"),
        ],
        variables=[
            RunningVariable(key="Partner-API-Token", value=SECRETS["token"]),
            RunningVariable(key="dag_number", value="12", description="how many"),
            RunningVariable(key="empty_secret", value=""),
        ],
    )


def test_secrets_become_invented_references_and_never_values() -> None:
    exported = export(operator_made(), {}, {})
    for value in SECRETS.values():
        assert value not in exported.text
    document = yaml.safe_load(exported.text)
    partner = document["connections"]["partner-api"]
    assert partner["password"] == "${HANGAR_CONN_PARTNER_API_PASSWORD}"
    assert partner["host"] == "${HANGAR_CONN_PARTNER_API_HOST}"
    assert partner["login"] == "bot"  # not a secret for Airflow either
    assert partner["extra"]["auth"] == {
        "private_key": "${HANGAR_CONN_PARTNER_API_EXTRA_AUTH_PRIVATE_KEY}",
        "kind": "rsa",
    }
    assert partner["extra"]["keyfile_dict"] == "${HANGAR_CONN_PARTNER_API_EXTRA_KEYFILE_DICT}"
    assert partner["extra"]["timeout"] == 30 and partner["extra"]["verify"] is True
    assert partner["extra"]["note"] == "multi\nline"
    assert "note: |" in exported.text
    assert "description" not in partner  # blank: unset
    assert document["connections"]["blank"] == {"conn_type": "postgres", "schema": "db"}
    assert document["variables"] == {
        "Partner-API-Token": "${HANGAR_VAR_PARTNER_API_TOKEN}",
        "dag_number": "12",
        "empty_secret": "",
    }
    assert exported.needs == sorted(
        [
            "HANGAR_CONN_PARTNER_API_PASSWORD",
            "HANGAR_CONN_PARTNER_API_HOST",
            "HANGAR_CONN_PARTNER_API_EXTRA_AUTH_PRIVATE_KEY",
            "HANGAR_CONN_PARTNER_API_EXTRA_KEYFILE_DICT",
            "HANGAR_VAR_PARTNER_API_TOKEN",
        ]
    )
    assert any("keyfile_dict: a secret dict" in note for note in exported.notes)
    assert any("variables.dag_number: its description" in note for note in exported.notes)


def test_sorted_by_name_without_a_reference_else_in_the_reference_order() -> None:
    assert list(yaml.safe_load(export(operator_made(), {}, {}).text)["pools"]) == [
        "default_pool",
        "zeta",
    ]
    reference = {"pools": {"zeta": {"slots": 1}}, "variables": {"dag_number": "1"}}
    document = yaml.safe_load(export(operator_made(), reference, {}).text)
    assert list(document["pools"]) == ["zeta", "default_pool"]
    assert list(document["variables"])[0] == "dag_number"


def applied(text: str, env: Mapping[str, str]) -> RunningEnvironment:
    """``text`` applied to a fresh platform with ``env`` (init's parse, apply_to_db's result)."""
    return running_from(parse_environment(yaml.safe_load(text), env))


def test_export_apply_export_is_a_fixed_point() -> None:
    first = export(operator_made(), {}, {})
    # The user sets the names printed; a dict secret is set to its JSON text.
    env = {
        "HANGAR_CONN_PARTNER_API_PASSWORD": SECRETS["pw"],
        "HANGAR_CONN_PARTNER_API_HOST": f"https://bot:{SECRETS['host']}@partner.example",
        "HANGAR_CONN_PARTNER_API_EXTRA_AUTH_PRIVATE_KEY": SECRETS["key"],
        "HANGAR_CONN_PARTNER_API_EXTRA_KEYFILE_DICT": '{"k": "kf-private"}',
        "HANGAR_VAR_PARTNER_API_TOKEN": SECRETS["token"],
    }
    fresh = applied(first.text, env)
    partner = next(c for c in fresh.connections if c.conn_id == "partner-api")
    assert partner.password == SECRETS["pw"]
    second = export(fresh, yaml.safe_load(first.text), env)
    assert second.text == first.text
    assert second.needs == first.needs


def test_a_reference_is_kept_only_when_it_gives_the_running_value() -> None:
    reference = {
        "connections": {
            "db": {
                "conn_type": "postgres",
                "host": "${DB_HOST:-localhost}",
                "password": "${DB_PASSWORD}",
                "login": "${DB_USER:-app}",
            }
        },
        "variables": {"api_token": "${API_TOKEN:-default-token}"},
    }
    env = {"DB_HOST": "db.internal", "DB_PASSWORD": "pw-live", "API_TOKEN": "tok-live"}
    running = RunningEnvironment(
        pools=[],
        connections=[
            RunningConnection(
                conn_id="db",
                conn_type="postgres",
                host="db.internal",
                login="ops",
                password="pw-live",
            )
        ],
        variables=[RunningVariable(key="api_token", value="tok-live")],
    )
    exported = export(running, reference, env)
    document = yaml.safe_load(exported.text)
    assert document["connections"]["db"] == {
        "conn_type": "postgres",
        "host": "${DB_HOST:-localhost}",  # resolves to the running host here
        "login": "ops",  # changed by hand: the value, not the reference
        "password": "${DB_PASSWORD}",
    }
    # A secret's default would be a value: the name only.
    assert document["variables"] == {"api_token": "${API_TOKEN}"}
    assert exported.needs == ["API_TOKEN", "DB_PASSWORD"]

    # A password rotated by hand no longer comes from ${DB_PASSWORD}: a new name, and why.
    rotated = export(running, reference, {**env, "DB_PASSWORD": "old"})
    assert yaml.safe_load(rotated.text)["connections"]["db"]["password"] == (
        "${HANGAR_CONN_DB_PASSWORD}"
    )
    assert rotated.notes == [
        "connections.db.password: the running value is not what ${DB_PASSWORD} gives here: "
        "written as ${HANGAR_CONN_DB_PASSWORD}"
    ]


def test_a_literal_secret_in_the_reference_is_not_copied() -> None:
    reference = {"connections": {"db": {"conn_type": "postgres", "password": "in-the-file"}}}
    running = RunningEnvironment(
        pools=[],
        connections=[RunningConnection(conn_id="db", conn_type="postgres", password="in-the-file")],
        variables=[],
    )
    exported = export(running, reference, {})
    assert "in-the-file" not in exported.text
    assert exported.needs == ["HANGAR_CONN_DB_PASSWORD"]


def test_invented_names_do_not_collide() -> None:
    reference = {
        "connections": {"other": {"conn_type": "http", "host": "${HANGAR_CONN_A_B_PASSWORD}"}}
    }
    running = RunningEnvironment(
        pools=[],
        connections=[
            RunningConnection(conn_id="a-b", conn_type="http", password="one-secret"),
            RunningConnection(conn_id="a_b", conn_type="http", password="two-secret"),
        ],
        variables=[],
    )
    passwords = [
        conn["password"]
        for conn in yaml.safe_load(export(running, reference, {}).text)["connections"].values()
    ]
    assert passwords == ["${HANGAR_CONN_A_B_PASSWORD_2}", "${HANGAR_CONN_A_B_PASSWORD_3}"]


def test_a_literal_that_init_would_substitute_becomes_a_reference() -> None:
    running = RunningEnvironment(
        pools=[],
        connections=[],
        variables=[
            RunningVariable(key="template", value="echo ${HOME_DIR}"),
            RunningVariable(key="shell", value="echo ${home}"),
        ],
    )
    exported = export(running, {}, {})
    document = yaml.safe_load(exported.text)
    assert document["variables"] == {
        "shell": "echo ${home}",  # not a reference init knows (lower case)
        "template": "${HANGAR_VAR_TEMPLATE}",
    }
    assert exported.needs == ["HANGAR_VAR_TEMPLATE"]
    assert "holds a ${NAME} pattern" in exported.notes[0]


def test_what_the_file_cannot_hold_is_skipped_with_a_note() -> None:
    running = RunningEnvironment(
        pools=[
            RunningPool(name="unlimited", slots=-1),
            RunningPool(name="deferred", slots=2, include_deferred=True),
        ],
        connections=[
            RunningConnection(conn_id="typeless", conn_type=None),
            RunningConnection(conn_id="odd", conn_type="http", extra=["not", "an", "object"]),
        ],
        variables=[],
    )
    exported = export(running, {}, {})
    document = yaml.safe_load(exported.text)
    assert document["pools"] == {"deferred": {"slots": 2}}
    assert document["connections"] == {"odd": {"conn_type": "http"}}
    assert len(exported.notes) == 4


@pytest.mark.parametrize(
    ("name", "hidden"),
    [
        ("password", True),
        ("Partner-API-Key", True),
        ("slack_token", True),
        ("dag_number", False),
        ("endpoint_url", False),
    ],
)
def test_sensitive_names_follow_airflows_masking_rule(name: str, hidden: bool) -> None:
    assert is_sensitive(name, SENSITIVE) is hidden


def test_resolve_and_identifier() -> None:
    assert resolve("${A:-x}/${B}", {"B": "b"}) == "x/b"
    assert resolve("${A}", {}) is None
    assert resolve("${A:-}", {}) == ""
    assert identifier("partner-api.v2") == "PARTNER_API_V2"


def test_invented_names_are_never_a_hangar_setting() -> None:
    prefixes = (CONNECTION_PREFIX, VARIABLE_PREFIX, POOL_PREFIX)
    assert [name for name, _, _ in described_fields() if name.startswith(prefixes)] == []
