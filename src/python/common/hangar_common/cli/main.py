"""``hangar``: one entry point, one subcommand per capability.

Each subcommand is a function ``(args) -> exit code`` registered in :func:`build_parser`; later
capabilities add theirs there. Errors a user can fix are printed as one line, without a traceback.
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Sequence

import hangar_common
from hangar_common.bundles.store import BundleStoreError
from hangar_common.cli import (
    bundle_commands,
    dagtest_commands,
    env_commands,
    generate_commands,
    platform_commands,
    preview_commands,
    query_commands,
    user_commands,
)
from hangar_common.doctor.result import render_table
from hangar_common.doctor.run import run_checks
from hangar_common.project import find_project_root
from hangar_common.settings import ConfigurationError, load_settings, merged_environment


def _cmd_version(args: argparse.Namespace) -> int:
    print(f"hangar {hangar_common.__version__} (Python {platform.python_version()})")
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    root = find_project_root()
    env = load_settings(root)
    results = run_checks(root, env, merged_environment(root))
    print(render_table(results))
    return 0 if all(result.ok for result in results) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hangar",
        description="Hangar: build, test, ship and run Apache Airflow pipelines.",
    )
    parser.add_argument(
        "-V", "--version", action="version", version=f"hangar {hangar_common.__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    version = commands.add_parser("version", help="print the Hangar version")
    version.set_defaults(handler=_cmd_version)

    doctor = commands.add_parser(
        "doctor",
        help="check this machine: Python, Airflow, PostgreSQL, Redis, Pants, disk",
        description="Run every check and print a table of OK/FAIL with the fix for each failure."
        " With HANGAR_DAG_POLICY=warn, also one WARN row per DAG of the running platform that"
        " breaks the DAG rules. Exits 1 when any check fails.",
    )
    doctor.set_defaults(handler=_cmd_doctor)
    platform_commands.register(commands)
    bundle_commands.register(commands)
    preview_commands.register(commands)
    generate_commands.register(commands)
    query_commands.register(commands)
    dagtest_commands.register(commands)
    user_commands.register(commands)
    env_commands.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (ConfigurationError, FileNotFoundError, BundleStoreError) as exc:
        print(f"hangar: error: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, TimeoutError) as exc:
        print(f"hangar: failed: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
