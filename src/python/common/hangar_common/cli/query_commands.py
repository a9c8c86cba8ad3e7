"""``hangar query``: run one SQL statement against the warehouse (or the example source) of the
running stack, and print the rows. The quickest way to see what a pipeline loaded."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from hangar_common.project import find_project_root
from hangar_common.settings import ConfigurationError, HangarSettings, merged_environment

# database -> the prefix of its HANGAR_<PREFIX>_HOST/PORT/USER/PASSWORD settings
DATABASES = {"warehouse": "WAREHOUSE", "source": "SOURCE_DB"}


def conninfo(env: Mapping[str, str], database: str) -> str:
    """The connection string of ``database`` as every component of the stack reaches it."""
    from hangar_common.platform.services import database_conninfo

    return database_conninfo(HangarSettings.from_env(env), DATABASES[database], connect_timeout=5)


def render(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain text table (``psql``'s aligned format, without the frills)."""
    cells = [[("" if value is None else str(value)) for value in row] for row in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def cmd_query(args: argparse.Namespace) -> int:
    import psycopg

    from hangar_common.platform.stack import StackManager

    root = find_project_root()
    env = StackManager(root, merged_environment(root)).env  # the running stack's endpoints
    try:
        with psycopg.connect(conninfo(env, args.database)) as conn:
            cursor = conn.execute(args.sql)
            if cursor.description is None:
                print(cursor.statusmessage or "done")
                return 0
            columns = [column.name for column in cursor.description]
            print(render(columns, cursor.fetchmany(args.limit)))
    except psycopg.OperationalError as exc:
        raise ConfigurationError(
            f"the {args.database} database cannot be reached ({str(exc).strip()}): is the "
            "platform up (./hangar status)?"
        ) from None
    except psycopg.Error as exc:
        raise ConfigurationError(f"{args.database}: {str(exc).strip()}") from None
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    query = commands.add_parser(
        "query",
        help="run SQL against the warehouse (or the example source) and print the rows",
        description="Run one SQL statement where the pipelines load, e.g. "
        "./hangar query 'SELECT count(*) FROM raw.sales'",
    )
    query.add_argument("sql", help="one SQL statement")
    query.add_argument("--database", choices=sorted(DATABASES), default="warehouse")
    query.add_argument("--limit", type=int, default=50, help="rows printed at most")
    query.set_defaults(handler=cmd_query)
