"""Start any Airflow process with the settings of :mod:`hangar_common.platform.airflow_config`.

``python -m hangar_common.platform.entrypoint airflow scheduler`` (or ``python -m MODULE ...``)
computes the ``AIRFLOW__*`` environment from the ``HANGAR_*`` settings and the secrets, then
replaces itself with the command. Native stacks and containers both start processes this way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from hangar_common.platform.airflow_config import airflow_environment, ensure_webserver_config
from hangar_common.platform.config import load_platform_config, state_paths
from hangar_common.platform.migrations import is_migrated
from hangar_common.platform.secrets import (
    SECRET_NAMES,
    PlatformSecrets,
    load_secrets,
    write_api_passwords,
)
from hangar_common.settings import ConfigurationError, HangarSettings, process_environ


def _secrets(env: Mapping[str, str], project_root: Path) -> PlatformSecrets:
    settings = HangarSettings.from_env(env)
    secrets_file = (
        Path(settings.secrets_file)
        if settings.secrets_file
        else state_paths(settings, project_root).secrets_file
    )
    return load_secrets(env, secrets_file if secrets_file.exists() else None)


def process_environment(env: Mapping[str, str], project_root: Path) -> dict[str, str]:
    """``env`` plus the Airflow settings, without the raw ``HANGAR_*`` secrets."""
    config = load_platform_config(env, project_root=project_root)
    child = {key: value for key, value in env.items() if key not in SECRET_NAMES}
    child.update(airflow_environment(config, _secrets(env, project_root)))
    return child


def command_line(argv: Sequence[str]) -> list[str]:
    """``airflow ARGS`` and ``python ARGS`` run with this interpreter; anything else as given."""
    if not argv:
        raise ConfigurationError("usage: entrypoint airflow|python|PROGRAM [ARGS...]")
    head, *rest = argv
    if head == "airflow":
        return [sys.executable, "-m", "airflow", *rest]
    if head == "python":
        return [sys.executable, *rest]
    return list(argv)


# Long-running Airflow components: in containers they wait for `init`'s migration themselves,
# as the official Helm chart's wait-for-airflow-migrations step does, instead of relying on
# Compose's `service_completed_successfully` (Podman < 4.4 cannot start a container whose
# `--requires` chain holds an exited one).
LONG_RUNNING = (
    ("api-server",),
    ("scheduler",),
    ("dag-processor",),
    ("triggerer",),
    ("celery", "worker"),
    ("celery", "flower"),
)
MIGRATION_WAIT_SECONDS = 600


def waits_for_migrations(args: Sequence[str], env: Mapping[str, str]) -> bool:
    """True for a long-running ``airflow`` component when ``HANGAR_WAIT_FOR_MIGRATIONS`` is on."""
    if not HangarSettings.from_env(env).wait_for_migrations:
        return False
    if not args or args[0] != "airflow":
        return False
    return any(tuple(args[1 : 1 + len(name)]) == name for name in LONG_RUNNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    environ = process_environ()
    try:
        root = Path(HangarSettings.from_env(environ).home or os.getcwd())
        env = process_environment(environ, root)
        command = command_line(args)
        if args[:2] == ["airflow", "api-server"]:
            # Each container has its own file system: the API server writes its passwords
            # file itself rather than relying on `init` having run beside it.
            passwords = env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", "")
            if passwords:
                write_api_passwords(Path(passwords), _secrets(environ, root))
            config = load_platform_config(environ, project_root=root)
            if config.auth_manager == "fab":
                ensure_webserver_config(config)
    except ConfigurationError as exc:
        print(f"hangar entrypoint: error: {exc}", file=sys.stderr)
        return 2
    # Already migrated (every start but the first): known without importing Airflow.
    sql_alchemy_conn = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
    if waits_for_migrations(args, environ) and not is_migrated(sql_alchemy_conn):
        check = [sys.executable, "-m", "airflow", "db", "check-migrations"]
        waited = subprocess.run(
            [*check, "--migration-wait-timeout", str(MIGRATION_WAIT_SECONDS)], env=env, check=False
        )
        if waited.returncode != 0:
            print("hangar entrypoint: error: the metadata DB is not migrated", file=sys.stderr)
            return 1
    if args[:2] == ["airflow", "scheduler"] and env.get("AIRFLOW__HANGAR__SLACK_ALERTS") != "True":
        # Once per platform start, in the scheduler's log: alerts are off, not failing.
        print("[hangar] Slack alerts are off: HANGAR_SLACK_TOKEN is not set", file=sys.stderr)
    os.execvpe(command[0], command, env)
    return 127  # unreachable: execvpe replaces this process or raises


if __name__ == "__main__":
    sys.exit(main())
