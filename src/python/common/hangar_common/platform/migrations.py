"""Is the metadata DB at the migration heads this installation's Airflow expects? Answered in
milliseconds, without importing Airflow.

A container's long-running component waits for ``init``'s migration before it starts
(:mod:`.entrypoint`). Airflow's own check, ``airflow db check-migrations``, imports Airflow and
its providers first: about 4 CPU seconds, and a Compose stack starts eight components at once on
a machine that may have two cores. This answers the common case, a database migrated already (any
start but the first), from the revision files' heads and the version tables. Anything else (not
migrated yet, a layout it does not know, an error) is "not known", and the entrypoint asks Airflow.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*[\"']([0-9A-Za-z_]+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)
_REVISION_ID = re.compile(r"[\"']([0-9A-Za-z_]+)[\"']")
# The packages with migrations Airflow's check covers (core, and the providers' database managers
# it finds installed), each with its version table. A provider with migrations not listed here
# makes the answer "not known" rather than wrong.
VERSION_TABLES = {"airflow": "alembic_version", "airflow/providers/fab": "alembic_version_fab"}


def migration_head(versions: Path) -> str | None:
    """The one head revision of an Alembic ``versions`` folder; None unless exactly one."""
    revisions: set[str] = set()
    replaced: set[str] = set()
    for path in versions.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision = _REVISION.search(text)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        down = _DOWN_REVISION.search(text)
        if down is not None:
            replaced.update(_REVISION_ID.findall(down.group(1)))
    heads = revisions - replaced
    return heads.pop() if len(heads) == 1 else None


def expected_heads(roots: Iterable[Path]) -> dict[str, str] | None:
    """Version table -> head revision for Airflow and its installed providers with migrations;
    None when a layout is unknown. ``roots``: the folders that may hold ``airflow/`` (a venv has
    one; a PEX one per distribution)."""
    folders: dict[str, Path] = {}
    for root in roots:
        if (root / "airflow/migrations").is_dir():
            folders.setdefault("airflow", root / "airflow/migrations")
        for path in root.glob("airflow/providers/*/migrations"):
            folders.setdefault(path.parent.relative_to(root).as_posix(), path)
    if "airflow" not in folders or set(folders) - set(VERSION_TABLES):
        return None
    heads = {}
    for package, folder in sorted(folders.items()):
        head = migration_head(folder / "versions")
        if head is None:
            return None
        heads[VERSION_TABLES[package]] = head
    return heads


def airflow_roots() -> list[Path]:
    """The import path's folders holding an ``airflow`` package (found, not imported)."""
    return [Path(entry) for entry in sys.path if entry and Path(entry, "airflow").is_dir()]


def is_migrated(sql_alchemy_conn: str) -> bool:
    """True only when every version table holds its expected head; False means "not known"."""
    heads = expected_heads(airflow_roots())
    conninfo = re.sub(r"^postgresql\+\w+://", "postgresql://", sql_alchemy_conn)
    if not heads or not conninfo.startswith("postgresql://"):
        return False
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(conninfo, connect_timeout=5) as conn:
            for table, head in heads.items():
                query = sql.SQL("SELECT version_num FROM {}").format(sql.Identifier(table))
                if conn.execute(query).fetchall() != [(head,)]:
                    return False
    except psycopg.Error:
        return False
    return True
