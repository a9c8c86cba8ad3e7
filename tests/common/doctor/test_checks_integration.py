"""Doctor checks against the real PostgreSQL and Redis of the machine, and the installed Airflow."""

from __future__ import annotations

from hangar_common.doctor import checks
from tests.support.services import closed_port, service_env


def test_postgres_reachable() -> None:
    result = checks.check_postgres(service_env().postgres_url)
    assert result.ok, result.detail
    assert "server" in result.detail


def test_postgres_unreachable_names_the_url_without_its_password() -> None:
    url = f"postgresql://hangar:t0psecret@127.0.0.1:{closed_port()}/postgres"
    result = checks.check_postgres(url)
    assert not result.ok
    assert "t0psecret" not in result.detail + result.fix
    assert "hangar:***@127.0.0.1" in result.detail
    assert "HANGAR_POSTGRES_URL" in result.fix


def test_redis_reachable() -> None:
    result = checks.check_redis(service_env().redis_url)
    assert result.ok, result.detail


def test_redis_unreachable() -> None:
    result = checks.check_redis(f"redis://127.0.0.1:{closed_port()}/0")
    assert not result.ok
    assert "HANGAR_REDIS_URL" in result.fix


def test_airflow_importable_at_the_pinned_version() -> None:
    result = checks.check_airflow()
    assert result.ok, result.detail
    assert checks.REQUIRED_AIRFLOW in result.detail
