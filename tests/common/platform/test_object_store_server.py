from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from hangar_common.platform.object_store_server import S3_PORT, server_command


def test_the_store_listens_on_every_interface_with_the_given_identity(tmp_path: Path) -> None:
    env = {"HANGAR_S3_ACCESS_KEY": "key-1", "HANGAR_S3_SECRET_KEY": "secret-1"}
    command = server_command(env, tmp_path)
    assert command[1] == "server"
    assert "-ip.bind=0.0.0.0" in command
    assert f"-s3.port={S3_PORT}" in command
    assert f"-dir={tmp_path / 'volumes'}" in command
    credentials = tmp_path / "s3.json"
    assert f"-s3.config={credentials}" in command
    identity = json.loads(credentials.read_text())["identities"][0]
    assert identity["credentials"] == [{"accessKey": "key-1", "secretKey": "secret-1"}]
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600


def test_missing_keys_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="HANGAR_S3_ACCESS_KEY and HANGAR_S3_SECRET_KEY"):
        server_command({"HANGAR_S3_ACCESS_KEY": "only-one"}, tmp_path)
    assert not (tmp_path / "s3.json").exists()
