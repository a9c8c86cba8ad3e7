"""Metadata DB cleanup with ``airflow db clean`` semantics (the housekeeping_metadata_db DAG).

Airflow 3 blocks the metadata DB inside task processes; the platform's own cleanup is the
exception the official Helm chart makes with its ``airflow db clean`` CronJob. The task starts
this module as a child process whose Airflow settings name the metadata DB from the platform's
settings (``HANGAR_METADATA_DB_URL``), and reads one JSON line back: rows per table.

Airflow's ``run_cleanup`` does the work (the last scheduled run of each DAG is always kept, as
``airflow db clean`` does); deleted rows are not archived, and archive tables left by earlier
manual ``airflow db clean`` runs are dropped.

Usage: python -m hangar_plugins.housekeeping.metadata_db --before ISO8601 [--dry-run]
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from datetime import datetime

from hangar_common.platform.airflow_config import sqlalchemy_url
from hangar_common.settings import HangarSettings, process_environ

_CHECKING = re.compile(r"^Checking table (\S+)$")
_FOUND = re.compile(r"^Found (\d+) rows meeting deletion criteria\.$")


@dataclass(frozen=True, kw_only=True)
class CleanupReport:
    """What a cleanup removed (or, in a dry run, would remove)."""

    before: str
    dry_run: bool
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows past the retention
    archive_tables_dropped: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        found = {table: n for table, n in sorted(self.rows.items()) if n}
        lines = [f"{verb} {self.total} rows older than {self.before}"]
        lines += [f"  {table}: {n}" for table, n in found.items()]
        if self.archive_tables_dropped:
            lines.append(f"dropped archive tables: {', '.join(self.archive_tables_dropped)}")
        return lines


def rows_found(cleanup_output: str) -> dict[str, int]:
    """Rows per table from ``run_cleanup``'s own report ("Checking table T" / "Found N rows")."""
    rows: dict[str, int] = {}
    table = None
    for line in cleanup_output.splitlines():
        if checking := _CHECKING.match(line.strip()):
            table = checking.group(1)
        elif (found := _FOUND.match(line.strip())) and table is not None:
            rows[table] = int(found.group(1))
            table = None
    return rows


def clean(*, before: datetime, dry_run: bool) -> CleanupReport:
    """Run Airflow's cleanup in this process (its settings must name the metadata DB)."""
    import pendulum
    from airflow.utils import db_cleanup
    from airflow.utils.session import create_session
    from sqlalchemy import inspect

    output = io.StringIO()
    with redirect_stdout(output):
        db_cleanup.run_cleanup(
            clean_before_timestamp=pendulum.instance(before),
            dry_run=dry_run,
            confirm=False,
            skip_archive=True,
            error_on_cleanup_failure=True,
        )
    dropped: list[str] = []
    if not dry_run:
        with create_session() as session:
            dropped = sorted(
                name
                for name in inspect(session.bind).get_table_names()
                if name.startswith(db_cleanup.ARCHIVE_TABLE_PREFIX)
            )
        if dropped:
            db_cleanup.drop_archived_tables(table_names=None, needs_confirm=False)
    return CleanupReport(
        before=before.isoformat(),
        dry_run=dry_run,
        rows=rows_found(output.getvalue()),
        archive_tables_dropped=dropped,
    )


def clean_in_child_process(*, before: datetime, dry_run: bool) -> CleanupReport:
    """From a task: run :func:`clean` in a child whose Airflow settings reach the metadata DB."""
    env = dict(process_environ())
    metadata_db = HangarSettings.from_env(env).effective_metadata_db_url
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = sqlalchemy_url(metadata_db)
    args = [sys.executable, "-m", __name__, "--before", before.isoformat()]
    done = subprocess.run(
        [*args, *(["--dry-run"] if dry_run else [])],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"metadata DB cleanup failed:\n{done.stderr[-3000:]}")
    return CleanupReport(**json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=__name__)
    parser.add_argument("--before", required=True, type=datetime.fromisoformat)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    if args.before.tzinfo is None:
        parser.error("--before needs a time zone (ISO 8601 with an offset)")
    report = clean(before=args.before, dry_run=args.dry_run)
    # One JSON line, last: Airflow's own log lines share stdout.
    print(
        json.dumps(
            {
                "before": report.before,
                "dry_run": report.dry_run,
                "rows": report.rows,
                "archive_tables_dropped": report.archive_tables_dropped,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
