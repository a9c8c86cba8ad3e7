"""Throwaway PostgreSQL and Redis servers when none runs at the given URLs.

They run as supervisor programs with their data inside the stack's state folder, on free
loopback ports. PostgreSQL comes from installed binaries (Debian's postgresql package), else from
the ``pgserver`` wheel of the lockfile (PostgreSQL 16 built for manylinux), so a machine with no
PostgreSQL at all still gets one; Redis from an installed ``redis-server``.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from hangar_common.net import free_port
from hangar_common.platform.config import StatePaths, settings_of
from hangar_common.platform.processes import Program
from hangar_common.settings import ConfigurationError, HangarSettings

# PostgreSQL refuses to run as root: as root, it runs as this user when it exists, else nobody.
POSTGRES_USER = "postgres"
FALLBACK_USER = "nobody"


def pgserver_bin() -> Path | None:
    """The bin folder of the ``pgserver`` wheel's PostgreSQL, without importing pgserver (its
    import creates lock folders and starts nothing we need)."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return folder if (folder / "postgres").is_file() else None


def find_postgres_bin(env: Mapping[str, str] | HangarSettings) -> Path | None:
    """``HANGAR_PG_BIN``, else the newest /usr/lib/postgresql/*/bin, else initdb on PATH, else
    the PostgreSQL of the ``pgserver`` wheel."""
    configured = settings_of(env).pg_bin
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
        wheel = pgserver_bin()
        if wheel:
            candidates.append(wheel)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    return None


def postgres_run_user() -> str | None:
    """The OS user PostgreSQL runs as: None (this user) unless we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(POSTGRES_USER)
        return POSTGRES_USER
    except KeyError:
        return FALLBACK_USER


def python_module(module: str) -> tuple[str, ...]:
    """The command running ``module`` with this interpreter (supervisord passes PYTHONPATH)."""
    return (sys.executable, "-m", module)


def find_redis_server(env: Mapping[str, str] | HangarSettings) -> str | None:
    configured = settings_of(env).redis_server
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("redis-server")


def _as_user(user: str | None, command: list[str]) -> list[str]:
    if user is None:
        return command
    runuser = shutil.which("runuser")
    if not runuser:
        raise ConfigurationError(f"running as root needs runuser to start PostgreSQL as {user}")
    return [runuser, "-u", user, "--", *command]


def _can_run(user: str | None, binary: Path) -> bool:
    proc = subprocess.run(
        _as_user(user, [str(binary), "--version"]), capture_output=True, check=False, timeout=30
    )
    return proc.returncode == 0


def _reachable_bin(paths: StatePaths, bin_dir: Path, user: str | None) -> Path:
    """``bin_dir``, or a copy of its installation in the state folder when ``user`` cannot run
    it (a wheel inside root's home, mode 0700, for instance). The copy is made once and keeps
    the wheel's layout: its binaries find their libraries at ``$ORIGIN/../../../<pkg>.libs``."""
    if _can_run(user, bin_dir / "postgres"):
        return bin_dir
    install = bin_dir.parent  # .../pgserver/pginstall
    package = install.parent  # .../pgserver
    libs = package.parent / f"{package.name}.libs"  # what auditwheel vendored
    copy_root = paths.root / "postgres" / "binaries"
    copied_bin = copy_root / package.name / install.name / "bin"
    if not _can_run(user, copied_bin / "postgres"):
        shutil.rmtree(copy_root, ignore_errors=True)
        shutil.copytree(install, copied_bin.parent, symlinks=True)
        if libs.is_dir():
            shutil.copytree(libs, copy_root / libs.name, symlinks=True)
        if not _can_run(user, copied_bin / "postgres"):
            raise ConfigurationError(
                f"PostgreSQL from {bin_dir} cannot run as user {user}, not even copied to "
                f"{copy_root}: set HANGAR_STATE_DIR to a folder it can traverse (chmod o+x on "
                "its parents)"
            )
    return copied_bin


def postgres(paths: StatePaths, bin_dir: Path, *, port: int | None = None) -> tuple[Program, str]:
    """Initialise (once) a PostgreSQL cluster in the state folder; its program and URL (on
    ``port``, default a free one)."""
    data = paths.root / "postgres" / "data"
    sockets = paths.root / "postgres" / "run"
    user = postgres_run_user()
    if user is not None:
        (paths.root / "postgres").mkdir(parents=True, exist_ok=True)
        reachable = subprocess.run(
            _as_user(user, ["test", "-x", str(paths.root / "postgres")]), check=False, timeout=30
        )
        if reachable.returncode != 0:
            raise ConfigurationError(
                f"PostgreSQL runs as user {user}, which cannot reach {paths.root}: "
                "set HANGAR_STATE_DIR to a folder it can traverse (chmod o+x on its parents)"
            )
        bin_dir = _reachable_bin(paths, bin_dir, user)
    if not (data / "PG_VERSION").is_file():
        data.mkdir(parents=True, exist_ok=True)
        sockets.mkdir(parents=True, exist_ok=True)
        if user is not None:
            shutil.chown(data.parent, user=user)
            for folder in (data, sockets):
                shutil.chown(folder, user=user)
            data.chmod(0o700)
        proc = subprocess.run(
            _as_user(
                user,
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                ],
            ),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if proc.returncode != 0:
            raise ConfigurationError(f"initdb failed: {proc.stderr.strip()[-500:]}")
    port = port or free_port()
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
        user=user,
        start_seconds=2,
        stop_signal="INT",
    )
    return program, f"postgresql://postgres@127.0.0.1:{port}/postgres"


def redis(paths: StatePaths, binary: str, *, port: int | None = None) -> tuple[Program, str]:
    folder = paths.root / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
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
            # Queued and reserved Celery messages survive a broker restart (the Redis drill in
            # tests/drills): without it a restart loses them until task_queued_timeout.
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
        ),
        autostart=True,
        start_seconds=1,
    )
    return program, f"redis://127.0.0.1:{port}/0"
