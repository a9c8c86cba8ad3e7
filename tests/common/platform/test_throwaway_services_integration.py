"""`up --stack celery` where no PostgreSQL or Redis answers: throwaway servers, or a clear error."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hangar_common.platform import throwaway
from tests.support.fixture_dags import served
from tests.support.hangar_stack import hangar, processes_of, stack_env
from tests.support.services import closed_port

UNREACHABLE = {
    "HANGAR_POSTGRES_URL": f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres",
    "HANGAR_REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0",
}


@pytest.fixture
def reachable_state() -> Iterator[Path]:
    """A state folder PostgreSQL (which runs as user postgres under root) can traverse."""
    folder = Path(tempfile.mkdtemp(prefix="hangar-throwaway-"))
    folder.chmod(0o755)
    yield folder / "state"
    shutil.rmtree(folder, ignore_errors=True)


# The celery stack on throwaway PostgreSQL and Redis runs in tests/drills (which restarts them).


def test_no_server_and_no_binaries_is_a_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = stack_env(
        state,
        **UNREACHABLE,
        HANGAR_PG_BIN=str(tmp_path / "no-postgres"),
        HANGAR_REDIS_SERVER=str(tmp_path / "no-redis-server"),
    )
    up = hangar(env, "up", "--stack", "celery", "--timeout", "60")
    assert up.returncode == 2
    message = up.stderr.strip()
    assert message.startswith("hangar: error: PostgreSQL at postgresql://postgres@127.0.0.1:")
    assert "install Debian's postgresql package" in message
    assert processes_of(state) == []


def test_embedded_stack_on_the_pgserver_wheels_postgresql(reachable_state: Path) -> None:
    """A machine with no PostgreSQL at all: the PostgreSQL 16 of the lockfile's pgserver wheel
    (as root it runs as an unprivileged user, from a copy in the state folder if need be)."""
    wheel_bin = throwaway.pgserver_bin()
    assert wheel_bin is not None, "pgserver is part of the lockfile"
    state = reachable_state
    env = stack_env(
        state,
        **served(),  # `smoke` runs their platform_smoke_check
        HANGAR_POSTGRES_URL=UNREACHABLE["HANGAR_POSTGRES_URL"],
        HANGAR_PG_BIN=str(wheel_bin),
    )
    up = hangar(env, "up", "--timeout", "300")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        status = hangar(env, "status").stdout
        [postgres] = [line for line in status.splitlines() if line.startswith("postgres ")][-1:]
        assert "OK" in postgres and "embedded" in postgres, status
        smoke = hangar(env, "smoke", "--chunks", "2", "--timeout", "240")
        assert smoke.returncode == 0, smoke.stdout + smoke.stderr
        assert (state / "postgres" / "data" / "PG_VERSION").read_text().strip() == "16"
    finally:
        down = hangar(env, "down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert processes_of(state) == []
