from __future__ import annotations

from pathlib import Path

import pytest

from hangar_common.platform.airflow_config import Profile, Stack
from hangar_common.platform.config import load_platform_config, metadata_db_url
from hangar_common.settings import ConfigurationError


def test_defaults_put_everything_under_the_project_state_folder(tmp_path: Path) -> None:
    config = load_platform_config({}, project_root=tmp_path)
    assert config.stack is Stack.EMBEDDED
    assert config.profile is Profile.DEFAULT
    assert config.api_port == 8080
    assert config.airflow_home == tmp_path / ".hangar" / "airflow"
    assert config.logs_folder == tmp_path / ".hangar" / "logs"
    assert config.dag_bundle_root == tmp_path / "src/python/dags"
    assert config.parallelism == 4


def test_celery_stack_gets_its_own_metadata_database(tmp_path: Path) -> None:
    env = {"HANGAR_POSTGRES_URL": "postgresql://u@db:5433/postgres", "HANGAR_API_PORT": "9090"}
    config = load_platform_config(env, project_root=tmp_path, stack="celery")
    assert config.metadata_db_url == "postgresql://u@db:5433/hangar_airflow"
    assert config.broker_url == "redis://127.0.0.1:6379/0"
    assert config.api_port == 9090
    assert metadata_db_url({"HANGAR_METADATA_DB_URL": "postgresql://x/y"}) == "postgresql://x/y"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HANGAR_API_PORT", "http"),
        ("HANGAR_API_PORT", "0"),
        ("HANGAR_STACK", "kubernetes"),
        ("HANGAR_PROFILE", "fast"),
        ("HANGAR_PARALLELISM", "-3"),
    ],
)
def test_bad_values_name_the_setting(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        load_platform_config({name: value}, project_root=tmp_path)
