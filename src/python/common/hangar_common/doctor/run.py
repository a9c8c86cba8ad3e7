"""Run every doctor check against one project checkout."""

from __future__ import annotations

from pathlib import Path

from hangar_common.doctor import checks
from hangar_common.doctor.result import CheckResult
from hangar_common.settings import HangarSettings


def _or_throwaway(result: CheckResult, binary: Path | str | None, what: str) -> CheckResult:
    """A server that does not answer is fine when ``up`` can start its own from ``binary``."""
    if result.ok or binary is None:
        return result
    return CheckResult(
        name=result.name,
        ok=True,
        detail=f"{result.detail}; `./hangar up` starts its own {what} from {binary}",
    )


def run_checks(project_root: Path, env: HangarSettings) -> list[CheckResult]:
    from hangar_common.platform import throwaway

    return [
        checks.check_python(),
        checks.check_airflow(),
        _or_throwaway(
            checks.check_postgres(env.postgres_url),
            throwaway.find_postgres_bin(env),
            "PostgreSQL",
        ),
        _or_throwaway(
            checks.check_redis(env.redis_url),
            throwaway.find_redis_server(env),
            "Redis (celery stack only)",
        ),
        checks.check_pants(project_root),
        checks.check_pip_config(),
        checks.check_disk(project_root, env.min_free_disk_gb),
    ]
