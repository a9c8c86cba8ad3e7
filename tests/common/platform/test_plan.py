"""The stack's plan, asserted without starting a single process."""

from __future__ import annotations

import sys
from pathlib import Path

import psutil
import pytest

from hangar_common.platform.identity import PortChooser
from hangar_common.platform.plan import StackPlan, plan_stack
from hangar_common.settings import ConfigurationError, Stack

SECRETS = {
    "HANGAR_EMBEDDED_S3_ACCESS_KEY": "hangar-test",
    "HANGAR_EMBEDDED_S3_SECRET_KEY": "secret-test",
    "HANGAR_MAINTENANCE_PASSWORD": "maintenance-test",
}


def _plan(tmp_path: Path, stack: Stack, env: dict[str, str], **kwargs: object) -> StackPlan:
    options: dict[str, object] = {
        "workers": 2,
        "secrets": SECRETS,
        "postgres_answers": lambda url: True,
        "redis_answers": lambda url: True,
        **kwargs,
    }
    return plan_stack(env, project_root=tmp_path, stack=stack, **options)  # type: ignore[arg-type]


def _airflow_command(program_command: tuple[str, ...]) -> list[str]:
    assert program_command[:3] == (sys.executable, "-m", "hangar_common.platform.entrypoint")
    return list(program_command[3:])


def test_embedded_plan_runs_four_components_beside_the_parts_it_provides(tmp_path: Path) -> None:
    plan = _plan(tmp_path, Stack.EMBEDDED, {"HANGAR_POSTGRES_URL": "postgresql://pg@db:5432/x"})

    assert [p.name for p in plan.airflow_programs] == [
        "api-server",
        "scheduler",
        "dag-processor",
        "triggerer",
    ]
    commands = {p.name: _airflow_command(p.command) for p in plan.airflow_programs}
    assert commands["dag-processor"] == ["airflow", "dag-processor"]
    # PostgreSQL answers: used, not started; S3 and the sales source are started by the stack.
    assert [p.name for p in plan.services.programs] == ["object-store", "sales-source"]
    assert all(p.autostart for p in plan.services.programs)
    assert not any(p.autostart for p in plan.airflow_programs)  # after init
    assert plan.programs[:2] == plan.services.programs

    env = plan.environment
    assert env["HANGAR_STACK"] == "embedded"
    assert env["HANGAR_HOME"] == str(tmp_path)
    assert env["HANGAR_STATE_DIR"] == str(tmp_path / ".hangar")
    assert env["HANGAR_API_URL"] == "http://127.0.0.1:8080" == plan.api_url
    assert env["HANGAR_METADATA_DB_URL"] == "postgresql://pg@db:5432/hangar_airflow"
    assert env["HANGAR_S3_ENDPOINT"].startswith("http://127.0.0.1:")
    assert env["HANGAR_S3_ACCESS_KEY"] == "hangar-test"
    assert env["HANGAR_MAINTENANCE_PASSWORD"] == "maintenance-test"
    assert env["PYTHONPATH"].split(":")[:2] == [
        str(tmp_path / "src/python/common"),
        str(tmp_path / "src/python/plugins"),
    ]
    assert plan.config.parallelism == 4 and plan.config.broker_url == ""
    assert psutil.Process().children() == []  # nothing was started


def test_celery_plan_adds_workers_flower_and_a_throwaway_redis(tmp_path: Path) -> None:
    redis_server = tmp_path / "redis-server"
    redis_server.write_text("#!/bin/sh\n")
    plan = _plan(
        tmp_path,
        Stack.CELERY,
        {
            "HANGAR_REDIS_SERVER": str(redis_server),
            "HANGAR_WORKER_LOG_PORT_BASE": "9100",
            "HANGAR_EXAMPLE_SALES_URL": "http://sales.example:80",
        },
        workers=3,
        redis_answers=lambda url: False,
    )

    names = [p.name for p in plan.airflow_programs]
    assert names[4:] == ["worker-1", "worker-2", "worker-3", "flower"]
    workers = [p for p in plan.airflow_programs if p.name.startswith("worker-")]
    assert [w.environment["HANGAR_WORKER_LOG_SERVER_PORT"] for w in workers] == [
        "9100",
        "9101",
        "9102",
    ]
    assert _airflow_command(workers[0].command)[:3] == ["airflow", "celery", "worker"]
    # Redis does not answer: the plan starts one and every component gets its URL.
    assert [p.name for p in plan.services.programs] == ["redis", "object-store"]
    assert plan.services.programs[0].command[0] == str(redis_server)
    # Queued Celery messages survive a restart of the throwaway broker.
    command = plan.services.programs[0].command
    assert command[command.index("--appendonly") + 1] == "yes"
    broker = plan.environment["HANGAR_REDIS_URL"]
    assert broker.startswith("redis://127.0.0.1:") and plan.config.broker_url == broker
    assert plan.environment["HANGAR_STACK"] == "celery"
    assert plan.config.parallelism == 16
    assert psutil.Process().children() == []


def test_a_bad_setting_fails_the_plan_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="HANGAR_PARALLELISM"):
        _plan(tmp_path, Stack.EMBEDDED, {"HANGAR_PARALLELISM": "0"})
    with pytest.raises(ConfigurationError, match="--workers must be >= 1"):
        _plan(tmp_path, Stack.CELERY, {}, workers=0)


def test_log_servers_and_parts_get_ports_of_their_own_kept_from_the_last_up(
    tmp_path: Path,
) -> None:
    """Two stacks on one machine must not both take Airflow's 8793/8794 (its log servers)."""
    chooser = PortChooser()
    plan = _plan(tmp_path, Stack.EMBEDDED, {}, ports=chooser)
    assert set(chooser.chosen) == {"object-store", "sales-source", "trigger-logs", "worker-logs"}
    logs = plan.environment["HANGAR_WORKER_LOG_SERVER_PORT"]
    assert logs == str(chooser.chosen["worker-logs"]) and logs != "8793"
    airflow = plan.config
    assert airflow.worker_log_server_port == chooser.chosen["worker-logs"]
    assert airflow.trigger_log_server_port == chooser.chosen["trigger-logs"]
    assert plan.environment["HANGAR_S3_ENDPOINT"].endswith(f":{chooser.chosen['object-store'] + 3}")
    # The next `up` keeps the recorded ports while they are free.
    again = PortChooser(chooser.chosen)
    replanned = _plan(tmp_path, Stack.EMBEDDED, {}, ports=again)
    assert again.chosen == chooser.chosen
    assert replanned.environment["HANGAR_EXAMPLE_SALES_URL"] == (
        plan.environment["HANGAR_EXAMPLE_SALES_URL"]
    )
    # Celery: the workers' ports are a free range unless HANGAR_WORKER_LOG_PORT_BASE is set.
    celery = PortChooser()
    workers = _plan(tmp_path, Stack.CELERY, {}, workers=2, ports=celery).airflow_programs
    base = celery.chosen["worker-logs"]
    assert [
        p.environment["HANGAR_WORKER_LOG_SERVER_PORT"] for p in workers if p.name.startswith("w")
    ] == [str(base), str(base + 1)]
