"""``hangar init | up | down | status``: the platform's lifecycle from the command line."""

from __future__ import annotations

import argparse

from hangar_common.platform.airflow_config import Profile, Stack
from hangar_common.platform.api_client import AirflowApi
from hangar_common.platform.stack import StackManager
from hangar_common.project import find_project_root
from hangar_common.settings import HangarSettings, merged_environment


def _manager(args: argparse.Namespace) -> StackManager:
    root = find_project_root()
    env = merged_environment(root)
    if getattr(args, "profile", None):
        env["HANGAR_PROFILE"] = args.profile
    if getattr(args, "with_metrics", False):
        env["HANGAR_METRICS"] = "true"
    return StackManager(root, env)


def cmd_init(args: argparse.Namespace) -> int:
    for line in _manager(args).init(Stack(args.stack)):
        print(line)
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    manager = _manager(args)
    stack = Stack(args.stack)
    result = manager.up(stack, workers=args.workers, timeout=args.timeout)
    if result.already_running:
        print(f"Hangar is already up: {result.api_url} (./hangar status for details)")
        return 0
    print(f"Hangar ({stack.value} stack) is up in {result.seconds_to_healthy:.1f} s")
    print(f"  UI and REST API: {result.api_url}")
    if result.admin_password_generated:
        print(f"  login: admin / {manager.admin_password()}")
    else:
        print("  login: admin / the password in HANGAR_ADMIN_PASSWORD")
    for line in result.prepared:
        print(f"  {line}")
    for name, _state, detail in manager.part_rows():
        print(f"  {name:<13} {detail}")
    if not HangarSettings.from_env(manager.env).slack_token:
        print("  Slack alerts are off: set HANGAR_SLACK_TOKEN to turn them on")
    print(f"  logs: {manager.paths.logs}   stop: ./hangar down")
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    manager = _manager(args)
    if args.purge:
        done = manager.purge()
        print(f"Hangar purged {manager.paths.root}:")
        for line in done:
            print(f"  {line}")
        return 0
    if manager.supervisor.pid() is None:
        print("Hangar is not running")
        return 0
    leftovers = manager.down()
    print("Hangar stopped" + (f" (also killed leftover PIDs {leftovers})" if leftovers else ""))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    rows = _manager(args).status_rows()
    width = max(len(name) for name, _, _ in rows)
    for name, state, detail in rows:
        print(f"{name:<{width}}  {state:<9}  {detail}")
    states = {name: state for name, state, _ in rows}
    healthy = states.get("supervisord") == "RUNNING" and states.get("api-health") == "HEALTHY"
    return 0 if healthy and "DOWN" not in states.values() else 1


def cmd_smoke(args: argparse.Namespace) -> int:
    manager = _manager(args)
    url = args.api_url or manager.config(Stack.EMBEDDED).api_url
    api = AirflowApi(url, "admin", manager.admin_password())
    dag_id = "platform_smoke_check"
    api.wait_for_dag(dag_id, timeout=args.timeout)
    api.unpause(dag_id)
    run_id = api.trigger(dag_id, {"chunks": args.chunks})
    state = api.wait_for_run(dag_id, run_id, timeout=args.timeout)
    hosts = sorted({ti["hostname"] for ti in api.task_instances(dag_id, run_id)})
    print(f"{dag_id} run {run_id}: {state} (task hosts: {', '.join(hosts)})")
    return 0 if state == "success" else 1


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stacks = [stack.value for stack in Stack]
    profiles = [profile.value for profile in Profile]

    init = commands.add_parser("init", help="set up state, secrets, metadata DB, connections")
    init.add_argument("--stack", choices=stacks, default=Stack.EMBEDDED.value)
    init.set_defaults(handler=cmd_init)

    up = commands.add_parser(
        "up",
        help="start the platform in the background; returns when the API is healthy",
        description="Start Airflow: the embedded stack (SQLite, LocalExecutor) by default, or "
        "the production topology with --stack celery (PostgreSQL, Redis, Celery workers, Flower).",
    )
    up.add_argument("--stack", choices=stacks, default=Stack.EMBEDDED.value)
    up.add_argument("--workers", type=int, default=2, help="Celery workers (celery stack)")
    up.add_argument("--profile", choices=profiles, help="timeouts profile (default: default)")
    up.add_argument("--timeout", type=float, default=300, help="seconds to wait for health")
    up.add_argument(
        "--with-metrics",
        action="store_true",
        help="also start Prometheus and its exporters (HANGAR_METRICS=true does the same)",
    )
    up.set_defaults(handler=cmd_up)

    down = commands.add_parser("down", help="stop everything `up` started")
    down.add_argument(
        "--purge",
        action="store_true",
        help="also drop the databases this stack created (those PostgreSQL marks as its own) "
        "and remove its state: identity, secrets, the started parts' data (logs stay)",
    )
    down.set_defaults(handler=cmd_down)

    status = commands.add_parser("status", help="show each component's state")
    status.set_defaults(handler=cmd_status)

    smoke = commands.add_parser(
        "smoke", help="run the platform_smoke_check DAG through the REST API and wait for it"
    )
    smoke.add_argument("--api-url", help="default: the local stack's API")
    smoke.add_argument("--chunks", type=int, default=12, help="parallel tasks")
    smoke.add_argument("--timeout", type=float, default=300)
    smoke.set_defaults(handler=cmd_smoke)
