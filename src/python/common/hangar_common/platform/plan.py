"""What ``./hangar up`` will run, decided before anything starts: the stack as a plan.

:func:`plan_stack` is a function of the settings, the secrets file's values and two probes
("does this PostgreSQL / Redis answer?"): it returns every program to supervise (name, command,
environment), the environment they all inherit and the parts the stack provides. It starts
nothing; :class:`hangar_common.platform.stack.StackManager` hands the plan to supervisord.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hangar_common.platform.airflow_config import PlatformConfig, validate
from hangar_common.platform.config import StatePaths, load_platform_config, state_paths
from hangar_common.platform.identity import PortChooser
from hangar_common.platform.processes import Program, programs
from hangar_common.platform.secrets import MAINTENANCE_PASSWORD, PROVISIONER_PASSWORD
from hangar_common.platform.services import ServicePlan, plan_services
from hangar_common.settings import HangarSettings, Stack, env_name


@dataclass(frozen=True, kw_only=True)
class StackPlan:
    """Everything one ``up`` starts, and with which environment."""

    stack: Stack
    paths: StatePaths
    config: PlatformConfig  # the Airflow configuration every component derives
    services: ServicePlan  # the parts started beside Airflow, and their endpoints
    airflow_programs: list[Program]  # started once init has run
    environment: dict[str, str]  # what supervisord and every program inherit

    @property
    def programs(self) -> list[Program]:
        """Every supervised program: the parts first (they start with supervisord)."""
        return [*self.services.programs, *self.airflow_programs]

    @property
    def api_url(self) -> str:
        return self.config.api_url


def component_environment(
    env: Mapping[str, str], *, project_root: Path, stack: Stack, secrets: Mapping[str, str]
) -> dict[str, str]:
    """The environment supervisord and every component inherit: ``env`` plus where the checkout,
    the state and the API are, the stack, and the import path of the platform's code."""
    paths = state_paths(env, project_root)
    pythonpath = [str(project_root / "src/python/common"), str(project_root / "src/python/plugins")]
    if env.get("PYTHONPATH"):
        pythonpath.append(env["PYTHONPATH"])
    child = {
        **env,
        env_name("home"): str(project_root),
        env_name("state_dir"): str(paths.root),
        env_name("stack"): stack.value,
        "PYTHONPATH": os.pathsep.join(pythonpath),
    }
    # What config/environment.yaml's `airflow_api` connection (maintenance DAGs) needs.
    child[env_name("api_url")] = load_platform_config(child, project_root=project_root).api_url
    # ... and its `airflow_api*` connections (the maintenance DAGs' logins).
    for name in (MAINTENANCE_PASSWORD, PROVISIONER_PASSWORD):
        if not child.get(name) and secrets.get(name):
            child[name] = secrets[name]
    return child


def plan_stack(
    env: Mapping[str, str],
    *,
    project_root: Path,
    stack: Stack,
    workers: int,
    secrets: Mapping[str, str],
    postgres_answers: Callable[[str], bool],
    redis_answers: Callable[[str], bool],
    ports: PortChooser | None = None,
) -> StackPlan:
    """The plan of ``stack`` for the settings in ``env`` (validated first; starts nothing).

    ``ports``: picks the internal ports (free ones; those ``up`` recorded while still free).

    :raises ConfigurationError: naming the setting that cannot work.
    """
    given = HangarSettings.from_env(env)
    paths = state_paths(given, project_root)
    ports = ports if ports is not None else PortChooser()
    services = plan_services(
        given,
        paths,
        stack,
        secrets=secrets,
        postgres_answers=postgres_answers,
        redis_answers=redis_answers,
        ports=ports,
    )
    # Every component, and init, see the endpoints of the parts the stack starts.
    environment = component_environment(
        {**env, **services.env, **log_server_ports(given, stack, workers=workers, ports=ports)},
        project_root=project_root,
        stack=stack,
        secrets=secrets,
    )
    settings = HangarSettings.from_env(environment)  # parsed once: config and programs read it
    config = load_platform_config(settings, project_root=project_root)
    validate(config)
    return StackPlan(
        stack=stack,
        paths=paths,
        config=config,
        services=services,
        airflow_programs=programs(
            config, workers=workers, worker_log_port_base=settings.worker_log_port_base
        ),
        environment=environment,
    )


def log_server_ports(
    settings: HangarSettings, stack: Stack, *, workers: int, ports: PortChooser
) -> dict[str, str]:
    """Ports of Airflow's log servers that the settings leave unset, picked free: two stacks
    on one machine must not both take Airflow's defaults (8793 for the embedded scheduler's
    and the Celery workers', 8794 for the triggerer's)."""
    env = {}
    if settings.trigger_log_server_port is None:
        env[env_name("trigger_log_server_port")] = str(ports.port("trigger-logs"))
    if stack is Stack.CELERY:
        if settings.worker_log_port_base is None:
            base = ports.port("worker-logs", count=max(workers, 1))
            env[env_name("worker_log_port_base")] = str(base)
    elif settings.worker_log_server_port is None:
        # LocalExecutor: the scheduler serves the task logs.
        env[env_name("worker_log_server_port")] = str(ports.port("worker-logs"))
    return env
