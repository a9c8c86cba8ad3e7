"""StackManager and a state folder's identity: recorded names, refusals before any write, purge.

Without PostgreSQL (the probe says it does not answer): the database side is
test_ownership_integration.py's.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from hangar_common.platform import stack as stack_module
from hangar_common.platform.config import StatePaths
from hangar_common.platform.identity import StackIdentity, database_names, write_identity
from hangar_common.platform.stack import StackManager
from hangar_common.settings import ConfigurationError, HangarSettings, Stack


def _manager(tmp_path: Path, **env: str) -> StackManager:
    return StackManager(tmp_path, {"HANGAR_STATE_DIR": str(tmp_path / "state"), **env})


def test_the_recorded_names_are_every_command_s_unless_set(tmp_path: Path) -> None:
    write_identity(
        StatePaths(root=tmp_path / "state"),
        StackIdentity(id="a1b2c3", databases=database_names("a1b2c3")),
    )
    settings = HangarSettings.from_env(_manager(tmp_path, HANGAR_SOURCE_DB="mine").env)
    assert settings.effective_metadata_db_url.endswith("/hangar_a1b2c3_airflow")
    assert settings.warehouse_db == "hangar_a1b2c3_warehouse"
    assert settings.source_db == "mine"


def test_up_on_a_taken_api_port_fails_before_writing_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stack_module, "_postgres_answers", lambda url: False)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        manager = _manager(tmp_path, HANGAR_API_PORT=str(port))
        with pytest.raises(ConfigurationError) as raised:
            manager.up(Stack.EMBEDDED, workers=1, timeout=5)
    assert str(raised.value).startswith(
        f"port {port} (HANGAR_API_PORT) is in use by another process"
    )
    assert str(raised.value).endswith(": set HANGAR_API_PORT to a free port")
    assert not (tmp_path / "state").exists()


def test_purge_removes_the_stack_s_state_and_keeps_logs_and_the_rest(tmp_path: Path) -> None:
    state = tmp_path / "state"
    for folder in ("logs", "venv", "seaweedfs/data", "airflow"):
        (state / folder).mkdir(parents=True)
    (state / "secrets.env").write_text("HANGAR_FERNET_KEY=x\n")
    done = _manager(tmp_path).purge()
    assert done[0].startswith("no databases dropped: ")  # no identity: nothing marked as its own
    assert f"removed {state / 'secrets.env'} (the generated secrets)" in done
    assert f"removed {state / 'seaweedfs'} (the embedded object store's data)" in done
    assert sorted(path.name for path in state.iterdir()) == ["logs", "venv"]
