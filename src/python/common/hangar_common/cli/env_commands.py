"""``hangar env export``: the running platform's pools, connections and variables, written in
config/environment.yaml's form with every secret a ``${NAME}`` reference (never a value)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from hangar_common.cli.platform_commands import _manager
from hangar_common.platform.secrets import MAINTENANCE_PASSWORD, PROVISIONER_PASSWORD, SECRET_NAMES
from hangar_common.settings import ConfigurationError


def check_target(target: Path, *, protected: Path, force: bool) -> None:
    """Refuse a target that cannot be written, or the applied environment file without --force.

    Overwriting the file init applies would silently lose its comments and its ``${...}``
    defaults that do not match this platform: that takes ``--force``; any other file is
    replaced like ``-o`` of most tools.

    :raises ConfigurationError: naming the target and the way out.
    """
    if target.is_dir():
        raise ConfigurationError(f"--output {target} is a directory: name a file")
    if not target.parent.is_dir():
        raise ConfigurationError(f"--output {target}: folder {target.parent} does not exist")
    if not force and target.exists() and protected.exists() and target.samefile(protected):
        raise ConfigurationError(
            f"--output {target} is the environment file ./hangar init applies: overwriting it "
            "loses its comments and defaults; pass --force, or write elsewhere and diff"
        )


def write_atomically(target: Path, text: str) -> None:
    """``text`` into ``target`` via a temporary file in its folder and a rename: a reader (or
    a crash) sees the old file or the new one, never half of one."""
    mode = (target.stat().st_mode & 0o777) if target.exists() else 0o644
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)  # mkstemp's 0600: the file holds no secret
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def cmd_env_export(args: argparse.Namespace) -> int:
    manager = _manager(args)
    target = Path(args.output).absolute() if args.output else None
    if target is not None:
        check_target(target, protected=manager.environment_file, force=args.force)
    exported = manager.export_environment()
    text = str(exported["text"])
    for note in exported.get("notes", []):
        print(f"hangar env export: note: {note}", file=sys.stderr)
    if target is None:
        sys.stdout.write(text)
    else:
        write_atomically(target, text)
        print(f"wrote {target}", file=sys.stderr)
    # Hangar's own logins: a fresh platform's init generates them (and its users to match).
    generated = {MAINTENANCE_PASSWORD, PROVISIONER_PASSWORD, *SECRET_NAMES}
    needs = [name for name in exported.get("needs", []) if name not in generated]
    own = [name for name in exported.get("needs", []) if name in generated]
    if needs:
        print(
            "hangar env export: set these where the file is applied (names only): "
            + ", ".join(needs),
            file=sys.stderr,
        )
    if own:
        print(
            "hangar env export: ./hangar init generates these where they are unset: "
            + ", ".join(own),
            file=sys.stderr,
        )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    env = commands.add_parser(
        "env",
        help="export the running platform's pools, connections and variables",
        description="The platform's Airflow environment in config/environment.yaml's form.",
    )
    actions = env.add_subparsers(dest="env_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="write pools, connections and variables as environment.yaml (secrets as ${NAME})",
        description="Read the running platform's pools, connections and variables from its "
        "metadata DB and write them in config/environment.yaml's form. Secrets (passwords, "
        "extras and variables Airflow masks) are ${NAME} references, never values; the names "
        "to set are printed to stderr.",
    )
    export.add_argument("--output", "-o", metavar="FILE", help="write FILE (default: stdout)")
    export.add_argument(
        "--force",
        action="store_true",
        help="allow --output to replace the environment file ./hangar init applies",
    )
    export.set_defaults(handler=cmd_env_export)
