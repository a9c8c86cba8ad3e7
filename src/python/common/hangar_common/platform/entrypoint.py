"""Start any Airflow process with the settings of :mod:`hangar_common.platform.settings`.

``python -m hangar_common.platform.entrypoint airflow scheduler`` (or ``python -m MODULE ...``)
computes the ``AIRFLOW__*`` environment from the ``HANGAR_*`` settings and the secrets, then
replaces itself with the command. Native stacks and containers both start processes this way.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from hangar_common.environment import ConfigurationError
from hangar_common.platform.config import load_platform_config, state_paths
from hangar_common.platform.secrets import SECRET_NAMES, load_secrets
from hangar_common.platform.settings import airflow_environment


def process_environment(env: Mapping[str, str], project_root: Path) -> dict[str, str]:
    """``env`` plus the Airflow settings, without the raw ``HANGAR_*`` secrets."""
    config = load_platform_config(env, project_root=project_root)
    secrets_file_setting = env.get("HANGAR_SECRETS_FILE", "").strip()
    secrets_file = (
        Path(secrets_file_setting)
        if secrets_file_setting
        else state_paths(env, project_root).secrets_file
    )
    secrets = load_secrets(env, secrets_file if secrets_file.exists() else None)
    child = {key: value for key, value in env.items() if key not in SECRET_NAMES}
    child.update(airflow_environment(config, secrets))
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


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(os.environ.get("HANGAR_HOME", os.getcwd()))
    try:
        env = process_environment(os.environ, root)
        command = command_line(args)
    except ConfigurationError as exc:
        print(f"hangar entrypoint: error: {exc}", file=sys.stderr)
        return 2
    if args[:2] == ["airflow", "scheduler"] and env.get("AIRFLOW__HANGAR__SLACK_ALERTS") != "True":
        # Once per platform start, in the scheduler's log: alerts are off, not failing.
        print("[hangar] Slack alerts are off: HANGAR_SLACK_TOKEN is not set", file=sys.stderr)
    os.execvpe(command[0], command, env)
    return 127  # unreachable: execvpe replaces this process or raises


if __name__ == "__main__":
    sys.exit(main())
