"""Run a stack's processes under supervisord: restarted when they crash, logs rotated.

supervisord inherits the environment of ``./hangar up`` (the ``HANGAR_*`` settings, URLs and
secrets), so nothing secret is written into its config file; each program adds only what differs.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import xmlrpc.client
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from supervisor.xmlrpc import Faults, SupervisorTransport

from hangar_common.platform.config import StatePaths
from hangar_common.platform.processes import API_SERVER_PROGRAM, Program

LOG_MAX_BYTES = "20MB"
STOP_WAIT_S = 30  # supervisord's stopwaitsecs: SIGKILL after this
# Program states from which supervisord still has something to stop.
_ALIVE = frozenset({"STARTING", "RUNNING", "BACKOFF", "STOPPING"})
LOG_BACKUPS = 5


def _escape(value: str) -> str:
    return value.replace("%", "%%")


def _env_line(environment: Mapping[str, str]) -> str:
    return ",".join(
        f'{key}="{_escape(value)}"'.replace("\n", " ") for key, value in sorted(environment.items())
    )


def render_config(paths: StatePaths, programs: Sequence[Program], *, stack_id: str) -> str:
    """supervisord.conf for ``programs``: a UNIX control socket, rotation, group kill."""
    socket = paths.run / "supervisor.sock"
    lines = [
        "[unix_http_server]",
        f"file={socket}",
        "chmod=0700",
        "",
        "[supervisord]",
        f"logfile={paths.logs / 'supervisord.log'}",
        f"logfile_maxbytes={LOG_MAX_BYTES}",
        f"logfile_backups={LOG_BACKUPS}",
        f"pidfile={paths.run / 'supervisord.pid'}",
        f"childlogdir={paths.logs}",
        f"directory={paths.root}",
        "loglevel=info",
        f'environment=HANGAR_STACK_ID="{stack_id}"',
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{socket}",
        "",
    ]
    for program in programs:
        lines += [
            f"[program:{program.name}]",
            "command=" + " ".join(shlex.quote(_escape(part)) for part in program.command),
            f"autostart={'true' if program.autostart else 'false'}",
            "autorestart=true",
            f"startsecs={program.start_seconds}",
            "startretries=10",
            f"stopsignal={program.stop_signal}",
            f"stopwaitsecs={STOP_WAIT_S}",
            # Airflow components fork children: stop and kill the whole process group.
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={paths.logs / (program.name + '.log')}",
            f"stdout_logfile_maxbytes={LOG_MAX_BYTES}",
            f"stdout_logfile_backups={LOG_BACKUPS}",
        ]
        if program.user:
            lines.append(f"user={program.user}")
        if program.environment:
            lines.append(f"environment={_env_line(program.environment)}")
        lines.append("")
    return "\n".join(lines)


def stop_waves(autostarted: Mapping[str, bool]) -> list[list[str]]:
    """The order a stack stops in, given each program and whether supervisord autostarts it.

    First the API server's clients (workers, schedulers, triggerer, dag-processor, Flower),
    then the API server (a task finishing during a worker's warm shutdown still reports through
    it), then the services everything uses (object store, example source, metrics, throwaway
    databases: the programs supervisord starts itself).
    """
    services = sorted(name for name, auto in autostarted.items() if auto)
    api = [name for name in autostarted if name == API_SERVER_PROGRAM and name not in services]
    clients = sorted(set(autostarted) - set(services) - set(api))
    return [wave for wave in (clients, api, services) if wave]


@dataclass(frozen=True, kw_only=True)
class ProgramStatus:
    name: str
    state: str
    pid: int
    description: str


class Supervisor:
    """Control of one stack's supervisord through its UNIX socket."""

    def __init__(self, paths: StatePaths) -> None:
        self.paths = paths
        self.config_file = paths.run / "supervisord.conf"
        self.socket = paths.run / "supervisor.sock"
        self.pid_file = paths.run / "supervisord.pid"

    def _rpc(self) -> Any:
        transport = SupervisorTransport(None, None, f"unix://{self.socket}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor

    def pid(self) -> int | None:
        """supervisord's PID when it is alive, else None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid

    def is_running(self) -> bool:
        if self.pid() is None or not self.socket.exists():
            return False
        try:
            return bool(self._rpc().getState()["statename"] == "RUNNING")
        except (OSError, xmlrpc.client.Error):
            return False

    def start(self, config_text: str, environment: Mapping[str, str]) -> None:
        """Write the config and start supervisord (it daemonises and returns)."""
        self.paths.run.mkdir(parents=True, exist_ok=True)
        self.paths.logs.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(config_text, encoding="utf-8")
        self.config_file.chmod(0o600)
        subprocess.run(
            [sys.executable, "-m", "supervisor.supervisord", "-c", str(self.config_file)],
            env=dict(environment),
            check=True,
            timeout=60,
        )
        deadline = time.monotonic() + 30
        while not self.is_running():
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"supervisord did not start: see {self.paths.logs / 'supervisord.log'}"
                )
            time.sleep(0.2)

    def status(self) -> list[ProgramStatus]:
        infos = cast(list[dict[str, Any]], self._rpc().getAllProcessInfo())
        return [
            ProgramStatus(
                name=info["name"],
                state=info["statename"],
                pid=int(info["pid"]),
                description=info["description"],
            )
            for info in infos
        ]

    def start_programs(self, names: Sequence[str]) -> None:
        """Start programs configured without autostart, all at once (callers wait for health)."""
        rpc = self._rpc()
        for name in names:
            rpc.startProcess(name, False)

    def autostarted(self) -> dict[str, bool]:
        """Each configured program and whether supervisord starts it itself (the services)."""
        infos = cast(list[dict[str, Any]], self._rpc().getAllConfigInfo())
        return {info["name"]: bool(info["autostart"]) for info in infos}

    def stop_at_once(self, names: Sequence[str]) -> None:
        """Stop programs (their whole process groups) in parallel; wait until none is alive.

        supervisord's own shutdown stops one program after another, so a stack's stop time
        was the sum of its programs': ``./hangar down`` of the Celery stack took 39 s, 25 s in
        waves (15 s of it SeaweedFS's filer, which waits out its own gRPC streams).
        """
        rpc = self._rpc()
        for name in names:
            try:
                rpc.stopProcess(name, False)
            except xmlrpc.client.Fault as fault:
                if fault.faultCode != Faults.NOT_RUNNING:
                    raise
        wanted = set(names)
        deadline = time.monotonic() + STOP_WAIT_S + 15  # supervisord kills at STOP_WAIT_S
        while any(
            info["name"] in wanted and info["statename"] in _ALIVE
            for info in rpc.getAllProcessInfo()
        ):
            if time.monotonic() > deadline:
                return  # the shutdown that follows kills what is left
            time.sleep(0.2)

    def shutdown(self, timeout: float = 90) -> None:
        """Stop every program (process groups included), then supervisord; wait for its exit."""
        pid = self.pid()
        if pid is None:
            return
        try:
            self._rpc().shutdown()
        except (OSError, xmlrpc.client.Error):
            os.kill(pid, 15)
        deadline = time.monotonic() + timeout
        while self.pid() is not None:
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                break
            time.sleep(0.2)
