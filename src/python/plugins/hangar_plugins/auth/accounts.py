"""Users of the FAB auth manager, in the metadata DB (``./hangar init``, ``./hangar users``).

Runs in a process the Hangar entrypoint started (Airflow settings in its environment). Roles come
from ``[fab] custom_roles`` (set by :mod:`hangar_common.platform.airflow_config`) through FAB's own
role initialization. Passwords arrive on stdin as JSON, never in argv or the environment, and are
never printed.

Usage: python -m hangar_plugins.auth.accounts sync|add|list|remove [ARGS]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.providers.fab.auth_manager.security_manager.override import (
        FabAirflowSecurityManagerOverride,
    )


class AccountError(ValueError):
    """A request that cannot be carried out; the message says why."""


@contextmanager
def security_manager() -> Iterator[FabAirflowSecurityManagerOverride]:
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    with get_application_builder() as appbuilder:
        yield appbuilder.sm


def _email(username: str) -> str:
    return f"{username}@hangar.invalid"  # FAB requires a unique e-mail; .invalid never routes


def ensure_user(
    sm: FabAirflowSecurityManagerOverride, username: str, role_name: str, password: str
) -> str:
    """Create ``username`` with ``role_name`` and ``password``, or make an existing one match.

    Returns what was done, for ``init``'s output (never the password).
    """
    # FAB hashes passwords with werkzeug (a dependency of the fab provider imported above).
    from werkzeug.security import check_password_hash  # pants: no-infer-dep

    role = sm.find_role(role_name)
    if role is None:
        raise AccountError(f"no role {role_name!r}: roles are {_role_names(sm)}")
    user = sm.find_user(username=username)
    if user is None:
        if not sm.add_user(username, username, "hangar", _email(username), role, password):
            raise AccountError(f"FAB could not create user {username!r}")
        return f"created user {username} ({role_name})"
    changes = []
    if [r.name for r in user.roles] != [role_name]:
        user.roles = [role]
        sm.update_user(user)
        changes.append(f"role {role_name}")
    if not check_password_hash(user.password or "", password):
        sm.reset_password(user.id, password)
        changes.append("password from the secrets")
    if changes:
        return f"updated user {username}: {', '.join(changes)}"
    return f"user {username} unchanged ({role_name})"


def _role_names(sm: FabAirflowSecurityManagerOverride) -> list[str]:
    return sorted(role.name for role in sm.get_all_roles())


def sync(
    sm: FabAirflowSecurityManagerOverride, users: Mapping[str, Mapping[str, str]]
) -> list[str]:
    """FAB's roles (built-in and Hangar's), then the platform's users: ``{name: {role, password}}``."""
    sm.sync_roles()
    return [ensure_user(sm, name, u["role"], u["password"]) for name, u in users.items()]


def add(sm: FabAirflowSecurityManagerOverride, username: str, role_name: str, password: str) -> str:
    if sm.find_user(username=username) is not None:
        raise AccountError(f"user {username!r} exists (remove it first, or pick another name)")
    return ensure_user(sm, username, role_name, password)


def remove(sm: FabAirflowSecurityManagerOverride, username: str, protected: set[str]) -> str:
    if username in protected:
        raise AccountError(f"{username!r} is a platform login (./hangar init recreates it)")
    user = sm.find_user(username=username)
    if user is None:
        raise AccountError(f"no user {username!r}")
    user.roles.clear()
    if not sm.del_register_user(user):
        raise AccountError(f"FAB could not delete user {username!r}")
    return f"removed user {username}"


def list_users(sm: FabAirflowSecurityManagerOverride) -> list[dict[str, Any]]:
    return [
        {"username": u.username, "roles": [r.name for r in u.roles], "active": bool(u.active)}
        for u in sorted(sm.get_all_users(), key=lambda u: u.username)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hangar_plugins.auth.accounts")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("sync", help="roles, then the users given on stdin as JSON")
    add_cmd = sub.add_parser("add", help="a user; its password on stdin as JSON")
    add_cmd.add_argument("username")
    add_cmd.add_argument("--role", required=True)
    sub.add_parser("list")
    remove_cmd = sub.add_parser("remove")
    remove_cmd.add_argument("username")
    remove_cmd.add_argument("--protect", action="append", default=[])
    args = parser.parse_args(argv)
    try:
        with security_manager() as sm:
            answer: object
            if args.command == "sync":
                answer = sync(sm, json.load(sys.stdin))
            elif args.command == "add":
                answer = [add(sm, args.username, args.role, json.load(sys.stdin)["password"])]
            elif args.command == "remove":
                answer = [remove(sm, args.username, set(args.protect))]
            else:
                answer = list_users(sm)
    except AccountError as exc:
        print(f"hangar users: error: {exc}", file=sys.stderr)
        return 2
    # One JSON line, last: Airflow's own log lines share stdout.
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
