from __future__ import annotations

import json
from pathlib import Path

import pytest

from hangar_common.platform.airflow_config import (
    PLATFORM_ROLES,
    PLATFORM_USERS,
    PlatformConfig,
    PlatformSecrets,
    Profile,
    Stack,
    airflow_environment,
    describe,
    sqlalchemy_url,
)
from hangar_common.settings import ConfigurationError

SECRETS = PlatformSecrets(fernet_key="f", jwt_secret="j", api_secret_key="a", admin_password="p")


def _config(tmp_path: Path, **overrides: object) -> PlatformConfig:
    values: dict[str, object] = dict(  # noqa: C408 - keyword form reads as the config
        stack=Stack.EMBEDDED,
        profile=Profile.DEFAULT,
        airflow_home=tmp_path / "airflow",
        dag_bundle_root=tmp_path / "dags",
        plugins_folder=tmp_path / "plugins",
        logs_folder=tmp_path / "logs",
        api_host="127.0.0.1",
        api_port=8080,
        api_bind="127.0.0.1",
        parallelism=4,
        metadata_db_url="postgresql://postgres@127.0.0.1:5432/hangar_airflow",
    )
    values.update(overrides)
    return PlatformConfig(**values)  # type: ignore[arg-type]


def test_embedded_stack_is_local_executor_on_postgres_with_state_in_the_state_folder(
    tmp_path: Path,
) -> None:
    env = airflow_environment(_config(tmp_path), SECRETS)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == (
        "postgresql+psycopg2://postgres@127.0.0.1:5432/hangar_airflow"
    )
    assert env["AIRFLOW__HANGAR__SLACK_ALERTS"] == "False"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["AIRFLOW__CORE__PARALLELISM"] == "4"
    # Measured: the gap between two tasks follows the scheduler's idle nap (stock: 1 s).
    assert float(env["AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME"]) <= 0.25
    assert "AIRFLOW__CELERY__BROKER_URL" not in env
    for key in ("AIRFLOW_HOME", "AIRFLOW__LOGGING__BASE_LOG_FOLDER"):
        assert env[key].startswith(str(tmp_path))
    bundles = json.loads(env["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"])
    assert bundles[0]["kwargs"]["path"] == str(tmp_path / "dags")


def test_celery_stack_uses_postgres_redis_and_a_shared_execution_api(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        stack=Stack.CELERY,
        metadata_db_url="postgresql://u:pw@db:5432/meta",
        broker_url="redis://cache:6379/0",
        api_host="api",
        worker_log_server_port=8800,
    )
    env = airflow_environment(config, SECRETS)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql+psycopg2://u:pw@db:5432/meta"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+postgresql://u:pw@db:5432/meta"
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://cache:6379/0"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://api:8080/execution/"
    assert env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] == "8800"
    assert env["AIRFLOW__CELERY__FLOWER_BASIC_AUTH"] == "admin:p"


def test_celery_scheduler_cap_covers_more_than_one_worker(tmp_path: Path) -> None:
    def celery(parallelism: int) -> dict[str, str]:
        config = _config(
            tmp_path,
            stack=Stack.CELERY,
            metadata_db_url="postgresql://u@db/meta",
            broker_url="redis://cache:6379/0",
            parallelism=parallelism,
        )
        return airflow_environment(config, SECRETS)

    env = celery(16)
    assert (env["AIRFLOW__CELERY__WORKER_CONCURRENCY"], env["AIRFLOW__CORE__PARALLELISM"]) == (
        "16",
        "32",
    )
    env = celery(48)
    assert (env["AIRFLOW__CELERY__WORKER_CONCURRENCY"], env["AIRFLOW__CORE__PARALLELISM"]) == (
        "48",
        "48",
    )


def test_both_profiles_detect_lost_tasks_within_a_minute(tmp_path: Path) -> None:
    env = airflow_environment(_config(tmp_path, profile=Profile.TEST), SECRETS)
    assert int(env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"]) <= 60
    assert int(env["AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT"]) <= 120
    default = airflow_environment(_config(tmp_path), SECRETS)
    # The default drills (tests/drills) recover a killed worker's task within 2 minutes.
    assert default["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"] == "60"
    assert default["AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL"] == "5"


def test_a_lost_celery_message_is_requeued_within_minutes_not_failed_sooner(
    tmp_path: Path,
) -> None:
    for profile in Profile:
        env = airflow_environment(_config(tmp_path, profile=profile), SECRETS)
        scheduler = {k.split("__")[-1]: float(v) for k, v in env.items() if "__SCHEDULER__" in k}
        # Adopted from a dead scheduler, then requeued: well inside the drills' wait.
        lost_task_wait = (
            scheduler["ORPHANED_TASKS_CHECK_INTERVAL"]
            + scheduler["TASK_QUEUED_TIMEOUT"]
            + scheduler["TASK_QUEUED_TIMEOUT_CHECK_INTERVAL"]
        )
        assert lost_task_wait <= 200, (profile, scheduler)
        # A task that no worker takes still fails only after stock's 3 x 600 s.
        give_up = scheduler["TASK_QUEUED_TIMEOUT"] * (scheduler["NUM_STUCK_IN_QUEUED_RETRIES"] + 1)
        assert give_up == 1800, (profile, scheduler)


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"metadata_db_url": ""}, "HANGAR_POSTGRES_URL"),
        ({"parallelism": 0}, "HANGAR_PARALLELISM"),
        ({"api_port": 70000}, "HANGAR_API_PORT"),
        ({"stack": Stack.CELERY}, "HANGAR_REDIS_URL"),
    ],
)
def test_invalid_configuration_names_the_setting(
    tmp_path: Path, overrides: dict[str, object], setting: str
) -> None:
    with pytest.raises(ConfigurationError, match=setting):
        airflow_environment(_config(tmp_path, **overrides), SECRETS)


def test_secrets_are_masked_for_display(tmp_path: Path) -> None:
    shown = describe(airflow_environment(_config(tmp_path), SECRETS))
    assert shown["AIRFLOW__CORE__FERNET_KEY"] == "***"
    assert shown["AIRFLOW__API_AUTH__JWT_SECRET"] == "***"
    assert shown["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "***"
    assert shown["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"


def test_sqlalchemy_url_rejects_other_databases() -> None:
    assert sqlalchemy_url("postgres://h/db") == "postgresql+psycopg2://h/db"
    with pytest.raises(ConfigurationError):
        sqlalchemy_url("mysql://h/db")


def test_fab_auth_manager_declares_hangars_roles_and_no_password_file(tmp_path: Path) -> None:
    env = airflow_environment(
        _config(
            tmp_path, stack=Stack.CELERY, auth_manager="fab", broker_url="redis://127.0.0.1:6379/0"
        ),
        SECRETS,
    )
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("FabAuthManager")
    assert env["AIRFLOW__FAB__CONFIG_FILE"] == str(tmp_path / "airflow" / "webserver_config.py")
    assert not any(key.startswith("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER") for key in env)
    roles = json.loads(env["AIRFLOW__FAB__CUSTOM_ROLES"])
    maintenance = {(g["action"], g["resource"]) for g in roles["Maintenance"]}
    assert ("can_edit", "DAG Runs") in maintenance  # clears runs
    assert ("can_create", "DAG Runs") not in maintenance  # cannot trigger
    assert not {r for _, r in maintenance} & {"Connections", "Variables", "Pools"}
    provisioner = {(g["action"], g["resource"]) for g in roles["Provisioner"]}
    assert {r for _, r in provisioner} == {"Connections", "Pools", "Variables", "Website"}


def test_hangars_roles_name_only_permissions_fab_knows() -> None:
    from airflow.providers.fab.www.security import permissions

    known = {
        value
        for name, value in vars(permissions).items()
        if name.startswith(("ACTION_", "RESOURCE_")) and isinstance(value, str)
    }
    named = {value for grants in PLATFORM_ROLES.values() for g in grants for value in g.values()}
    assert named - known == set()
    assert set(PLATFORM_USERS.values()) - set(PLATFORM_ROLES) == {"Admin"}  # FAB's own


def test_simple_auth_manager_lists_the_platform_logins(tmp_path: Path) -> None:
    secrets = PlatformSecrets(
        fernet_key="f",
        jwt_secret="j",
        api_secret_key="a",
        admin_password="p",
        maintenance_password="m",
        provisioner_password="v",
    )
    env = airflow_environment(_config(tmp_path), secrets)
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == (
        "admin:admin,maintenance:op,provisioner:op"
    )


def test_remote_task_logs_go_through_the_object_storage_connection(tmp_path: Path) -> None:
    env = airflow_environment(_config(tmp_path, remote_log_url="s3://logs/task-logs"), SECRETS)
    assert env["AIRFLOW__LOGGING__REMOTE_LOGGING"] == "True"
    assert env["AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER"] == "s3://logs/task-logs"
    assert env["AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID"] == "object_storage"
    off = airflow_environment(_config(tmp_path), SECRETS)
    assert "AIRFLOW__LOGGING__REMOTE_LOGGING" not in off


def test_metrics_send_statsd_to_the_local_collectd(tmp_path: Path) -> None:
    env = airflow_environment(
        _config(tmp_path, statsd_port=8125, prometheus_url="http://127.0.0.1:9090"), SECRETS
    )
    assert env["AIRFLOW__METRICS__STATSD_ON"] == "True"
    assert (env["AIRFLOW__METRICS__STATSD_HOST"], env["AIRFLOW__METRICS__STATSD_PORT"]) == (
        "127.0.0.1",
        "8125",
    )
    assert "AIRFLOW__METRICS__STATSD_ON" not in airflow_environment(_config(tmp_path), SECRETS)
    # The Compose stack's components send to its `statsd` service.
    compose = airflow_environment(
        _config(tmp_path, statsd_host="statsd", statsd_port=8125), SECRETS
    )
    assert compose["AIRFLOW__METRICS__STATSD_HOST"] == "statsd"


def test_with_a_bundle_store_every_component_also_loads_the_previews_bundle(
    tmp_path: Path,
) -> None:
    def bundles(**changes: object) -> list[dict]:
        env = airflow_environment(_config(tmp_path, **changes), SECRETS)
        return list(json.loads(env["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"]))

    assert [b["name"] for b in bundles()] == ["hangar"]  # no store: no previews
    # DAGs from the checkout, previews from the (embedded) store: ./hangar deploy --preview.
    served, previews = bundles(previews_store_url="s3://hangar-bundles/hangar")
    assert served["classpath"].endswith("LocalDagBundle")
    assert previews["name"] == "hangar-previews"
    assert previews["classpath"] == "hangar_plugins.bundles.previews_bundle.PreviewsDagBundle"
    assert previews["kwargs"]["store_url"] == "s3://hangar-bundles/hangar"
    assert previews["kwargs"]["conn_id"] == "object_storage"
    # Its poll is the deployed bundle's slow one: a preview deploy asks for a refresh itself.
    assert previews["kwargs"]["refresh_interval"] == 60
    _, local = bundles(previews_store_url="file:///srv/bundles")
    assert local["kwargs"]["conn_id"] is None
