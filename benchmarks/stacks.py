"""The two sides of the platform benchmark, each started and stopped by the suite itself.

Both run the same topology on the same machine, interpreter, PostgreSQL server and Redis:
API server, scheduler, dag-processor, triggerer and two Celery workers, with a metadata
database of their own and the benchmark's DAG folder.

- :class:`HangarCelery`: ``./hangar up --stack celery --workers 2`` with Hangar's **default**
  profile (what a user gets with no settings), plus what its default brings (Flower, FAB auth,
  remote task logs to its embedded object store).
- :class:`StockCelery`: ``airflow`` commands with Airflow's own defaults; only what a Celery
  stack cannot start without is set (executor, database, broker, keys, API URL), plus
  ``load_examples=False`` so neither side parses DAGs the other does not.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from hangar_common.platform.api_client import AirflowApi
from hangar_common.platform.health import wait_until_healthy
from hangar_common.platform.stack import tree_pss_bytes
from tests.support.hangar_stack import (
    ADMIN_PASSWORD,
    api_url,
    database_prefix,
    hangar,
    processes_of,
    stack_env,
)
from tests.support.ports import free_port, free_port_range
from tests.support.services import service_env

STARTUP_TIMEOUT_S = 300


class BenchmarkFailed(RuntimeError):
    """A side could not start or a run did not succeed: its figures would mean nothing."""


class Side(Protocol):
    name: str

    def start(self) -> None: ...

    def api(self) -> AirflowApi: ...

    def pss_bytes(self) -> int: ...

    def workers_used(self, api: AirflowApi, dag_id: str, run_id: str) -> set[str]: ...

    def stop(self) -> None: ...


# Programs of Hangar's stack stock Airflow has no counterpart of (left out of its memory).
NOT_IN_STOCK = frozenset({"object-store", "sales-source", "flower"})


class HangarCelery:
    """Hangar's Celery stack in its default profile, DAGs from ``dags_folder``."""

    name = "hangar"

    def __init__(
        self,
        *,
        workdir: Path,
        dags_folder: Path,
        broker_url: str,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.state = workdir / "state"
        env = stack_env(
            self.state,
            HANGAR_REDIS_URL=broker_url,
            HANGAR_DAG_BUNDLE_ROOT=str(dags_folder),
            HANGAR_DAG_SOURCE="checkout",
        )
        # stack_env gives the test profile; the benchmark measures what users get.
        for test_only in ("HANGAR_PROFILE", "HANGAR_BUNDLE_REFRESH_INTERVAL"):
            env.pop(test_only, None)
        env.update(extra_env or {})
        self.env = env

    def start(self) -> None:
        up = hangar(self.env, "up", "--stack", "celery", "--workers", "2", "--timeout", "300")
        if up.returncode != 0:
            raise BenchmarkFailed(f"hangar up failed:\n{up.stdout}\n{up.stderr}")

    def api(self) -> AirflowApi:
        return AirflowApi(api_url(self.env), "admin", ADMIN_PASSWORD)

    def pss_bytes(self) -> int:
        """The Airflow programs under supervisord, each with its whole process tree (pool
        children and API workers erase the environment marker processes_of() reads). The
        parts stock does not run (object store, example source, Flower) are left out."""
        from hangar_common.platform.config import state_paths
        from hangar_common.platform.supervisor import Supervisor

        supervisor = Supervisor(state_paths(self.env, Path(self.env["HANGAR_HOME"])))
        return sum(
            tree_pss_bytes(program.pid)
            for program in supervisor.status()
            if program.pid and program.name not in NOT_IN_STOCK
        )

    def workers_used(self, api: AirflowApi, dag_id: str, run_id: str) -> set[str]:
        # Hangar's hostname callable names the worker in each task instance.
        return {
            str(ti["hostname"]).split("@")[0]
            for ti in api.task_instances(dag_id, run_id)
            if ti.get("hostname")
        }

    def stop(self) -> None:
        hangar(self.env, "down")
        for proc in processes_of(self.state):  # nothing may outlive the round
            proc.kill()


class StockCelery:
    """Stock Airflow's Celery stack, started with ``airflow`` commands and its own defaults."""

    name = "stock"
    COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")

    def __init__(
        self,
        *,
        workdir: Path,
        dags_folder: Path,
        broker_url: str,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.home = workdir / "airflow"
        self.home.mkdir(parents=True, exist_ok=True)
        self.password = secrets.token_urlsafe(16)
        passwords = self.home / "simple_auth_manager_passwords.json"
        passwords.write_text(json.dumps({"admin": self.password}))
        server = urlsplit(service_env().postgres_url)
        self.database = f"{database_prefix()}stock_{free_port()}"
        self.admin_db_url = urlunsplit(server._replace(path="/postgres"))
        db_url = urlunsplit(server._replace(path=f"/{self.database}"))
        self.port = free_port()
        base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **_clean_environment(),
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db_url.replace(
                "postgresql://", "postgresql+psycopg2://", 1
            ),
            "AIRFLOW__CELERY__BROKER_URL": broker_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{db_url}",
            # A Fernet key: 32 random bytes, urlsafe base64.
            "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": base,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            **(extra_env or {}),
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def _log(self, *args: str) -> Path:
        return self.home / f"{'-'.join(args[:4])}.log"

    def _airflow(self, *args: str, **extra: str) -> subprocess.Popen[bytes]:
        log = self._log(*args).open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "airflow", *args],
            env={**self.env, **extra},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stop() ends each component's whole process group
        )

    def start(self) -> None:
        with psycopg.connect(self.admin_db_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        migrate = self._airflow("db", "migrate")
        if migrate.wait(timeout=STARTUP_TIMEOUT_S) != 0:
            raise BenchmarkFailed(f"airflow db migrate failed; see {self.home}")
        self.processes = [self._airflow(component) for component in self.COMPONENTS]
        log_ports = free_port_range(2)
        for index in (1, 2):
            self.processes.append(
                self._airflow(
                    *self._worker_args(index),
                    AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(log_ports + index - 1),
                )
            )
        try:
            wait_until_healthy(f"http://127.0.0.1:{self.port}", timeout=STARTUP_TIMEOUT_S)
        except TimeoutError as exc:
            self.stop()
            raise BenchmarkFailed(str(exc)) from exc

    def api(self) -> AirflowApi:
        return AirflowApi(f"http://127.0.0.1:{self.port}", "admin", self.password)

    def pss_bytes(self) -> int:
        return sum(tree_pss_bytes(process.pid) for process in self.processes)

    def workers_used(self, api: AirflowApi, dag_id: str, run_id: str) -> set[str]:
        # Stock task instances carry the machine's hostname only; Celery's own log says which
        # worker received a workload.
        return {
            f"worker-{index}"
            for index in (1, 2)
            if " received" in self._log(*self._worker_args(index)).read_text(errors="replace")
        }

    @staticmethod
    def _worker_args(index: int) -> tuple[str, ...]:
        return ("celery", "worker", "--celery-hostname", f"worker-{index}@%h")

    def stop(self) -> None:
        for process in self.processes:
            _signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(process.pid, signal.SIGKILL)
        self.processes = []
        with psycopg.connect(self.admin_db_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.database)
                )
            )


def _signal_group(pid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _clean_environment() -> dict[str, str]:
    """This process's environment without Hangar's or Airflow's settings, with its import path
    (the interpreter and packages both sides share)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HANGAR_", "AIRFLOW"))
    }
    env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(entry) for entry in sys.path if entry)
    return env


def copy_dags(target: Path) -> Path:
    """The benchmark's DAG folder: the one DAG file both sides run."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(__file__).parent / "dags" / "benchmark_dags.py", target)
    return target
