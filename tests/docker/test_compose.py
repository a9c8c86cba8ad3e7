"""The Compose files: valid against the Compose specification, and configured by the same
settings module as the native stacks (no Docker engine runs on CI machines, so statically)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from hangar_common.platform.airflow_config import Stack
from hangar_common.platform.entrypoint import process_environment
from hangar_common.platform.metrics import (
    COMPOSE_CONFIG_DIR,
    COMPOSE_FLOWER_PASSWORD_FILE,
    COMPOSE_PORTS,
    COMPOSE_STATSD_PORT,
)
from hangar_common.platform.stack import StackManager
from tests.support.paths import repo_root
from tests.support.tools import find_packaged_binary

COMPOSE_FILES = (
    "compose.yaml",
    "compose.test.yaml",
    "compose.scale-out.yaml",
    "compose.metrics.yaml",
)
AIRFLOW_SERVICES = (
    "init",
    "api-server",
    "scheduler",
    "dag-processor",
    "triggerer",
    "worker",
    "flower",
)
SECRETS = {
    "HANGAR_FERNET_KEY": "fernet-key-for-the-test",
    "HANGAR_JWT_SECRET": "jwt-secret-for-the-test",
    "HANGAR_API_SECRET_KEY": "api-secret-for-the-test",
    "HANGAR_ADMIN_PASSWORD": "admin-password-for-the-test",
    "HANGAR_MAINTENANCE_PASSWORD": "maintenance-password-for-the-test",
    "HANGAR_PROVISIONER_PASSWORD": "provisioner-password-for-the-test",
    "HANGAR_S3_ACCESS_KEY": "s3-access-key-for-the-test",
    "HANGAR_S3_SECRET_KEY": "s3-secret-key-for-the-test",
}
# Settings that say *where* things are: they differ between a laptop and containers by nature.
LOCATION_SETTINGS = {
    "AIRFLOW_HOME",
    "AIRFLOW__FAB__CONFIG_FILE",
    "AIRFLOW__API__BASE_URL",
    "AIRFLOW__API__HOST",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__FLOWER_HOST",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__CORE__PLUGINS_FOLDER",
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
    "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST",
    "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__LOGGING__BASE_LOG_FOLDER",
}


def _docker_dir() -> Path:
    return repo_root() / "docker"


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(find_packaged_binary("check-jsonschema")),
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_compose_file_matches_the_compose_specification(name: str) -> None:
    proc = _check_jsonschema(_docker_dir() / name)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_check_rejects_an_invalid_compose_file(tmp_path: Path) -> None:
    bad = tmp_path / "compose.yaml"
    bad.write_text("services:\n  x:\n    image: a\n    restart: sometimes\n    portz: [1]\n")
    assert _check_jsonschema(bad).returncode != 0


def _services(name: str = "compose.yaml") -> dict[str, Any]:
    document = yaml.safe_load((_docker_dir() / name).read_text(encoding="utf-8"))
    services: dict[str, Any] = document["services"]
    return services


def test_no_airflow_setting_is_set_outside_the_settings_module() -> None:
    for name in (*COMPOSE_FILES, "Dockerfile"):
        lines = (_docker_dir() / name).read_text(encoding="utf-8").splitlines()
        code = [line for line in lines if not line.lstrip().startswith("#")]
        assert not [line for line in code if "AIRFLOW__" in line], name


def test_ha_topology_with_health_checks_and_a_scalable_worker() -> None:
    services = _services()
    assert set(AIRFLOW_SERVICES) | {"postgres", "redis", "object-store", "sales-source"} == set(
        services
    )
    for name, service in services.items():
        if name != "init":
            assert "healthcheck" in service, name
            assert service["restart"] == "unless-stopped", name
    # As many schedulers as the native Celery stack runs, by the same setting (default 1).
    assert services["scheduler"]["deploy"] == {
        "mode": "replicated",
        "replicas": "${HANGAR_SCHEDULERS:-1}",
    }
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker  # --scale worker=N works
    # `mode: replicated` too: podman-compose only honours replicas with it.
    assert worker["deploy"] == {"mode": "replicated", "replicas": "${HANGAR_WORKERS:-2}"}


def test_images_come_from_variables_defaulting_to_the_registries() -> None:
    services = _services()
    assert services["postgres"]["image"] == "${HANGAR_POSTGRES_IMAGE:-postgres:16}"
    assert services["redis"]["image"] == "${HANGAR_REDIS_IMAGE:-redis:7}"
    for name in (*AIRFLOW_SERVICES, "object-store", "sales-source"):
        assert services[name]["image"] == "${HANGAR_IMAGE:-hangar/platform:latest}", name


def test_published_ports_bind_to_loopback_by_default() -> None:
    for name, service in _services().items():
        for port in service.get("ports", []):
            assert port.startswith("${HANGAR_PUBLISH_HOST:-127.0.0.1}:"), name


def test_no_default_secrets() -> None:
    env = _services()["scheduler"]["environment"]
    for name in SECRETS:
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]+\}}", env[name]), f"{name} has a default"
    assert ":?" in _services()["postgres"]["environment"]["POSTGRES_PASSWORD"]


def _interpolate(value: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, operator, rest = match.group(1), match.group(2), match.group(3)
        if name in variables:
            return variables[name]
        if operator == ":-":
            return rest
        raise KeyError(f"{name} is required by the compose file")

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", replace, value)


def _image_env() -> dict[str, str]:
    """The ENV the Dockerfile bakes into the image."""
    text = (_docker_dir() / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line[4:].split())  # type: ignore[misc]
    return env


@pytest.mark.parametrize("service", ["scheduler", "worker", "api-server", "dag-processor"])
def test_compose_and_native_celery_stacks_get_the_same_airflow_settings(
    service: str, tmp_path: Path
) -> None:
    variables = {
        **SECRETS,
        "HANGAR_POSTGRES_PASSWORD": "pg-password",
        "HANGAR_BUNDLE_STORE_URL": "s3://hangar-bundles/prod",
    }
    compose_env = {
        **_image_env(),
        **{
            key: _interpolate(str(value), variables)
            for key, value in _services()[service]["environment"].items()
        },
    }
    in_container = process_environment(compose_env, Path(compose_env["HANGAR_HOME"]))

    native_env = {
        **SECRETS,
        "HANGAR_STATE_DIR": str(tmp_path / "state"),
        "HANGAR_POSTGRES_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
        "HANGAR_REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    manager = StackManager(repo_root(), native_env)
    native = process_environment(manager._process_env(Stack.CELERY), repo_root())

    def airflow(env: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in env.items() if k.startswith("AIRFLOW")}

    assert airflow(in_container).keys() == airflow(native).keys()
    same = {k: v for k, v in airflow(native).items() if k not in LOCATION_SETTINGS}
    assert {k: airflow(in_container)[k] for k in same} == same
    assert same["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert len(same) >= 15
    # Location settings point at the containers' services, not at the laptop.
    assert "@postgres:5432/hangar_airflow" in in_container["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert in_container["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
    assert in_container["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        "http://api-server:8080/execution/"
    )


def test_airflow_health_checks_go_through_the_entrypoint() -> None:
    """A health check runs its command directly: without the entrypoint, `airflow jobs check`
    reads an empty SQLite database (no HANGAR_* -> AIRFLOW__* translation) and says unhealthy."""
    services = _services()
    for name in ("scheduler", "dag-processor", "triggerer", "worker"):
        test = services[name]["healthcheck"]["test"]
        command = " ".join(test[1:])
        assert "python -m hangar_common.platform.entrypoint" in command, (name, test)
        assert command.split("entrypoint ", 1)[1].startswith(("airflow jobs check", "celery ")), (
            name,
            test,
        )


def test_with_the_metrics_file_every_airflow_service_sends_statsd_to_collectd() -> None:
    metrics = _services("compose.metrics.yaml")
    assert {"statsd", "prometheus", "postgres-exporter", "redis-exporter"} <= set(metrics)
    variables = {**SECRETS, "HANGAR_POSTGRES_PASSWORD": "pg-password"}
    for service in AIRFLOW_SERVICES:
        compose_env = {
            **_image_env(),
            **{
                key: _interpolate(str(value), variables)
                for key, value in {
                    **_services()[service]["environment"],
                    **metrics[service]["environment"],
                }.items()
            },
        }
        in_container = process_environment(compose_env, Path(compose_env["HANGAR_HOME"]))
        assert (
            in_container["AIRFLOW__METRICS__STATSD_HOST"],
            in_container["AIRFLOW__METRICS__STATSD_PORT"],
        ) == ("statsd", "8125"), service
    for name in ("statsd", "prometheus", "postgres-exporter", "redis-exporter"):
        assert metrics[name]["image"] == "${HANGAR_METRICS_IMAGE:-hangar/metrics:latest}"
        assert "healthcheck" in metrics[name] and metrics[name]["restart"] == "unless-stopped"
    assert metrics["prometheus"]["ports"] == [
        "${HANGAR_PUBLISH_HOST:-127.0.0.1}:${HANGAR_PROMETHEUS_PORT:-9090}:9090"
    ]
    # The exporter's password comes from the environment, never from its command line.
    exporter = metrics["postgres-exporter"]
    assert "HANGAR_POSTGRES_PASSWORD" in exporter["environment"]["DATA_SOURCE_NAME"]
    assert not any("PASSWORD" in part for part in exporter["command"])


def test_the_metrics_services_listen_where_the_generated_prometheus_config_scrapes() -> None:
    """compose.metrics.yaml repeats the ports and paths docker/metrics' generated files use
    (hangar_common.platform.metrics): an edit of one side alone fails here."""
    metrics = _services("compose.metrics.yaml")
    for name in ("statsd", "postgres-exporter", "redis-exporter"):
        health = " ".join(metrics[name]["healthcheck"]["test"])
        assert f"http://localhost:{COMPOSE_PORTS[name]}/metrics" in health, name
    for name in ("postgres-exporter", "redis-exporter"):
        assert any(
            part.endswith(f"listen-address=:{COMPOSE_PORTS[name]}")
            for part in metrics[name]["command"]
        ), name
    assert metrics["worker"]["environment"]["HANGAR_STATSD_PORT"] == str(COMPOSE_STATSD_PORT)
    config_dir = COMPOSE_CONFIG_DIR.as_posix()
    assert f"{config_dir}/collectd.conf" in metrics["statsd"]["command"]
    assert f"--config.file={config_dir}/prometheus.yml" in metrics["prometheus"]["command"]
    entrypoint = (_docker_dir() / "metrics" / "prometheus-entrypoint.sh").read_text()
    assert f"> {COMPOSE_FLOWER_PASSWORD_FILE.as_posix()}\n" in entrypoint
