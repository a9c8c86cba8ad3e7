from __future__ import annotations

from pathlib import Path

import pytest

from hangar_common.environment import (
    DEFAULT_POSTGRES_URL,
    DEFAULT_REDIS_URL,
    ConfigurationError,
    HangarEnvironment,
    read_dotenv,
)


def test_defaults_when_nothing_is_set() -> None:
    env = HangarEnvironment.from_mapping({})
    assert env.postgres_url == DEFAULT_POSTGRES_URL
    assert env.redis_url == DEFAULT_REDIS_URL
    assert env.min_free_disk_gb == 5.0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HANGAR_POSTGRES_URL", "mysql://127.0.0.1/db"),
        ("HANGAR_POSTGRES_URL", "postgresql:///no-host"),
        ("HANGAR_REDIS_URL", "redis://127.0.0.1:notaport/0"),
        ("HANGAR_MIN_FREE_DISK_GB", "lots"),
        ("HANGAR_MIN_FREE_DISK_GB", "-1"),
    ],
)
def test_bad_value_error_names_the_setting(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        HangarEnvironment.from_mapping({name: value})


def test_dotenv_parsing(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\n\nexport HANGAR_REDIS_URL='redis://10.0.0.1:6380/1'\n"
        'HANGAR_MIN_FREE_DISK_GB="2.5"\nEMPTY=\n',
        encoding="utf-8",
    )
    assert read_dotenv(dotenv) == {
        "HANGAR_REDIS_URL": "redis://10.0.0.1:6380/1",
        "HANGAR_MIN_FREE_DISK_GB": "2.5",
        "EMPTY": "",
    }


def test_dotenv_error_names_file_and_line(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("A=1\nthis is not a setting\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"\.env:2: expected KEY=VALUE"):
        read_dotenv(dotenv)


def test_process_environment_wins_over_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "HANGAR_REDIS_URL=redis://from-dotenv:6379/0\nHANGAR_MIN_FREE_DISK_GB=1\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("HANGAR_REDIS_URL", "redis://from-environ:6379/0")
    monkeypatch.delenv("HANGAR_MIN_FREE_DISK_GB", raising=False)
    env = HangarEnvironment.load(tmp_path)
    assert env.redis_url == "redis://from-environ:6379/0"
    assert env.min_free_disk_gb == 1.0
