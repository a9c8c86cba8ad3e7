"""Which processes a stack runs, as supervisor programs."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from hangar_common.platform.airflow_config import PlatformConfig
from hangar_common.settings import ConfigurationError, Stack

ENTRYPOINT = ("-m", "hangar_common.platform.entrypoint")


@dataclass(frozen=True, kw_only=True)
class Program:
    """One supervised process: a name, its command and the environment it adds."""

    name: str
    command: tuple[str, ...]
    environment: dict[str, str] = field(default_factory=dict)
    # Seconds the process must stay up to count as started (supervisor's startsecs).
    start_seconds: int = 5
    # Airflow programs wait for `init`; throwaway PostgreSQL/Redis start with supervisord.
    autostart: bool = False
    # Run as this user (supervisord drops privileges): PostgreSQL refuses to run as root.
    user: str | None = None
    # The signal that stops it cleanly (PostgreSQL: INT, its fast shutdown; TERM waits for
    # every client to leave, so a restart would end in supervisord's SIGKILL).
    stop_signal: str = "TERM"


def _airflow(name: str, *args: str, **environment: str) -> Program:
    return Program(
        name=name,
        command=(sys.executable, *ENTRYPOINT, "airflow", *args),
        environment=dict(environment),
    )


API_SERVER_PROGRAM = "api-server"  # the program tasks and clients report through
DEFAULT_WORKER_LOG_PORT = 8793  # Airflow's [logging] worker_log_server_port


def programs(
    config: PlatformConfig, *, workers: int, worker_log_port_base: int | None
) -> list[Program]:
    """The Airflow processes of ``config``'s stack, with ``workers`` Celery workers (worker N
    serves its task logs on ``worker_log_port_base`` + N - 1; None: from Airflow's 8793)."""
    core = [
        _airflow(API_SERVER_PROGRAM, "api-server"),
        _airflow("scheduler", "scheduler"),
        _airflow("dag-processor", "dag-processor"),
        _airflow("triggerer", "triggerer"),
    ]
    if config.stack is Stack.EMBEDDED:
        return core
    if workers < 1:
        raise ConfigurationError(f"--workers must be >= 1, got {workers}")
    if worker_log_port_base is None:
        worker_log_port_base = DEFAULT_WORKER_LOG_PORT
    # Extra schedulers (HA): Airflow's schedulers share the work through row locks in PostgreSQL.
    core += [
        _airflow(f"scheduler-{index}", "scheduler") for index in range(2, config.schedulers + 1)
    ]
    celery = [
        _airflow(
            f"worker-{index}",
            "celery",
            "worker",
            "--celery-hostname",
            f"worker-{index}@%h",  # celery expands %h to the host name
            HANGAR_WORKER_LOG_SERVER_PORT=str(worker_log_port_base + index - 1),
            HANGAR_WORKER_NAME=f"worker-{index}",
        )
        for index in range(1, workers + 1)
    ]
    return [*core, *celery, _airflow("flower", "celery", "flower")]
