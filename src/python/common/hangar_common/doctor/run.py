"""Run every doctor check against one project checkout."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from hangar_common.doctor import checks
from hangar_common.doctor.dag_policy import dag_policy_results
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


def run_checks(
    project_root: Path, env: HangarSettings, environ: Mapping[str, str] | None = None
) -> list[CheckResult]:
    """Every check; with ``environ`` (the merged environment), also the running platform's DAGs
    that break the rules in warn mode (:mod:`hangar_common.doctor.dag_policy`)."""
    from hangar_common.platform import throwaway

    machine = [
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
    if environ is None:
        return machine
    return machine + dag_policy_results(project_root, env, environ)
