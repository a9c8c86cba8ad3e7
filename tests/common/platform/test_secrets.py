from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from hangar_common.platform.secrets import (
    EMBEDDED_S3_ACCESS_KEY,
    EMBEDDED_S3_SECRET_KEY,
    MAINTENANCE_PASSWORD,
    PROVISIONER_PASSWORD,
    SECRET_NAMES,
    ensure_secrets_file,
    load_secrets,
)
from hangar_common.settings import ConfigurationError, read_dotenv


def test_secrets_are_generated_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "state" / "secrets.env"
    assert ensure_secrets_file(path) is True
    first = read_dotenv(path)
    assert set(first) == {
        *SECRET_NAMES,
        MAINTENANCE_PASSWORD,
        PROVISIONER_PASSWORD,
        EMBEDDED_S3_ACCESS_KEY,
        EMBEDDED_S3_SECRET_KEY,
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(base64.urlsafe_b64decode(first["HANGAR_FERNET_KEY"])) == 32
    assert ensure_secrets_file(path) is False
    assert read_dotenv(path) == first  # never rotated behind the user's back
    assert list(path.parent.iterdir()) == [path]  # no temporary file left


def test_two_installs_get_different_keys(tmp_path: Path) -> None:
    ensure_secrets_file(tmp_path / "a")
    ensure_secrets_file(tmp_path / "b")
    assert (
        read_dotenv(tmp_path / "a")["HANGAR_JWT_SECRET"]
        != read_dotenv(tmp_path / "b")["HANGAR_JWT_SECRET"]
    )


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    ensure_secrets_file(path)
    secrets = load_secrets({"HANGAR_ADMIN_PASSWORD": "from-env"}, path)
    assert secrets.admin_password == "from-env"
    assert secrets.fernet_key == read_dotenv(path)["HANGAR_FERNET_KEY"]


def test_missing_secrets_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="HANGAR_FERNET_KEY.*HANGAR_JWT_SECRET"):
        load_secrets({"HANGAR_ADMIN_PASSWORD": "x"}, None)


def test_secrets_added_later_are_appended_without_rotating_the_others(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    ensure_secrets_file(path)
    before = read_dotenv(path)
    lines = [line for line in path.read_text().splitlines() if MAINTENANCE_PASSWORD not in line]
    path.write_text("\n".join(lines) + "\n")  # a file from before the maintenance user
    assert ensure_secrets_file(path) is False
    after = read_dotenv(path)
    assert (
        after[MAINTENANCE_PASSWORD] and after[MAINTENANCE_PASSWORD] != before[MAINTENANCE_PASSWORD]
    )
    assert {k: after[k] for k in SECRET_NAMES} == {k: before[k] for k in SECRET_NAMES}
    assert load_secrets({}, path).maintenance_password == after[MAINTENANCE_PASSWORD]
