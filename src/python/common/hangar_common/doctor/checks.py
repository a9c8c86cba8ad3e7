"""The individual doctor checks. Each returns a :class:`CheckResult` and never raises."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hangar_common.doctor.result import CheckResult
from hangar_common.redaction import redact_url
from hangar_common.settings import process_environ

REQUIRED_PYTHON = (3, 11)
REQUIRED_AIRFLOW = "3.3.2"
CONNECT_TIMEOUT_S = 3


def check_python(version_info: tuple[int, ...] | None = None) -> CheckResult:
    if version_info is None:
        version_info = (sys.version_info.major, sys.version_info.minor, sys.version_info.micro)
    found = ".".join(str(part) for part in version_info[:3])
    ok = tuple(version_info[:2]) == REQUIRED_PYTHON
    return CheckResult(
        name="python",
        ok=ok,
        detail=f"CPython {found} at {sys.executable}",
        fix="" if ok else "run Hangar with CPython 3.11 (./hangar uses the project's 3.11 venv)",
    )


def check_airflow(python: str = sys.executable) -> CheckResult:
    """Import Airflow in a child process, so a broken install cannot break the doctor itself."""
    fix = (
        "run through ./hangar, whose runtime venv has Airflow; "
        "if that fails too, rebuild it: rm .hangar/venv && ./hangar doctor"
    )
    with tempfile.TemporaryDirectory(prefix="hangar-doctor-") as airflow_home:
        # A throwaway AIRFLOW_HOME (importing airflow writes airflow.cfg into it), and this
        # process's import path, so the child sees the same packages (venv, PEX or sandbox).
        env = {
            **process_environ(),
            "AIRFLOW_HOME": airflow_home,
            "PYTHONPATH": os.pathsep.join(os.path.abspath(entry) for entry in sys.path if entry),
        }
        try:
            proc = subprocess.run(
                [python, "-c", "import airflow, sys; sys.stdout.write(airflow.__version__)"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return CheckResult(name="airflow", ok=False, detail=f"import failed: {exc}", fix=fix)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return CheckResult(name="airflow", ok=False, detail=f"import failed: {last}", fix=fix)
    version = proc.stdout.strip()
    if version != REQUIRED_AIRFLOW:
        return CheckResult(
            name="airflow",
            ok=False,
            detail=f"apache-airflow {version} found, {REQUIRED_AIRFLOW} required",
            fix=fix,
        )
    return CheckResult(name="airflow", ok=True, detail=f"apache-airflow {version} importable")


def check_postgres(url: str) -> CheckResult:
    shown = redact_url(url)
    fix = f"start PostgreSQL at {shown} or point HANGAR_POSTGRES_URL (environment or .env) at one"
    try:
        import psycopg
    except ImportError as exc:
        return CheckResult(name="postgresql", ok=False, detail=f"psycopg missing: {exc}", fix=fix)
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            version = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return CheckResult(name="postgresql", ok=False, detail=f"{shown}: {reason}", fix=fix)
    server = version[0] if version else "?"
    return CheckResult(name="postgresql", ok=True, detail=f"{shown} (server {server})")


def check_redis(url: str) -> CheckResult:
    shown = redact_url(url)
    fix = f"start Redis at {shown} or point HANGAR_REDIS_URL (environment or .env) at one"
    try:
        import redis
    except ImportError as exc:
        return CheckResult(name="redis", ok=False, detail=f"redis-py missing: {exc}", fix=fix)
    client = redis.Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=CONNECT_TIMEOUT_S
    )
    try:
        client.ping()
        server = client.info("server").get("redis_version", "?")
    except redis.RedisError as exc:
        return CheckResult(name="redis", ok=False, detail=f"{shown}: {exc}", fix=fix)
    finally:
        client.close()
    return CheckResult(name="redis", ok=True, detail=f"{shown} (server {server})")


def check_pants(project_root: Path) -> CheckResult:
    """Make sure ./pants is bootstrapped (a no-op taking milliseconds once it is)."""
    launcher = project_root / "pants"
    fix = "run ./pants --version once and follow its message"
    if not os.access(launcher, os.X_OK):
        return CheckResult(name="pants", ok=False, detail=f"{launcher} not executable", fix=fix)
    env = {**process_environ(), "PANTS_BOOTSTRAP_ONLY": "1"}
    try:
        proc = subprocess.run(
            [str(launcher)], env=env, capture_output=True, text=True, timeout=600, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CheckResult(name="pants", ok=False, detail=f"bootstrap failed: {exc}", fix=fix)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return CheckResult(name="pants", ok=False, detail=last, fix=fix)
    return CheckResult(name="pants", ok=True, detail=proc.stdout.strip() or "bootstrapped")


# What pip reads besides its command line, in its own order (pip/_internal/configuration.py):
# global files (XDG_CONFIG_DIRS, default /etc/xdg, then /etc), user files, PIP_CONFIG_FILE.
_PIP_SETTINGS_THAT_CHANGE_RESOLUTION = (
    "constraint",
    "index-url",
    "extra-index-url",
    "find-links",
    "no-index",
    "only-binary",
    "no-binary",
)


def pip_config_files(environ: dict[str, str], home: Path, etc: Path = Path("/etc")) -> list[Path]:
    """The pip configuration files of this machine and user that exist, in pip's order."""
    xdg_dirs = environ.get("XDG_CONFIG_DIRS") or str(etc / "xdg")
    candidates = [Path(entry) / "pip" / "pip.conf" for entry in xdg_dirs.split(os.pathsep) if entry]
    candidates.append(etc / "pip.conf")
    xdg_home = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    candidates += [home / ".pip" / "pip.conf", xdg_home / "pip" / "pip.conf"]
    if environ.get("PIP_CONFIG_FILE") and environ["PIP_CONFIG_FILE"] != os.devnull:
        candidates.append(Path(environ["PIP_CONFIG_FILE"]))
    return [path for path in dict.fromkeys(candidates) if path.is_file()]


def check_pip_config(
    environ: dict[str, str] | None = None, home: Path | None = None, etc: Path = Path("/etc")
) -> CheckResult:
    """Name the machine's pip configuration and say that Hangar's installs ignore it."""
    import configparser

    environ = dict(process_environ()) if environ is None else environ
    home = Path(environ.get("HOME") or Path.home()) if home is None else home
    found: list[str] = []
    for path in pip_config_files(environ, home, etc):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            found.append(f"{path} (unreadable)")
            continue
        keys = sorted(
            {
                key
                for section in parser.sections()
                for key in parser[section]
                if key in _PIP_SETTINGS_THAT_CHANGE_RESOLUTION
            }
        )
        found.append(f"{path} ({', '.join(keys)})" if keys else str(path))
    variables = sorted(
        name
        for name in environ
        if name.startswith("PIP_")
        and name.removeprefix("PIP_").lower().replace("_", "-")
        in _PIP_SETTINGS_THAT_CHANGE_RESOLUTION
    )
    found += [f"${name}" for name in variables]
    if not found:
        return CheckResult(
            name="pip-config", ok=True, detail="no machine or user pip configuration"
        )
    return CheckResult(
        name="pip-config",
        ok=True,
        detail=(
            f"found {'; '.join(found)}: Hangar ignores it (Pants' pex/pip runs and ./hangar's "
            "venv install read no pip configuration; a mirror is PIP_INDEX_URL, see README)"
        ),
    )


def check_disk(path: Path, min_free_gb: float) -> CheckResult:
    free_gb = shutil.disk_usage(path).free / 1024**3
    ok = free_gb >= min_free_gb
    return CheckResult(
        name="disk",
        ok=ok,
        detail=f"{free_gb:.1f} GiB free at {path} (need {min_free_gb:g} GiB)",
        fix="" if ok else "free disk space (Pants caches live in ~/.cache/pants)",
    )
