"""Run every doctor check against one project checkout."""

from __future__ import annotations

from pathlib import Path

from hangar_common.doctor import checks
from hangar_common.doctor.result import CheckResult
from hangar_common.environment import HangarEnvironment


def run_checks(project_root: Path, env: HangarEnvironment) -> list[CheckResult]:
    return [
        checks.check_python(),
        checks.check_airflow(),
        checks.check_postgres(env.postgres_url),
        checks.check_redis(env.redis_url),
        checks.check_pants(project_root),
        checks.check_disk(project_root, env.min_free_disk_gb),
    ]
