"""The migration heads read from the revision files, checked against Alembic's own answer for the
installed Airflow and FAB provider (this test fails when an upgrade changes their layout)."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory  # pants: no-infer-dep (comes with apache-airflow)

from hangar_common.platform.migrations import airflow_roots, expected_heads, migration_head


def test_the_heads_are_alembic_s_for_the_installed_airflow_and_fab() -> None:
    roots = airflow_roots()
    heads = expected_heads(roots)
    assert heads is not None, roots

    def alembic_heads(package: str) -> list[str]:
        folder = next(root / package for root in roots if (root / package / "migrations").is_dir())
        return list(ScriptDirectory(str(folder / "migrations")).get_heads())

    alembic = {
        "alembic_version": alembic_heads("airflow"),
        "alembic_version_fab": alembic_heads("airflow/providers/fab"),
    }
    assert {table: [head] for table, head in heads.items()} == alembic


def _revision(folder: Path, revision: str, down: str) -> None:
    (folder / f"{revision}.py").write_text(f'revision = "{revision}"\ndown_revision = {down}\n')


def test_a_branched_history_has_no_single_head(tmp_path: Path) -> None:
    _revision(tmp_path, "aaa1", "None")
    _revision(tmp_path, "bbb2", '"aaa1"')
    assert migration_head(tmp_path) == "bbb2"
    _revision(tmp_path, "ccc3", '"aaa1"')  # a second branch from aaa1
    assert migration_head(tmp_path) is None
    _revision(tmp_path, "ddd4", '("bbb2", "ccc3")')  # merged again
    assert migration_head(tmp_path) == "ddd4"


def test_a_provider_with_migrations_of_an_unknown_table_is_not_answered(tmp_path: Path) -> None:
    for package in ("airflow", "airflow/providers/edge3"):
        versions = tmp_path / package / "migrations" / "versions"
        versions.mkdir(parents=True)
        _revision(versions, "aaa1", "None")
    assert expected_heads([tmp_path]) is None
    assert expected_heads([tmp_path / "elsewhere"]) is None  # no Airflow at all
