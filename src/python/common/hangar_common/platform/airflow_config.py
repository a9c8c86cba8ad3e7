"""The single source of the Airflow settings every Hangar topology uses.

Native stacks (``./hangar up``) and containers (docker/compose.yaml) start every Airflow process
through :mod:`hangar_common.platform.entrypoint`, which calls :func:`airflow_environment`; no shell
script or Compose file sets an ``AIRFLOW__*`` variable of its own, so the topologies cannot drift.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hangar_common.bundles.previews import PREVIEWS_BUNDLE_NAME
from hangar_common.settings import (
    CELERY_SCHEDULER_PARALLELISM,
    ConfigurationError,
    HangarSettings,
    Profile,
    Stack,
)

# Defaults of the fields below come from the settings model: one default per setting.
_DEFAULTS = HangarSettings()


# (task_instance_heartbeat_timeout, task_queued_timeout, min_heartbeat_interval) in seconds.
# Default heartbeat timeout 60 s, not Airflow's 300: a task on a worker that died (SIGKILLed,
# host lost) recovered 360 s after the fault at 300 s, 84 s at 60 s (tests/drills), while a
# live task heartbeats every 5 s (12 missed beats), also through an API-server restart.
# Default queued timeout 120 s, not Airflow's 600: a task whose Celery message was lost (the
# scheduler died between committing QUEUED and publishing, as when the metadata DB restarts;
# Celery reports it PENDING forever) waits this long before it is requeued. The drill that
# restarts PostgreSQL mid-run saw a lost task still queued 400 s after the fault at 600 s.
_TIMEOUTS = {
    Profile.DEFAULT: (60, 120, 5),
    Profile.TEST: (30, 60, 1),
}
# A task no worker takes is failed after this long, as stock's 3 tries x 600 s: with a shorter
# queued timeout it is requeued more often (num_stuck_in_queued_retries), not failed sooner.
_QUEUED_GIVE_UP_S = 1800
# (task_queued_timeout_check_interval, orphaned_tasks_check_interval) in seconds; stock (120,
# 300). A dead scheduler's queued tasks are adopted by the next orphan check after its
# heartbeat is 30 s old, then requeued by the stuck-queued check: with stock intervals the
# PostgreSQL drill's lost task could wait 300 + 600 + 120 s. Both are one indexed query.
_QUEUED_CHECKS = {Profile.DEFAULT: (15, 60), Profile.TEST: (5, 15)}
# Seconds a Variable/Connection read stays cached in the dag-processor's secrets cache.
_SECRETS_CACHE_TTL = {Profile.DEFAULT: 60, Profile.TEST: 3}
# DAGs gone from their file (a dynamic DAG file making fewer DAGs): (how often the dag-processor
# looks for them s, how long after the file's parse they are deactivated s). The default profile
# keeps Airflow's (60, 50); the test profile's saw a DAG set shrink in ~15 s instead of ~100 s.
_STALE_DAGS = {Profile.DEFAULT: (60, 50), Profile.TEST: (5, 10)}
# Local bundle versions: (cleanup interval s, age threshold s, versions always kept).
_BUNDLE_CLEANUP = {
    Profile.DEFAULT: (1800, 21600, 10),
    Profile.TEST: (10, 20, 2),
}


@dataclass(frozen=True, kw_only=True)
class PlatformSecrets:
    """Keys shared by every component; generated once by ``./hangar init``, never in code."""

    fernet_key: str
    jwt_secret: str
    api_secret_key: str
    admin_password: str
    maintenance_password: str = ""  # the `maintenance` API user of restart_failed_runs
    provisioner_password: str = ""  # the `provisioner` API user of initialize_environment


@dataclass(frozen=True, kw_only=True)
class PlatformConfig:
    """Everything that differs between installations of the platform."""

    stack: Stack
    profile: Profile
    airflow_home: Path
    dag_bundle_root: Path
    plugins_folder: Path
    logs_folder: Path
    api_host: str
    api_port: int
    api_bind: str
    parallelism: int
    # Celery stack only (ignored by the embedded stack):
    schedulers: int = 1
    metadata_db_url: str = ""
    broker_url: str = ""
    flower_port: int = _DEFAULTS.flower_port
    bundle_refresh_interval_s: int = _DEFAULTS.bundle_refresh_interval
    bundle_store_poll_interval_s: int = _DEFAULTS.bundle_store_poll_interval
    # Versioned bundle deploys (`./hangar deploy`): the store and the connection reaching it.
    # Empty: DAGs straight from the checkout's bundle folder (the one-machine dev loop).
    bundle_store_url: str = ""
    bundle_store_conn_id: str = _DEFAULTS.bundle_store_conn_id
    # Where `./hangar deploy --preview` publishes (the deploys' store, whatever the DAG source);
    # empty: no store, no previews bundle.
    previews_store_url: str = ""
    # Per process: each Celery worker on one host needs its own log-server port.
    worker_log_server_port: int | None = None
    # The triggerer's log server; None: Airflow's default (8794). `up` gives each stack its own.
    trigger_log_server_port: int | None = None
    # Defaults every DAG gets (retries through Airflow's own default; alerts: hangar_plugins).
    default_task_retries: int = _DEFAULTS.default_task_retries
    alert_channel: str = _DEFAULTS.alert_channel
    alert_on_retry: bool = False
    # Slack alerts are attached only when a token is configured (HANGAR_SLACK_TOKEN).
    slack_alerts: bool = False
    # Where pipelines keep raw, Parquet and quarantine files (the object_storage connection).
    lake_url: str = _DEFAULTS.lake_url
    # `fab` (users and roles in the metadata DB) or `simple` (development only).
    auth_manager: str = "simple"
    # Task logs uploaded here when a task ends (through the object_storage connection); "" = off.
    remote_log_url: str = ""
    object_storage_conn_id: str = "object_storage"
    # Airflow's StatsD metrics go to statsd_host:statsd_port (collectd, --with-metrics or the
    # Compose stack's statsd service); None: off.
    statsd_host: str = "127.0.0.1"
    statsd_port: int | None = None
    prometheus_url: str = ""

    @property
    def api_url(self) -> str:
        """Where every component and client reaches the API server."""
        return f"http://{self.api_host}:{self.api_port}"


def sqlalchemy_url(postgres_url: str) -> str:
    """``postgresql://...`` as SQLAlchemy's psycopg2 URL (Airflow's metadata DB driver)."""
    scheme, sep, rest = postgres_url.partition("://")
    if not sep or scheme not in ("postgresql", "postgres", "postgresql+psycopg2"):
        raise ConfigurationError(f"not a PostgreSQL URL: {scheme}://...")
    return f"postgresql+psycopg2://{rest}"


def validate(config: PlatformConfig) -> None:
    """Raise :class:`ConfigurationError` naming the setting that cannot work."""
    if not 1 <= config.api_port <= 65535:
        raise ConfigurationError(f"HANGAR_API_PORT={config.api_port} is not a TCP port")
    if config.parallelism < 1:
        raise ConfigurationError(f"HANGAR_PARALLELISM={config.parallelism} must be >= 1")
    if not config.metadata_db_url:
        raise ConfigurationError("the platform needs HANGAR_POSTGRES_URL (metadata DB)")
    if config.stack is Stack.CELERY and not (config.metadata_db_url and config.broker_url):
        raise ConfigurationError(
            "the celery stack needs HANGAR_POSTGRES_URL (metadata DB) and HANGAR_REDIS_URL (broker)"
        )


def airflow_environment(config: PlatformConfig, secrets: PlatformSecrets) -> dict[str, str]:
    """The ``AIRFLOW__*`` environment of every Airflow process of ``config``'s topology."""
    validate(config)
    api_url = config.api_url
    heartbeat_timeout, queued_timeout, min_heartbeat = _TIMEOUTS[config.profile]
    queued_check, orphan_check = _QUEUED_CHECKS[config.profile]
    cleanup_interval, cleanup_age, cleanup_keep = _BUNDLE_CLEANUP[config.profile]
    secrets_cache_ttl = _SECRETS_CACHE_TTL[config.profile]
    stale_dags_interval, stale_dags_threshold = _STALE_DAGS[config.profile]
    env = {
        "AIRFLOW_HOME": str(config.airflow_home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__PARALLELISM": str(config.parallelism),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(config.plugins_folder),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "hangar_common.platform.hostname.worker_hostname",
        "AIRFLOW__CORE__FERNET_KEY": secrets.fernet_key,
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.jwt_secret,
        "AIRFLOW__API__SECRET_KEY": secrets.api_secret_key,
        "AIRFLOW__API__HOST": config.api_bind,
        "AIRFLOW__API__PORT": str(config.api_port),
        "AIRFLOW__API__BASE_URL": api_url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(config.logs_folder / "airflow"),
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(heartbeat_timeout),
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": str(queued_timeout),
        "AIRFLOW__SCHEDULER__NUM_STUCK_IN_QUEUED_RETRIES": str(
            max(2, _QUEUED_GIVE_UP_S // queued_timeout - 1)
        ),
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": str(queued_check),
        "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": str(orphan_check),
        "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": str(min_heartbeat),
        # The scheduler's nap when a loop found nothing (stock: 1 s) is the gap between two
        # tasks of a run: at 0.2 s the benchmark's 3-task chain took 1.13 s p50 instead of 4.18 s
        # and throughput rose 5.36 -> 6.12 tasks/s (benchmarks/platform_benchmark.py).
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.2",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": str(config.bundle_refresh_interval_s),
        "AIRFLOW__SCHEDULER__PARSING_CLEANUP_INTERVAL": str(stale_dags_interval),
        "AIRFLOW__DAG_PROCESSOR__STALE_DAG_THRESHOLD": str(stale_dags_threshold),
        "AIRFLOW__DAG_PROCESSOR__STALE_BUNDLE_CLEANUP_INTERVAL": str(cleanup_interval),
        "AIRFLOW__DAG_PROCESSOR__STALE_BUNDLE_CLEANUP_AGE_THRESHOLD": str(cleanup_age),
        "AIRFLOW__DAG_PROCESSOR__STALE_BUNDLE_CLEANUP_MIN_VERSIONS": str(cleanup_keep),
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH": str(config.airflow_home / "bundles"),
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(bundle_configs(config)),
        "AIRFLOW__CORE__DEFAULT_TASK_RETRIES": str(config.default_task_retries),
        "AIRFLOW__HANGAR__ALERT_CHANNEL": config.alert_channel,
        "AIRFLOW__HANGAR__ALERT_ON_RETRY": str(config.alert_on_retry),
        "AIRFLOW__HANGAR__SLACK_ALERTS": str(config.slack_alerts),
        "AIRFLOW__HANGAR__LAKE_URL": config.lake_url,
        # Top-level Variable reads (dynamic DAG files) hit Airflow's cache, not the API, per parse.
        "AIRFLOW__SECRETS__USE_CACHE": "True",
        "AIRFLOW__SECRETS__CACHE_TTL_SECONDS": str(secrets_cache_ttl),
    }
    env.update(auth_environment(config, secrets))
    if config.statsd_port is not None:
        env.update(
            {
                "AIRFLOW__METRICS__STATSD_ON": "True",
                "AIRFLOW__METRICS__STATSD_HOST": config.statsd_host,
                "AIRFLOW__METRICS__STATSD_PORT": str(config.statsd_port),
                "AIRFLOW__METRICS__STATSD_PREFIX": "airflow",
                "AIRFLOW__HANGAR__PROMETHEUS_URL": config.prometheus_url,
            }
        )
    if config.remote_log_url:
        env.update(
            {
                # Airflow's own S3 task handler: each attempt's log is uploaded when it ends and
                # read back from the store once the worker (or its disk) is gone.
                "AIRFLOW__LOGGING__REMOTE_LOGGING": "True",
                "AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER": config.remote_log_url,
                "AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID": config.object_storage_conn_id,
                "AIRFLOW__LOGGING__DELETE_LOCAL_LOGS": "False",
            }
        )
    db = sqlalchemy_url(config.metadata_db_url)
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = db
    if config.stack is Stack.EMBEDDED:
        env["AIRFLOW__CORE__EXECUTOR"] = "LocalExecutor"
    else:
        env.update(
            {
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__CELERY__BROKER_URL": config.broker_url,
                "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{db.replace('+psycopg2', '', 1)}",
                # Redis restarts must not lose a task for long: requeue what stays queued.
                "AIRFLOW__CELERY__TASK_ACKS_LATE": "True",
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(config.parallelism),
                # The scheduler's cap is the whole cluster's, not one worker's.
                "AIRFLOW__CORE__PARALLELISM": str(
                    max(CELERY_SCHEDULER_PARALLELISM, config.parallelism)
                ),
                "AIRFLOW__CELERY__FLOWER_HOST": config.api_bind,
                "AIRFLOW__CELERY__FLOWER_PORT": str(config.flower_port),
                "AIRFLOW__CELERY__FLOWER_BASIC_AUTH": f"admin:{secrets.admin_password}",
            }
        )
    if config.worker_log_server_port is not None:
        env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(config.worker_log_server_port)
    if config.trigger_log_server_port is not None:
        env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = str(config.trigger_log_server_port)
    return env


FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
SIMPLE_AUTH_MANAGER = (
    "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
)


def _grants(actions: tuple[str, ...], resources: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"action": a, "resource": r} for r in resources for a in actions]


# Hangar's own FAB roles, beside FAB's Admin, Op, User and Viewer (for people). Least privilege
# for the API users the maintenance DAGs log in as. FAB checks "edit" on the DAG as well as on
# the run for any change to a run, so clearing needs `can_edit` on DAGs (it also allows pausing).
PLATFORM_ROLES: dict[str, list[dict[str, str]]] = {
    # restart_failed_runs: read runs and tasks, clear them. No trigger (no can_create on DAG
    # Runs), no connections, variables or pools.
    "Maintenance": _grants(
        ("can_read",),
        ("DAGs", "DAG Runs", "Task Instances", "Task Logs", "ImportError", "Website"),
    )
    + _grants(("can_edit",), ("DAGs", "DAG Runs", "Task Instances")),
    # initialize_environment: pools, connections and variables, nothing of DAGs or runs.
    "Provisioner": _grants(
        ("can_read", "can_create", "can_edit", "can_delete"),
        ("Connections", "Pools", "Variables"),
    )
    + _grants(("can_read",), ("Website",)),
}
# The platform's own logins and their roles (passwords: the secrets).
PLATFORM_USERS = {"admin": "Admin", "maintenance": "Maintenance", "provisioner": "Provisioner"}


def auth_environment(config: PlatformConfig, secrets: PlatformSecrets) -> dict[str, str]:
    """The auth manager's settings: FAB (users and roles in the metadata DB, created by
    ``./hangar init``) or SimpleAuthManager (logins from the secrets; development only)."""
    if config.auth_manager == "fab":
        return {
            "AIRFLOW__CORE__AUTH_MANAGER": FAB_AUTH_MANAGER,
            # AUTH_TYPE, LDAP or OAuth live in this file (`./hangar init` writes it once; an
            # operator's edits are kept): docs/security.rst.
            "AIRFLOW__FAB__CONFIG_FILE": str(config.airflow_home / "webserver_config.py"),
            # Created by role initialization when missing; an admin's later edits are kept.
            "AIRFLOW__FAB__CUSTOM_ROLES": json.dumps(PLATFORM_ROLES),
        }
    users = ["admin:admin"]
    if secrets.maintenance_password:
        users.append("maintenance:op")
    if secrets.provisioner_password:
        users.append("provisioner:op")
    return {
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(users),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
            config.airflow_home / "passwords.json"
        ),
    }


WEBSERVER_CONFIG = (
    '"""The FAB auth manager\'s settings (written once by `./hangar init`; your edits are kept).\n\n'
    "LDAP or OAuth instead of users in the metadata DB: docs/security.rst.\n"
    '"""\n\n'
    "from flask_appbuilder.const import AUTH_DB\n\n"
    "AUTH_TYPE = AUTH_DB\n"
    "# Accounts come from an admin (`./hangar users add`), not self-registration.\n"
    "AUTH_USER_REGISTRATION = False\n"
    "# Nothing is readable without logging in.\n"
    "AUTH_ROLE_PUBLIC = None\n"
)


def ensure_webserver_config(config: PlatformConfig) -> bool:
    """Write the FAB auth manager's config file unless it exists (an operator's LDAP or OAuth
    edits are kept); True when written."""
    path = config.airflow_home / "webserver_config.py"
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(WEBSERVER_CONFIG, encoding="utf-8")
    return True


# The one DAG bundle's name: in Airflow's dag_bundle table and each DAG's bundle_name.
BUNDLE_NAME = "hangar"


def _store_access(config: PlatformConfig, store_url: str) -> dict[str, object]:
    """A store-backed bundle's kwargs reaching ``store_url``: object storage through the
    connection, a ``file://`` store directly."""
    is_local = store_url.startswith("file://")
    return {"store_url": store_url, "conn_id": None if is_local else config.bundle_store_conn_id}


def bundle_config(config: PlatformConfig) -> dict[str, object]:
    """The one DAG bundle every component loads: versioned store, or the checkout's folder."""
    if config.bundle_store_url:
        return {
            "name": BUNDLE_NAME,
            "classpath": "hangar_plugins.bundles.versioned_store.VersionedStoreDagBundle",
            "kwargs": {
                **_store_access(config, config.bundle_store_url),
                "refresh_interval": config.bundle_store_poll_interval_s,
                "empty_refresh_interval": config.bundle_refresh_interval_s,
            },
        }
    return {
        "name": BUNDLE_NAME,
        "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
        "kwargs": {
            "path": str(config.dag_bundle_root),
            "refresh_interval": config.bundle_refresh_interval_s,
        },
    }


def previews_bundle_config(config: PlatformConfig) -> dict[str, object] | None:
    """The bundle serving every preview (``./hangar deploy --preview``), when there is a store.

    Always configured with a store, previews or not: Airflow reads the bundle list once, at
    start, so a preview can arrive without a restart only in a bundle that already exists. Its
    poll is the deployed bundle's slow one (a preview deploy asks for a refresh at once).
    """
    if not config.previews_store_url:
        return None
    return {
        "name": PREVIEWS_BUNDLE_NAME,
        "classpath": "hangar_plugins.bundles.previews_bundle.PreviewsDagBundle",
        "kwargs": {
            **_store_access(config, config.previews_store_url),
            "refresh_interval": config.bundle_store_poll_interval_s,
        },
    }


def bundle_configs(config: PlatformConfig) -> list[dict[str, object]]:
    """``[dag_processor] dag_bundle_config_list``: the deployed DAGs, then the previews."""
    previews = previews_bundle_config(config)
    return [bundle_config(config), *([previews] if previews else [])]


def secret_variable_names() -> frozenset[str]:
    """The ``AIRFLOW__*`` variables holding secrets: never printed, never logged."""
    return frozenset(
        {
            "AIRFLOW__CORE__FERNET_KEY",
            "AIRFLOW__API_AUTH__JWT_SECRET",
            "AIRFLOW__API__SECRET_KEY",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
            "AIRFLOW__CELERY__RESULT_BACKEND",
            "AIRFLOW__CELERY__BROKER_URL",
            "AIRFLOW__CELERY__FLOWER_BASIC_AUTH",
        }
    )


def describe(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with every secret value masked, for display."""
    hidden = secret_variable_names()
    return {key: ("***" if key in hidden else value) for key, value in sorted(env.items())}
