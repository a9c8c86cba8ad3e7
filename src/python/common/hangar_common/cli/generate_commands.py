"""``hangar generate``: render the template-built DAG files (``--check``: only compare)."""

from __future__ import annotations

import argparse

from hangar_common.generate.references import (
    render_references,
    stale_references,
    write_references,
)
from hangar_common.generate.render import render_all, stale_files, write_all
from hangar_common.project import find_project_root


def _cmd_generate(args: argparse.Namespace) -> int:
    root = find_project_root()
    files = render_all(root)
    references = render_references()
    if args.check:
        stale = stale_files(root, files) + stale_references(root, references)
        for path in stale:
            print(f"stale: {path}")
        if stale:
            print("run ./hangar generate and commit the result")
            return 1
        print(f"{len(files) + len(references)} generated files are current")
        return 0
    changed = write_all(root, files) + write_references(root, references)
    for path in changed:
        print(f"wrote: {path}")
    print(f"{len(files) + len(references)} generated files, {len(changed)} changed")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    generate = commands.add_parser(
        "generate",
        help="render the generated files: provider DAGs, .env.example, settings and CLI pages,"
        " Compose metrics config",
        description="Render hangar_dags/generated/ from config/providers.yaml and the template,"
        " and .env.example, docs/settings.rst and docs/cli_reference.rst from the settings model"
        " and this CLI, and docker/metrics' Prometheus and collectd files from the metrics"
        " module. --check exits 1 when the checked-in files are stale.",
    )
    generate.add_argument("--check", action="store_true", help="compare only; write nothing")
    generate.set_defaults(handler=_cmd_generate)
