from __future__ import annotations

import re
from pathlib import Path

import pytest

from hangar_common.settings import (
    DEFAULT_POSTGRES_URL,
    DEFAULT_REDIS_URL,
    ConfigurationError,
    HangarSettings,
    Stack,
    described_fields,
    load_settings,
    read_dotenv,
)


def test_defaults_when_nothing_is_set() -> None:
    settings = HangarSettings.from_env({})
    assert settings.postgres_url == DEFAULT_POSTGRES_URL
    assert settings.redis_url == DEFAULT_REDIS_URL
    assert settings.min_free_disk_gb == 5.0
    assert settings.stack is Stack.EMBEDDED
    assert settings.effective_parallelism == 4
    assert settings.effective_metadata_db_url.endswith("/hangar_airflow")


def test_values_are_parsed_and_blank_means_unset() -> None:
    settings = HangarSettings.from_env(
        {
            "HANGAR_API_PORT": " 9090 ",
            "HANGAR_ALERT_ON_RETRY": "yes",
            "HANGAR_STACK": "celery",
            "HANGAR_LAKE_URL": "  ",
            "HANGAR_TEST_SLOT": "3",  # not a setting: ignored
            "PATH": "/bin",
        }
    )
    assert settings.api_port == 9090
    assert settings.alert_on_retry is True
    assert settings.effective_parallelism == 16
    assert settings.lake_url == "s3://hangar-lake"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HANGAR_POSTGRES_URL", "mysql://127.0.0.1/db"),
        ("HANGAR_POSTGRES_URL", "postgresql:///no-host"),
        ("HANGAR_REDIS_URL", "redis://127.0.0.1:notaport/0"),
        ("HANGAR_MIN_FREE_DISK_GB", "lots"),
        ("HANGAR_MIN_FREE_DISK_GB", "-1"),
        ("HANGAR_API_PORT", "http"),
        ("HANGAR_API_PORT", "0"),
        ("HANGAR_STACK", "kubernetes"),
        ("HANGAR_DAG_SOURCE", "git"),
        ("HANGAR_ALERT_ON_RETRY", "maybe"),
        ("HANGAR_PARALLELISM", "-3"),
    ],
)
def test_bad_value_error_names_the_variable_and_value(name: str, value: str) -> None:
    shown = value if re.fullmatch(r"-?\d+(\.\d+)?", value) else repr(value)
    with pytest.raises(ConfigurationError, match=rf"^{re.escape(f'{name}={shown}: ')}") as raised:
        HangarSettings.from_env({name: value})
    assert "validation error" not in str(raised.value)  # pydantic's wording stays inside


def test_round_trip_through_the_environment() -> None:
    settings = HangarSettings.from_env({"HANGAR_STACK": "celery", "HANGAR_WORKER_NAME": "w-1"})
    assert HangarSettings.from_env(settings.to_env()) == settings
    assert settings.replace(api_port=9999).api_port == 9999
    with pytest.raises(ConfigurationError, match="HANGAR_API_PORT"):
        settings.replace(api_port=70000)


def test_every_setting_is_documented_with_a_known_section() -> None:
    from hangar_common.settings import SECTIONS

    for name, _default, extras in described_fields():
        assert extras["description"], name
        assert extras["section"] in SECTIONS, name


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
    settings = load_settings(tmp_path)
    assert settings.redis_url == "redis://from-environ:6379/0"
    assert settings.min_free_disk_gb == 1.0


def test_production_auth_and_remote_logs_are_the_celery_stacks_defaults() -> None:
    embedded = HangarSettings.from_env({})
    assert (embedded.effective_auth_manager, embedded.effective_remote_log_url) == ("simple", "")
    celery = HangarSettings.from_env({"HANGAR_STACK": "celery"})
    assert celery.effective_auth_manager == "fab"
    assert celery.effective_remote_log_url == "s3://hangar-logs/task-logs"
    chosen = HangarSettings.from_env(
        {"HANGAR_STACK": "celery", "HANGAR_AUTH_MANAGER": "simple", "HANGAR_REMOTE_LOG_URL": "off"}
    )
    assert chosen.effective_auth_manager == "simple"
    assert chosen.effective_remote_log_url == ""
    with pytest.raises(ConfigurationError, match="HANGAR_REMOTE_LOG_URL='/var/logs'"):
        HangarSettings.from_env({"HANGAR_REMOTE_LOG_URL": "/var/logs"})
    with pytest.raises(ConfigurationError, match="HANGAR_AUTH_MANAGER='ldap'"):
        HangarSettings.from_env({"HANGAR_AUTH_MANAGER": "ldap"})
