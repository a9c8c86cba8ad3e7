"""The parts the DAG library needs beside Airflow, and which of them ``./hangar up`` starts.

Each part is either **configured** (its ``HANGAR_*`` endpoint is set: used as is, nothing is
started for it) or provided by the stack: PostgreSQL at ``HANGAR_POSTGRES_URL`` when it answers,
else a throwaway server; SeaweedFS for S3; the example sales source; the example source table.
:func:`plan_services` decides without side effects (its probes are arguments);
:func:`prepare_services` makes the started parts usable (buckets, databases, sample rows).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from hangar_common.examples import source_server
from hangar_common.platform import object_store, throwaway
from hangar_common.platform.config import StatePaths, settings_of
from hangar_common.platform.identity import PortChooser
from hangar_common.platform.processes import Program
from hangar_common.platform.secrets import (
    ADMIN_PASSWORD,
    EMBEDDED_S3_ACCESS_KEY,
    EMBEDDED_S3_SECRET_KEY,
)
from hangar_common.redaction import redact_url
from hangar_common.settings import (
    EMBEDDED_BUNDLE_STORE_URL,
    ConfigurationError,
    HangarSettings,
    Stack,
)
from hangar_common.waiting import poll_until

# How a part is checked by `./hangar status`.
PROBE_POSTGRES, PROBE_REDIS, PROBE_S3, PROBE_HTTP, PROBE_NONE = (
    "postgres",
    "redis",
    "s3",
    "http",
    "",
)
EMBEDDED, CONFIGURED = "embedded", "configured"


@dataclass(frozen=True, kw_only=True)
class Part:
    """One thing pipelines reach: where it points and who provides it."""

    name: str
    origin: str  # EMBEDDED (started by this stack), CONFIGURED, or the setting it came from
    url: str  # shown to users: passwords redacted
    probe: str = PROBE_NONE


@dataclass(kw_only=True)
class ServicePlan:
    """What ``up`` starts and the ``HANGAR_*`` values every component then gets."""

    programs: list[Program] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)
    wait_for_postgres: str = ""  # a started server's URL: wait until it answers
    wait_for_redis: str = ""
    object_store_endpoint: str = ""  # the started SeaweedFS: wait, then create `buckets`
    wait_for_http: str = ""  # the started example source: wait until it answers
    buckets: list[str] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)  # URLs of databases to create if missing
    seed_source: str = ""  # conninfo of the example source database to seed


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _connection_env(prefix: str, server_url: str) -> dict[str, str]:
    """``HANGAR_<prefix>_HOST/PORT/USER/PASSWORD`` of a PostgreSQL server URL."""
    parts = urlsplit(server_url)
    return {
        f"HANGAR_{prefix}_HOST": parts.hostname or "127.0.0.1",
        f"HANGAR_{prefix}_PORT": str(parts.port or 5432),
        f"HANGAR_{prefix}_USER": parts.username or "postgres",
        f"HANGAR_{prefix}_PASSWORD": parts.password or "",
    }


# The databases pipelines use beside Airflow's: (part name, HANGAR_<prefix>_* settings).
DATABASE_PARTS = (("warehouse", "WAREHOUSE"), ("source-db", "SOURCE_DB"))


@dataclass(frozen=True, kw_only=True)
class StackDatabase:
    """The warehouse or the example source as a database of the stack's own PostgreSQL."""

    name: str  # warehouse, source-db
    url: str  # on the stack's server, with its credentials
    env: dict[str, str]  # HANGAR_<prefix>_HOST/PORT/USER/PASSWORD: how components reach it


def databases_on_stack_server(settings: HangarSettings, server: str) -> list[StackDatabase]:
    """The warehouse and example source databases whose host is unset: databases of ``server``
    (the stack's PostgreSQL), reached as its user. Both ``up`` and ``init`` (the Compose
    stack's) create them, so the library's pipelines run on either without settings."""
    found = []
    for name, prefix in DATABASE_PARTS:
        endpoint = _database_endpoint(settings, prefix)
        if not endpoint.configured:
            found.append(
                StackDatabase(
                    name=name,
                    url=_with_database(server, endpoint.dbname),
                    env=_connection_env(prefix, server),
                )
            )
    return found


def seed_example_source(url: str) -> list[str]:
    """Add the example ``app_events`` rows up to today (idempotent); what was done."""
    from hangar_common.examples import app_events

    today = datetime.now(UTC).date()
    added = app_events.seed(url, until=today)
    return (
        [f"seeded {added} example app_events rows ({app_events.FIRST_DAY}..{today})"]
        if added
        else []
    )


def plan_services(
    env: Mapping[str, str] | HangarSettings,
    paths: StatePaths,
    stack: Stack,
    *,
    secrets: Mapping[str, str],
    postgres_answers: Callable[[str], bool],
    redis_answers: Callable[[str], bool],
    ports: PortChooser | None = None,
) -> ServicePlan:
    """The parts of a stack started from ``env``, and the programs to start for them.

    ``ports``: picks the started parts' ports (free ones; those ``up`` recorded while free).
    """
    plan = ServicePlan()
    ports = ports if ports is not None else PortChooser()
    settings = settings_of(env).replace(stack=stack)

    # --- PostgreSQL: Airflow's metadata DB, the warehouse and the example source ---------------
    server = settings.postgres_url
    if postgres_answers(server):
        plan.parts.append(
            Part(name="postgres", origin="HANGAR_POSTGRES_URL", url=redact_url(server))
        )
    else:
        bin_dir = throwaway.find_postgres_bin(settings)
        if bin_dir is None:
            raise ConfigurationError(
                f"PostgreSQL at {redact_url(server)} does not answer and no PostgreSQL "
                "binaries were found to start a throwaway one: start PostgreSQL and set "
                "HANGAR_POSTGRES_URL, or install Debian's postgresql package (or set "
                "HANGAR_PG_BIN to its bin folder), or the pgserver wheel of the lockfile"
            )
        program, server = throwaway.postgres(paths, bin_dir, port=ports.port("postgres"))
        plan.programs.append(program)
        plan.wait_for_postgres = server
        plan.env["HANGAR_POSTGRES_URL"] = server
        plan.parts.append(Part(name="postgres", origin=f"{EMBEDDED} ({bin_dir})", url=server))
    if not settings.metadata_db_url or plan.wait_for_postgres:
        plan.env["HANGAR_METADATA_DB_URL"] = _with_database(server, settings.metadata_db)

    # --- Redis: the celery stack's broker ----------------------------------------------------
    if stack is Stack.CELERY:
        broker = settings.redis_url
        if redis_answers(broker):
            plan.parts.append(Part(name="redis", origin="HANGAR_REDIS_URL", url=redact_url(broker)))
        else:
            binary = throwaway.find_redis_server(settings)
            if binary is None:
                raise ConfigurationError(
                    f"Redis at {redact_url(broker)} does not answer and no redis-server binary "
                    "was found to start a throwaway one: start Redis and set HANGAR_REDIS_URL, "
                    "or install Debian's redis-server package (or set HANGAR_REDIS_SERVER to "
                    "the binary)"
                )
            program, broker = throwaway.redis(paths, binary, port=ports.port("redis"))
            plan.programs.append(program)
            plan.wait_for_redis = broker
            plan.env["HANGAR_REDIS_URL"] = broker
            plan.parts.append(Part(name="redis", origin=EMBEDDED, url=broker))

    # --- warehouse and example source databases ----------------------------------------------
    on_server = {db.name: db for db in databases_on_stack_server(settings, server)}
    for name, prefix in DATABASE_PARTS:
        if name not in on_server:
            endpoint = _database_endpoint(settings, prefix)
            url = f"postgresql://{endpoint.user}@{endpoint.host}:{endpoint.port}/{endpoint.dbname}"
            plan.parts.append(Part(name=name, origin=CONFIGURED, url=url, probe=PROBE_POSTGRES))
            continue
        database = on_server[name]
        plan.env.update(database.env)
        plan.databases.append(database.url)
        if name == "source-db":
            plan.seed_source = database.url
        plan.parts.append(
            Part(name=name, origin="postgres", url=redact_url(database.url), probe=PROBE_POSTGRES)
        )

    # --- S3: the lake and the bundle store ---------------------------------------------------
    s3_endpoint = settings.s3_endpoint
    if s3_endpoint:
        plan.parts.append(
            Part(name="object-store", origin=CONFIGURED, url=s3_endpoint, probe=PROBE_S3)
        )
    else:
        key, secret = secrets.get(EMBEDDED_S3_ACCESS_KEY, ""), secrets.get(
            EMBEDDED_S3_SECRET_KEY, ""
        )
        if not (key and secret):
            raise ConfigurationError(
                f"{EMBEDDED_S3_ACCESS_KEY}/{EMBEDDED_S3_SECRET_KEY} missing from the secrets "
                "file: run ./hangar init"
            )
        program, s3_endpoint = object_store.seaweedfs(
            paths,
            access_key=key,
            secret_key=secret,
            base_port=ports.port(
                "object-store", count=object_store.PORTS, twin_offset=object_store.GRPC_OFFSET
            ),
        )
        plan.programs.append(program)
        plan.object_store_endpoint = s3_endpoint
        plan.env.update(
            HANGAR_S3_ENDPOINT=s3_endpoint, HANGAR_S3_ACCESS_KEY=key, HANGAR_S3_SECRET_KEY=secret
        )
        lake = settings.lake_url
        store = settings.bundle_store_url or EMBEDDED_BUNDLE_STORE_URL
        logs = settings.effective_remote_log_url
        plan.buckets = [
            object_store.bucket_of(url) for url in (lake, store, logs) if url.startswith("s3://")
        ]
        if not settings.bundle_store_url:
            plan.env["HANGAR_EMBEDDED_BUNDLE_STORE_URL"] = EMBEDDED_BUNDLE_STORE_URL
        plan.parts.append(
            Part(name="object-store", origin=EMBEDDED, url=s3_endpoint, probe=PROBE_S3)
        )

    # --- the example sales source (HTTP) -----------------------------------------------------
    sales = settings.example_sales_url
    if sales:
        plan.parts.append(Part(name="sales-source", origin=CONFIGURED, url=sales, probe=PROBE_HTTP))
    else:
        sales_port = ports.port("sales-source")
        plan.programs.append(
            Program(
                name="sales-source",
                command=(
                    # The module itself, not its name: the dependency is explicit (and packaged).
                    *throwaway.python_module(source_server.__name__),
                    "--port",
                    str(sales_port),
                ),
                autostart=True,
                start_seconds=1,
            )
        )
        sales = f"http://127.0.0.1:{sales_port}"
        plan.wait_for_http = f"{sales}/health"
        plan.env["HANGAR_EXAMPLE_SALES_URL"] = sales
        plan.parts.append(Part(name="sales-source", origin=EMBEDDED, url=sales, probe=PROBE_HTTP))

    # --- metrics: Prometheus and what it scrapes (--with-metrics) -----------------------------
    if settings.metrics:
        from hangar_common.platform.metrics import plan_metrics

        # The endpoints planned above (a throwaway PostgreSQL or Redis) win over the settings.
        planned = HangarSettings.from_env({**settings.to_env(), **plan.env})
        metrics = plan_metrics(
            settings,
            project_root=Path(settings.home) if settings.home else Path.cwd(),
            folder=paths.root / "metrics",
            stack=stack,
            metadata_server_url=planned.effective_metadata_db_url,
            broker_url=planned.redis_url,
            admin_password=settings.admin_password or secrets.get(ADMIN_PASSWORD, ""),
            ports=ports,
        )
        plan.programs += metrics.programs
        plan.env.update(metrics.env)
        plan.parts.append(
            Part(name="metrics", origin=EMBEDDED, url=metrics.prometheus_url, probe=PROBE_HTTP)
        )

    # --- Slack: alerts are off without a token -----------------------------------------------
    if settings.slack_token:
        plan.parts.append(Part(name="slack", origin=CONFIGURED, url=settings.slack_api_url))
    else:
        plan.parts.append(
            Part(name="slack", origin="off", url="no HANGAR_SLACK_TOKEN, alerts are off")
        )
    return plan


def prepare_services(
    plan: ServicePlan,
    *,
    postgres_answers: Callable[[str], bool],
    redis_answers: Callable[[str], bool],
    logs: Path,
    timeout: float = 90,
    owner_marker: str = "",
) -> list[str]:
    """Wait for the started servers, then create buckets and databases (marked with
    ``owner_marker``) and seed the example source. Idempotent. Returns what was done, for
    ``up``'s output."""
    done: list[str] = []
    deadline = time.monotonic() + timeout
    waits: list[tuple[str, Callable[[str], bool], str]] = [
        (
            plan.wait_for_postgres,
            postgres_answers,
            f"the throwaway PostgreSQL did not start: see {logs}",
        ),
        (plan.wait_for_redis, redis_answers, f"the throwaway Redis did not start: see {logs}"),
        (
            plan.wait_for_http,
            _http_answers,
            f"the example sales source did not answer: see {logs / 'sales-source.log'}",
        ),
    ]
    for url, answers, failure in waits:
        if not url:
            continue
        try:
            poll_until(
                functools.partial(answers, url),
                timeout=max(0.0, deadline - time.monotonic()),
                interval=0.3,
            )
        except TimeoutError:
            raise RuntimeError(failure) from None
    if plan.object_store_endpoint:
        started = HangarSettings.from_env(plan.env)
        key, secret = started.s3_access_key, started.s3_secret_key
        object_store.wait_until_ready(
            plan.object_store_endpoint,
            key,
            secret,
            timeout=max(5.0, deadline - time.monotonic()),
            log=logs / "object-store.log",
        )
        created = object_store.ensure_buckets(plan.object_store_endpoint, key, secret, plan.buckets)
        done += [f"created bucket {name}" for name in created]
    for url in plan.databases:
        if create_database(url, owner_marker=owner_marker):
            done.append(f"created database {redact_url(url)}")
    if plan.seed_source:
        done += seed_example_source(plan.seed_source)
    return done


def create_database(url: str, *, wait: float = 0.0, owner_marker: str = "") -> bool:
    """Create the database ``url`` names on its server unless it exists; True when created.

    ``wait``: seconds to wait for the server to accept connections first (a Compose engine
    that ignores health conditions starts ``init`` together with the database).
    ``owner_marker``: the comment marking a created database as the stack's own
    (:mod:`hangar_common.platform.ownership`); an existing database is left as it is.
    """
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise ConfigurationError(f"{redact_url(url)} names no database")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        conn = poll_until(
            lambda: psycopg.connect(admin_url, autocommit=True, connect_timeout=5),
            timeout=wait,
            retry_on=(psycopg.OperationalError,),
        )
    except TimeoutError as exc:
        raise RuntimeError(
            f"PostgreSQL at {redact_url(admin_url)} did not answer"
            f" within {wait:.0f} s: {str(exc.__cause__).strip()}"
        ) from None
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if owner_marker:
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(owner_marker)
                )
            )
    return True


@dataclass(frozen=True, kw_only=True)
class DatabaseEndpoint:
    """Where the warehouse or the example source database is, from its HANGAR_* settings."""

    configured: bool  # its host is set; else it is a database on the stack's PostgreSQL
    host: str
    port: int
    user: str
    password: str
    dbname: str


def _database_endpoint(settings: HangarSettings, prefix: str) -> DatabaseEndpoint:
    """The ``WAREHOUSE`` or ``SOURCE_DB`` settings (``HANGAR_<PREFIX>_HOST`` ...)."""
    field = prefix.lower()
    host = getattr(settings, f"{field}_host")
    return DatabaseEndpoint(
        configured=bool(host),
        host=host or "127.0.0.1",
        port=getattr(settings, f"{field}_port"),
        user=getattr(settings, f"{field}_user"),
        password=getattr(settings, f"{field}_password"),
        dbname=settings.warehouse_db if prefix == "WAREHOUSE" else settings.source_db,
    )


def database_conninfo(settings: HangarSettings, prefix: str, *, connect_timeout: int = 3) -> str:
    """How every component reaches the ``WAREHOUSE`` or ``SOURCE_DB`` database."""
    from psycopg.conninfo import make_conninfo

    endpoint = _database_endpoint(settings, prefix)
    return make_conninfo(
        host=endpoint.host,
        port=endpoint.port,
        user=endpoint.user,
        password=endpoint.password or None,
        dbname=endpoint.dbname,
        connect_timeout=connect_timeout,
    )


def _http_answers(url: str) -> bool:
    """Any HTTP answer counts (an S3 endpoint answers 403 to an unsigned GET)."""
    import requests

    try:
        requests.get(url, timeout=3)
    except requests.RequestException:
        return False
    return True


def probe(part: Part, env: Mapping[str, str] | HangarSettings) -> bool | None:
    """Does ``part`` answer now? None when it has nothing to ask (Slack: never called idly)."""
    settings = settings_of(env)
    if part.name == "postgres":
        from hangar_common.doctor.checks import check_postgres

        return check_postgres(_with_database(settings.postgres_url, "postgres")).ok
    if part.name == "redis":
        from hangar_common.doctor.checks import check_redis

        return check_redis(settings.redis_url).ok
    if part.probe == PROBE_POSTGRES:
        import psycopg

        prefix = "WAREHOUSE" if part.name == "warehouse" else "SOURCE_DB"
        try:
            with psycopg.connect(database_conninfo(settings, prefix)):
                return True
        except psycopg.Error:
            return False
    if part.probe in (PROBE_S3, PROBE_HTTP):
        return _http_answers(part.url)
    return None
