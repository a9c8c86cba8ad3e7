"""Build a :class:`PlatformConfig` from ``HANGAR_*`` settings (environment, then ``.env``).

The same variables configure a native stack and a container: only their values differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from hangar_common.environment import DEFAULT_POSTGRES_URL, DEFAULT_REDIS_URL, ConfigurationError
from hangar_common.platform.settings import (
    EMBEDDED_DEFAULT_PARALLELISM,
    PlatformConfig,
    Profile,
    Stack,
)

DEFAULT_API_PORT = 8080
DEFAULT_FLOWER_PORT = 5555
DEFAULT_METADATA_DB_NAME = "hangar_airflow"


@dataclass(frozen=True, kw_only=True)
class StatePaths:
    """Where one stack keeps its state: everything under a single git-ignored folder."""

    root: Path

    @property
    def airflow_home(self) -> Path:
        return self.root / "airflow"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def plugins(self) -> Path:
        return self.airflow_home / "plugins"

    @property
    def secrets_file(self) -> Path:
        return self.root / "secrets.env"

    @property
    def run(self) -> Path:
        """Sockets, PID files and the generated supervisord config."""
        return self.root / "run"


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not an integer") from None
    if not low <= value <= high:
        raise ConfigurationError(f"{name}={value} must be between {low} and {high}")
    return value


def _choice(
    env: Mapping[str, str], name: str, enum: type[Stack] | type[Profile], default: str
) -> str:
    raw = env.get(name, "").strip() or default
    allowed = [member.value for member in enum]
    if raw not in allowed:
        raise ConfigurationError(f"{name}={raw!r} must be one of: {', '.join(allowed)}")
    return raw


def metadata_db_url(env: Mapping[str, str]) -> str:
    """``HANGAR_METADATA_DB_URL``, else database ``hangar_airflow`` on ``HANGAR_POSTGRES_URL``."""
    explicit = env.get("HANGAR_METADATA_DB_URL", "").strip()
    if explicit:
        return explicit
    server = urlsplit(env.get("HANGAR_POSTGRES_URL", "").strip() or DEFAULT_POSTGRES_URL)
    return urlunsplit(server._replace(path=f"/{DEFAULT_METADATA_DB_NAME}"))


def state_paths(env: Mapping[str, str], project_root: Path) -> StatePaths:
    raw = env.get("HANGAR_STATE_DIR", "").strip()
    return StatePaths(root=Path(raw).resolve() if raw else project_root / ".hangar")


def load_platform_config(
    env: Mapping[str, str], *, project_root: Path, stack: str | None = None
) -> PlatformConfig:
    """The platform configuration the ``HANGAR_*`` settings in ``env`` describe."""
    paths = state_paths(env, project_root)
    chosen = Stack(stack or _choice(env, "HANGAR_STACK", Stack, Stack.EMBEDDED.value))
    default_parallelism = EMBEDDED_DEFAULT_PARALLELISM if chosen is Stack.EMBEDDED else 8
    bundle_root = env.get("HANGAR_DAG_BUNDLE_ROOT", "").strip()
    plugins = env.get("HANGAR_PLUGINS_FOLDER", "").strip()
    worker_port = env.get("HANGAR_WORKER_LOG_SERVER_PORT", "").strip()
    return PlatformConfig(
        stack=chosen,
        profile=Profile(_choice(env, "HANGAR_PROFILE", Profile, Profile.DEFAULT.value)),
        airflow_home=paths.airflow_home,
        dag_bundle_root=Path(bundle_root) if bundle_root else project_root / "src/python/dags",
        plugins_folder=Path(plugins) if plugins else paths.plugins,
        logs_folder=paths.logs,
        api_host=env.get("HANGAR_API_HOST", "").strip() or "127.0.0.1",
        api_bind=env.get("HANGAR_API_BIND", "").strip() or "127.0.0.1",
        api_port=_int(env, "HANGAR_API_PORT", DEFAULT_API_PORT, 1, 65535),
        flower_port=_int(env, "HANGAR_FLOWER_PORT", DEFAULT_FLOWER_PORT, 1, 65535),
        parallelism=_int(env, "HANGAR_PARALLELISM", default_parallelism, 1, 1024),
        metadata_db_url=metadata_db_url(env),
        broker_url=(
            (env.get("HANGAR_REDIS_URL", "").strip() or DEFAULT_REDIS_URL)
            if chosen is Stack.CELERY
            else ""
        ),
        bundle_refresh_interval_s=_int(env, "HANGAR_BUNDLE_REFRESH_INTERVAL", 30, 1, 3600),
        bundle_store_url=_served_store(env),
        bundle_store_conn_id=env.get("HANGAR_BUNDLE_STORE_CONN_ID", "").strip() or "object_storage",
        worker_log_server_port=(
            _int(env, "HANGAR_WORKER_LOG_SERVER_PORT", 8793, 1, 65535) if worker_port else None
        ),
        default_task_retries=_int(env, "HANGAR_DEFAULT_TASK_RETRIES", 2, 0, 100),
        alert_channel=env.get("HANGAR_ALERT_CHANNEL", "").strip() or "#data-alerts",
        alert_on_retry=_bool(env, "HANGAR_ALERT_ON_RETRY"),
        slack_alerts=bool(env.get("HANGAR_SLACK_TOKEN", "").strip()),
        lake_url=env.get("HANGAR_LAKE_URL", "").strip() or "s3://hangar-lake",
    )


DAG_SOURCES = ("checkout", "store")


def _served_store(env: Mapping[str, str]) -> str:
    """The bundle store the platform serves DAGs from; empty: the checkout's folder.

    ``HANGAR_DAG_SOURCE=store`` serves deployed versions (``HANGAR_BUNDLE_STORE_URL``, else
    the embedded object store); ``checkout`` serves ``src/python/dags`` live. Unset: the store
    when ``HANGAR_BUNDLE_STORE_URL`` is set, else the checkout.
    """
    configured = env.get("HANGAR_BUNDLE_STORE_URL", "").strip()
    source = env.get("HANGAR_DAG_SOURCE", "").strip().lower()
    if source not in ("", *DAG_SOURCES):
        raise ConfigurationError(
            f"HANGAR_DAG_SOURCE={source!r} must be one of: {', '.join(DAG_SOURCES)}"
        )
    if source == "checkout" or (not source and not configured):
        return ""
    store = configured or env.get("HANGAR_EMBEDDED_BUNDLE_STORE_URL", "").strip()
    if not store and source == "store":
        # Before `up` has planned the embedded object store: the default embedded store.
        from hangar_common.platform.services import EMBEDDED_BUNDLE_STORE_URL

        if not env.get("HANGAR_S3_ENDPOINT", "").strip():
            return EMBEDDED_BUNDLE_STORE_URL
        raise ConfigurationError(
            "HANGAR_DAG_SOURCE=store with HANGAR_S3_ENDPOINT set needs HANGAR_BUNDLE_STORE_URL"
        )
    return store


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigurationError(f"{name}={raw!r} must be true or false")
