from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from hangar_common.platform.airflow_config import PlatformSecrets
from hangar_common.platform.entrypoint import command_line, waits_for_migrations
from hangar_common.platform.secrets import write_api_passwords

ON = {"HANGAR_WAIT_FOR_MIGRATIONS": "true"}


@pytest.mark.parametrize(
    "args",
    [
        ["airflow", "api-server"],
        ["airflow", "scheduler"],
        ["airflow", "dag-processor"],
        ["airflow", "triggerer"],
        ["airflow", "celery", "worker"],
        ["airflow", "celery", "flower"],
    ],
)
def test_long_running_components_wait_for_the_migration_in_containers(args: list[str]) -> None:
    assert waits_for_migrations(args, ON)
    assert not waits_for_migrations(args, {})  # native stacks: init ran before `up`


@pytest.mark.parametrize(
    "args",
    [
        ["airflow", "db", "migrate"],  # init itself must not wait for its own migration
        ["airflow", "version"],
        ["python", "-m", "hangar_common.cli", "init"],
        ["airflow", "celery", "stop"],
        [],
    ],
)
def test_one_shot_commands_do_not_wait(args: list[str]) -> None:
    assert not waits_for_migrations(args, ON)


def test_airflow_and_python_run_with_this_interpreter() -> None:
    assert command_line(["airflow", "scheduler"])[1:] == ["-m", "airflow", "scheduler"]
    assert command_line(["weed", "server"]) == ["weed", "server"]


def test_the_api_servers_passwords_file_is_private(tmp_path: Path) -> None:
    secrets = PlatformSecrets(
        fernet_key="k",
        jwt_secret="j",
        api_secret_key="a",
        admin_password="pw",
        maintenance_password="mpw",
    )
    path = tmp_path / "home" / "passwords.json"
    write_api_passwords(path, secrets)
    assert json.loads(path.read_text()) == {"admin": "pw", "maintenance": "mpw"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
