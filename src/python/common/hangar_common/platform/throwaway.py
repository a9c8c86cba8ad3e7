"""Throwaway PostgreSQL and Redis servers for a celery stack when none runs at the given URLs.

They run from binaries already installed (Debian's postgresql and redis-server packages), as
supervisor programs with their data inside the stack's state folder, on free loopback ports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from hangar_common.environment import ConfigurationError
from hangar_common.net import free_port
from hangar_common.platform.config import StatePaths
from hangar_common.platform.processes import Program

POSTGRES_USER = "postgres"


def find_postgres_bin(env: Mapping[str, str]) -> Path | None:
    """``HANGAR_PG_BIN``, else the newest /usr/lib/postgresql/*/bin, else initdb on PATH."""
    configured = env.get("HANGAR_PG_BIN", "").strip()
    candidates = [Path(configured)] if configured else []
    if not configured:
        candidates += sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
            reverse=True,
        )
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(Path(on_path).parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    return None


def find_redis_server(env: Mapping[str, str]) -> str | None:
    configured = env.get("HANGAR_REDIS_SERVER", "").strip()
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("redis-server")


def _as_postgres_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if not runuser:
        raise ConfigurationError("running as root needs runuser to start PostgreSQL as postgres")
    return [runuser, "-u", POSTGRES_USER, "--", *command]


def postgres(paths: StatePaths, bin_dir: Path) -> tuple[Program, str]:
    """Initialise (once) a PostgreSQL cluster in the state folder; its program and URL."""
    data = paths.root / "postgres" / "data"
    sockets = paths.root / "postgres" / "run"
    if not (data / "PG_VERSION").is_file():
        data.mkdir(parents=True, exist_ok=True)
        sockets.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            reachable = subprocess.run(
                _as_postgres_user(["test", "-x", str(paths.root)]), check=False, timeout=30
            )
            if reachable.returncode != 0:
                raise ConfigurationError(
                    f"PostgreSQL runs as user {POSTGRES_USER}, which cannot reach {paths.root}: "
                    "set HANGAR_STATE_DIR to a folder it can traverse (chmod o+x on its parents)"
                )
            shutil.chown(data.parent, user=POSTGRES_USER)
            for folder in (data, sockets):
                shutil.chown(folder, user=POSTGRES_USER)
            data.chmod(0o700)
        proc = subprocess.run(
            _as_postgres_user(
                [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
            ),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if proc.returncode != 0:
            raise ConfigurationError(f"initdb failed: {proc.stderr.strip()[-500:]}")
    port = free_port()
    program = Program(
        name="postgres",
        command=(
            str(bin_dir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(sockets),
            "-c",
            "listen_addresses=127.0.0.1",
        ),
        autostart=True,
        user=POSTGRES_USER if os.geteuid() == 0 else None,
        start_seconds=2,
    )
    return program, f"postgresql://postgres@127.0.0.1:{port}/postgres"


def redis(paths: StatePaths, binary: str) -> tuple[Program, str]:
    folder = paths.root / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    program = Program(
        name="redis",
        command=(
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
        ),
        autostart=True,
        start_seconds=1,
    )
    return program, f"redis://127.0.0.1:{port}/0"
