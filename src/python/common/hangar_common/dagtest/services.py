"""Throwaway services for a test run when no platform runs: what ``./hangar up`` would start.

:func:`~hangar_common.platform.services.plan_services` decides, as for ``up``: a configured
endpoint is used as it is, anything else is started — SeaweedFS (the lake), the example sales
source, PostgreSQL when none answers — here as plain child processes instead of supervisord
programs. The warehouse and source databases get names of their own (dropped afterwards), so a
test never writes into a stopped stack's databases. Everything started is stopped at the end.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from hangar_common.dagtest.metadata_db import (
    RUN_PREFIX,
    admin_connection,
    drop_database,
    run_mark,
    with_database,
)
from hangar_common.doctor.checks import check_postgres, check_redis
from hangar_common.platform.config import StatePaths
from hangar_common.platform.identity import PortChooser
from hangar_common.platform.processes import Program
from hangar_common.platform.secrets import EMBEDDED_S3_ACCESS_KEY, EMBEDDED_S3_SECRET_KEY
from hangar_common.platform.services import plan_services, prepare_services
from hangar_common.settings import HangarSettings, Stack, env_name, process_environ

STOP_SECONDS = 15


def _postgres_answers(url: str) -> bool:
    return check_postgres(with_database(url, "postgres")).ok


def _redis_answers(url: str) -> bool:
    return check_redis(url).ok


def own_database_names(env: Mapping[str, str]) -> dict[str, str]:
    """Warehouse and source database names of this run, for the databases not configured
    elsewhere (a configured host keeps its database)."""
    settings = HangarSettings.from_env(env)
    run = f"{RUN_PREFIX}{uuid.uuid4().hex[:8]}"
    names = {}
    if not settings.warehouse_host:
        names[env_name("warehouse_db")] = f"{run}_warehouse"
    if not settings.source_db_host:
        names[env_name("source_db")] = f"{run}_source"
    return names


def _start(program: Program, env: Mapping[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        program.command,
        env={**env, **program.environment},
        stdout=log,
        stderr=subprocess.STDOUT,
        user=program.user,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen[bytes], program: Program) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(getattr(signal, f"SIG{program.stop_signal}"))
    try:
        proc.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_SECONDS)


def _drop_databases(urls: list[str]) -> None:
    from urllib.parse import urlsplit

    for url in urls:
        with admin_connection(url) as conn:
            drop_database(conn, urlsplit(url).path.lstrip("/"))


@contextmanager
def throwaway_services(
    env: Mapping[str, str], *, folder: Path, announce: bool = False
) -> Iterator[dict[str, str]]:
    """``env`` plus the endpoints of services started for one test run; all stopped after.

    ``folder`` keeps their data and logs (a throwaway PostgreSQL's cluster stays for the next
    run, with its migrated template; the object store starts empty each time).
    """
    given = {**env, **own_database_names(env)}
    keys = {
        EMBEDDED_S3_ACCESS_KEY: "hangar-test-" + secrets.token_hex(4),
        EMBEDDED_S3_SECRET_KEY: secrets.token_urlsafe(24),
    }
    paths = StatePaths(root=folder)
    shutil.rmtree(folder / "seaweedfs", ignore_errors=True)
    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    plan = plan_services(
        given,
        paths,
        Stack.EMBEDDED,
        secrets=keys,
        postgres_answers=_postgres_answers,
        redis_answers=_redis_answers,
        ports=PortChooser(),
    )
    with ExitStack() as stack:
        for program in plan.programs:
            log = stack.enter_context((logs / f"{program.name}.log").open("ab"))
            proc = _start(program, {**process_environ(), **given, **plan.env}, log)
            stack.callback(_stop, proc, program)
            if announce:
                print(f"  started {program.name} (pid {proc.pid})")
        stack.callback(_drop_databases, plan.databases)
        created = prepare_services(
            plan,
            postgres_answers=_postgres_answers,
            redis_answers=_redis_answers,
            logs=logs,
            owner_marker=run_mark(),
        )
        if announce:
            for line in created:
                print(f"  {line}")
        yield {**given, **plan.env}
