from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from hangar_common.platform.metrics import (
    COMPOSE_FOLDER,
    compose_config_files,
    plan_metrics,
    prometheus_config,
)
from hangar_common.settings import ConfigurationError, HangarSettings, Stack
from tests.support.paths import repo_root

PROMTOOL = shutil.which("promtool", path="/usr/bin:/usr/local/bin")


def _promtool() -> str:
    # ci_scripts/install_system_packages.sh installs it (Debian's prometheus package).
    assert PROMTOOL is not None, "promtool missing: run ci_scripts/install_system_packages.sh"
    return PROMTOOL


def test_alert_rules_pass_their_promtool_tests() -> None:
    rules = repo_root() / "config/prometheus"
    done = subprocess.run(
        [_promtool(), "test", "rules", "alerts_test.yml"],
        cwd=rules,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_the_generated_prometheus_config_is_valid_and_maps_statsd_names(tmp_path: Path) -> None:
    password = tmp_path / "flower.password"
    password.write_text("pw")
    text = prometheus_config(
        rules_file=repo_root() / "config/prometheus/alerts.yml",
        collectd="127.0.0.1:9103",
        flower="127.0.0.1:5555",
        flower_password_file=password,
        postgres_exporter="127.0.0.1:9187",
        redis_exporter="127.0.0.1:9121",
        interval_s=15,
    )
    config_file = tmp_path / "prometheus.yml"
    config_file.write_text(text)
    done = subprocess.run(
        [_promtool(), "check", "config", str(config_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    config = yaml.safe_load(text)
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"airflow", "postgres", "redis", "celery"}
    assert jobs["celery"]["basic_auth"] == {"username": "admin", "password_file": str(password)}
    assert "pw" not in text  # the password stays in its own file


def test_a_missing_binary_names_the_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, path=None: None)
    with pytest.raises(ConfigurationError, match="needs prometheus: apt-get install prometheus"):
        plan_metrics(
            HangarSettings.from_env({}),
            project_root=repo_root(),
            folder=tmp_path,
            stack=Stack.CELERY,
            metadata_server_url="postgresql://postgres@127.0.0.1:5432/hangar_airflow",
            broker_url="redis://127.0.0.1:6379/0",
            admin_password="pw",
        )


def test_the_dashboard_queries_only_series_prometheus_is_given() -> None:
    import json
    import re

    dashboard = json.loads((repo_root() / "config/prometheus/dashboard.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(exprs) == len(dashboard["panels"]) >= 8
    names = {n for e in exprs for n in re.findall(r"\b([a-z_]+_[a-z_]+)(?=[{\[ )]|$)", e)}
    known_prefixes = ("airflow_", "flower_", "pg_", "redis_")
    assert {n for n in names if n.startswith(known_prefixes)} >= {
        "airflow_ti_finish_total",
        "airflow_scheduler_heartbeat_total",
        "airflow_executor_queued_tasks",
    }
    mapped = {
        "airflow_ti_finish_total",
        "airflow_scheduler_heartbeat_total",
        "airflow_executor_open_slots",
        "airflow_executor_queued_tasks",
        "airflow_dag_processing_import_errors",
    }
    assert {n for n in names if n.startswith("airflow_")} <= mapped


def test_the_compose_metrics_scrape_the_compose_services_with_the_native_relabelling() -> None:
    files = compose_config_files()
    compose = yaml.safe_load(files[COMPOSE_FOLDER / "prometheus.yml"])
    targets = {
        job["job_name"]: job["static_configs"][0]["targets"] for job in compose["scrape_configs"]
    }
    assert targets == {
        "airflow": ["statsd:9103"],
        "postgres": ["postgres-exporter:9187"],
        "redis": ["redis-exporter:9121"],
        "celery": ["flower:5555"],
    }
    native = yaml.safe_load(
        prometheus_config(
            rules_file=Path("alerts.yml"),
            collectd="127.0.0.1:1",
            flower=None,
            flower_password_file=None,
            postgres_exporter="127.0.0.1:2",
            redis_exporter=None,
            interval_s=15,
        )
    )
    relabelling = [job.get("metric_relabel_configs") for job in compose["scrape_configs"]]
    assert relabelling[0] == native["scrape_configs"][0]["metric_relabel_configs"]
    assert compose["rule_files"] == ["/etc/hangar/metrics/alerts.yml"]
    # Other containers send StatsD to collectd and scrape its page.
    collectd = files[COMPOSE_FOLDER / "collectd.conf"]
    assert collectd.count('Host "0.0.0.0"') == 2 and 'Port "8125"' in collectd
