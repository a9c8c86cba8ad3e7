"""``is_migrated`` against a real PostgreSQL database of the test's own."""

from __future__ import annotations

import psycopg
from psycopg import sql

from hangar_common.platform.migrations import airflow_roots, expected_heads, is_migrated
from tests.support.postgres import scratch_database


def test_only_a_database_at_every_head_counts_as_migrated() -> None:
    heads = expected_heads(airflow_roots())
    assert heads is not None and set(heads) == {"alembic_version", "alembic_version_fab"}
    with scratch_database("hangar_migrations") as url:
        assert not is_migrated(url)  # a new database: no version table yet
        with psycopg.connect(url, autocommit=True) as conn:
            for table in heads:
                conn.execute(
                    sql.SQL("CREATE TABLE {} (version_num varchar(32) PRIMARY KEY)").format(
                        sql.Identifier(table)
                    )
                )
            conn.execute("INSERT INTO alembic_version VALUES ('0123456789ab')")  # an older one
            conn.execute(
                "INSERT INTO alembic_version_fab VALUES (%s)", (heads["alembic_version_fab"],)
            )
            assert not is_migrated(url)
            conn.execute("UPDATE alembic_version SET version_num = %s", (heads["alembic_version"],))
            # As Airflow's setting names it (a driver in the scheme).
            assert is_migrated(url.replace("postgresql://", "postgresql+psycopg2://", 1))
            conn.execute("DELETE FROM alembic_version_fab")
            assert not is_migrated(url)
    assert not is_migrated("sqlite:////tmp/airflow.db")
    assert not is_migrated("postgresql://nobody@127.0.0.1:1/nothing")  # no server: not known
