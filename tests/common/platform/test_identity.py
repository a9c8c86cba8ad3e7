"""A state folder's identity: the names chosen once, recorded, and the ports kept while free."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from hangar_common.net import free_port
from hangar_common.platform.config import StatePaths
from hangar_common.platform.identity import (
    LEGACY_NAMES,
    Owner,
    PortChooser,
    StackIdentity,
    apply_identity,
    broker_db_is_chosen,
    database_names,
    marker,
    new_identity,
    parse_marker,
    read_identity,
    with_defaults,
    write_identity,
)
from hangar_common.settings import ConfigurationError, HangarSettings


def test_a_new_identity_names_its_databases_for_its_id() -> None:
    identity = new_identity()
    assert len(identity.id) == 6 and int(identity.id, 16) >= 0
    assert identity.databases == {
        "metadata": f"hangar_{identity.id}_airflow",
        "warehouse": f"hangar_{identity.id}_warehouse",
        "source": f"hangar_{identity.id}_source",
    }
    assert not identity.legacy
    assert new_identity().id != identity.id  # random: another folder, another id
    assert new_identity(legacy=True).databases == LEGACY_NAMES


def test_the_recorded_identity_round_trips_and_is_read_back(tmp_path: Path) -> None:
    paths = StatePaths(root=tmp_path / "state")
    assert read_identity(paths) is None
    identity = StackIdentity(
        id="a1b2c3",
        databases=database_names("a1b2c3"),
        ports={"sales-source": 41000},
        redis_db=4,
    )
    write_identity(paths, identity)
    assert read_identity(paths) == identity
    recorded = json.loads((paths.root / "identity.json").read_text())
    assert recorded["databases"]["warehouse"] == "hangar_a1b2c3_warehouse"
    assert list(paths.root.iterdir()) == [paths.root / "identity.json"]  # no temporary left


@pytest.mark.parametrize("text", ["{", '{"id": "a1b2c3"}', '{"id": "../x", "databases": {}}'])
def test_an_unreadable_identity_names_its_file(tmp_path: Path, text: str) -> None:
    (tmp_path / "identity.json").write_text(text)
    with pytest.raises(ConfigurationError, match="identity.json"):
        read_identity(StatePaths(root=tmp_path))


def test_recorded_names_fill_only_the_settings_left_unset() -> None:
    identity = StackIdentity(id="a1b2c3", databases=database_names("a1b2c3"))
    env = with_defaults(
        {"HANGAR_WAREHOUSE_DB": "analytics", "HANGAR_SOURCE_DB": "  "}, identity.env_defaults()
    )
    settings = HangarSettings.from_env(env)
    assert settings.warehouse_db == "analytics"  # explicit wins
    assert settings.source_db == "hangar_a1b2c3_source"  # blank counts as unset
    assert settings.effective_metadata_db_url.endswith("/hangar_a1b2c3_airflow")
    explicit = HangarSettings.from_env(
        with_defaults(
            {"HANGAR_METADATA_DB_URL": "postgresql://u@db:5432/meta"}, identity.env_defaults()
        )
    )
    assert explicit.effective_metadata_db_url == "postgresql://u@db:5432/meta"


def test_the_marker_names_the_stack_and_reads_back(tmp_path: Path) -> None:
    identity = StackIdentity(id="a1b2c3", databases=database_names("a1b2c3"))
    text = marker(identity, tmp_path / ".hangar")
    assert text == f"hangar stack a1b2c3 {socket.gethostname()}:{tmp_path / '.hangar'}"
    assert parse_marker(text) == Owner(
        stack_id="a1b2c3", where=f"{socket.gethostname()}:{tmp_path / '.hangar'}"
    )
    for other in (None, "", "default administrative connection database", "hangar stack"):
        assert parse_marker(other) is None


def test_ports_are_kept_while_free_and_replaced_when_taken() -> None:
    kept = free_port()
    chooser = PortChooser({"sales-source": kept})
    assert chooser.port("sales-source") == kept
    assert chooser.port("sales-source") == kept  # asked twice: the same
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        again = PortChooser({"sales-source": taken})
        assert again.port("sales-source") != taken
        # A range is replaced when any of its ports (or their twins) is taken.
        ranged = PortChooser({"object-store": taken - 2})
        base = ranged.port("object-store", count=5, twin_offset=10000)
        assert base != taken - 2
        assert not base <= taken < base + 5
    assert set(chooser.chosen) == {"sales-source"}
    assert PortChooser().port("new") > 0


def test_the_broker_database_is_the_stack_s_unless_the_url_names_one() -> None:
    identity = StackIdentity(id="a1b2c3", databases=database_names("a1b2c3"), redis_db=4)
    assert broker_db_is_chosen({}) and broker_db_is_chosen({"HANGAR_REDIS_URL": "redis://r:1"})
    assert not broker_db_is_chosen({"HANGAR_REDIS_URL": "redis://r:1/0"})
    assert apply_identity({}, identity)["HANGAR_REDIS_URL"] == "redis://127.0.0.1:6379/4"
    server_only = apply_identity({"HANGAR_REDIS_URL": "redis://r:6390"}, identity)
    assert server_only["HANGAR_REDIS_URL"] == "redis://r:6390/4"
    named = apply_identity({"HANGAR_REDIS_URL": "redis://r:6390/9"}, identity)
    assert named["HANGAR_REDIS_URL"] == "redis://r:6390/9"  # explicit wins
    assert "HANGAR_REDIS_URL" not in apply_identity({}, new_identity())  # none taken yet
