"""Build a :class:`PlatformConfig` from the ``HANGAR_*`` settings (:mod:`hangar_common.settings`).

The same variables configure a native stack and a container: only their values differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hangar_common.platform.airflow_config import PlatformConfig
from hangar_common.settings import HangarSettings, Stack


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


def settings_of(env: Mapping[str, str] | HangarSettings) -> HangarSettings:
    """``env`` as validated settings (already-built settings are returned as they are)."""
    return env if isinstance(env, HangarSettings) else HangarSettings.from_env(env)


def metadata_db_url(env: Mapping[str, str] | HangarSettings) -> str:
    """``HANGAR_METADATA_DB_URL``, else database HANGAR_METADATA_DB on HANGAR_POSTGRES_URL."""
    return settings_of(env).effective_metadata_db_url


def state_paths(env: Mapping[str, str] | HangarSettings, project_root: Path) -> StatePaths:
    return StatePaths(root=settings_of(env).state_root(project_root))


def load_platform_config(
    env: Mapping[str, str] | HangarSettings, *, project_root: Path, stack: str | None = None
) -> PlatformConfig:
    """The platform configuration the ``HANGAR_*`` settings in ``env`` describe."""
    settings = settings_of(env)
    if stack is not None:
        settings = settings.replace(stack=Stack(stack))
    paths = state_paths(settings, project_root)
    return PlatformConfig(
        stack=settings.stack,
        profile=settings.profile,
        airflow_home=paths.airflow_home,
        dag_bundle_root=(
            Path(settings.dag_bundle_root)
            if settings.dag_bundle_root
            else project_root / "src/python/dags"
        ),
        plugins_folder=Path(settings.plugins_folder) if settings.plugins_folder else paths.plugins,
        logs_folder=paths.logs,
        api_host=settings.api_host,
        api_bind=settings.api_bind,
        api_port=settings.api_port,
        flower_port=settings.flower_port,
        parallelism=settings.effective_parallelism,
        schedulers=settings.schedulers,
        metadata_db_url=settings.effective_metadata_db_url,
        broker_url=settings.redis_url if settings.stack is Stack.CELERY else "",
        bundle_refresh_interval_s=settings.bundle_refresh_interval,
        bundle_store_poll_interval_s=settings.bundle_store_poll_interval,
        bundle_store_url=settings.served_bundle_store_url,
        bundle_store_conn_id=settings.bundle_store_conn_id,
        previews_store_url=settings.bundle_store_url or settings.embedded_bundle_store_url,
        worker_log_server_port=settings.worker_log_server_port,
        trigger_log_server_port=settings.trigger_log_server_port,
        default_task_retries=settings.default_task_retries,
        alert_channel=settings.alert_channel,
        alert_on_retry=settings.alert_on_retry,
        slack_alerts=bool(settings.slack_token),
        lake_url=settings.lake_url,
        auth_manager=settings.effective_auth_manager,
        remote_log_url=settings.effective_remote_log_url,
        object_storage_conn_id=settings.bundle_store_conn_id,
        statsd_host=settings.statsd_host,
        statsd_port=settings.statsd_port,
        prometheus_url=settings.prometheus_url,
    )
