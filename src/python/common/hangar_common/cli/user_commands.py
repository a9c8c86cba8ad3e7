"""``hangar users list | add | remove``: accounts of the FAB auth manager (celery stack, image).

Roles are FAB's (Admin, Op, User, Viewer) and Hangar's (Maintenance, Provisioner). A new user's
password is generated and printed once, or read from stdin with ``--password-stdin``; it never
appears in argv, the environment or a log.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
from typing import Any

from hangar_common.cli.platform_commands import _manager

ROLES = ("Admin", "Op", "User", "Viewer", "Maintenance", "Provisioner")


def _report(done: subprocess.CompletedProcess[str]) -> int:
    """The accounts module's own message on failure (2: a request that cannot be done)."""
    sys.stderr.write(done.stderr if done.returncode == 2 else done.stderr[-2000:])
    return 2 if done.returncode == 2 else 1


def _answer(done: subprocess.CompletedProcess[str]) -> Any:
    """The accounts module's answer: its last line, JSON (Airflow's log lines come before it)."""
    return json.loads(done.stdout.strip().splitlines()[-1])


def cmd_users_list(args: argparse.Namespace) -> int:
    done = _manager(args).manage_users("list")
    if done.returncode != 0:
        return _report(done)
    users = _answer(done)
    width = max([len("USER"), *(len(u["username"]) for u in users)])
    print(f"{'USER':<{width}}  ROLES")
    for user in users:
        active = "" if user["active"] else "  (inactive)"
        print(f"{user['username']:<{width}}  {', '.join(user['roles'])}{active}")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            print("hangar users: error: the password needs at least 8 characters", file=sys.stderr)
            return 2
    else:
        password = secrets.token_urlsafe(12)
    done = _manager(args).manage_users("add", args.username, "--role", args.role, password=password)
    if done.returncode != 0:
        return _report(done)
    print(_answer(done)[0])
    if not args.password_stdin:
        print(f"  password (shown once): {password}")
    return 0


def cmd_users_remove(args: argparse.Namespace) -> int:
    done = _manager(args).manage_users("remove", args.username)
    if done.returncode != 0:
        return _report(done)
    print(_answer(done)[0])
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = commands.add_parser(
        "users",
        help="list, add or remove UI/API users (FAB auth manager: the celery stack)",
        description="Users of the FAB auth manager, in the metadata DB. Roles: "
        + ", ".join(ROLES)
        + ". LDAP or OAuth instead: docs/security.rst.",
    )
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every user and its roles")
    listing.set_defaults(handler=cmd_users_list)
    add = actions.add_parser("add", help="a user with one role; prints a generated password once")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin instead"
    )
    add.set_defaults(handler=cmd_users_add)
    remove = actions.add_parser("remove", help="a user (not the platform's own logins)")
    remove.add_argument("username")
    remove.set_defaults(handler=cmd_users_remove)
