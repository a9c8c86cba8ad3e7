"""``hangar test DAG_ID [--date YYYY-MM-DD]``: run one DAG for real, in seconds, and report.

Against the running platform's services (warehouse, object store, sources: the endpoints
``./hangar status`` lists) when a platform runs, else against throwaway ones started for the run
and stopped after. The run itself never touches the platform's metadata DB or scheduler
(:mod:`hangar_common.dagtest.launch`).
"""

from __future__ import annotations

import argparse
from contextlib import AbstractContextManager, nullcontext
from datetime import date

from hangar_common.project import find_project_root
from hangar_common.settings import merged_environment


def day(text: str) -> date:
    """``--date``'s value: a day, YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day (YYYY-MM-DD)") from None


def cmd_test(args: argparse.Namespace) -> int:
    from hangar_common.dagtest.launch import run_dag_test
    from hangar_common.dagtest.report import render
    from hangar_common.dagtest.services import throwaway_services
    from hangar_common.platform.stack import StackManager

    root = find_project_root()
    manager = StackManager(root, merged_environment(root))  # the running stack's endpoints
    folder = manager.paths.root / "dagtest"
    if manager.running_stack() is not None:
        print(f"Testing {args.dag_id} against the running platform's services")
        services: AbstractContextManager[dict[str, str]] = nullcontext(manager.env)
    else:
        print(
            f"Testing {args.dag_id}: no platform runs, so against throwaway services "
            "(./hangar up first to test against its warehouse and lake)"
        )
        services = throwaway_services(manager.env, folder=folder / "services", announce=True)
    with services as env:
        report = run_dag_test(
            project_root=root,
            env=env,
            dag_id=args.dag_id,
            day=args.date,
            work_dir=folder / args.dag_id,
        )
    print(render(report))
    return report.exit_code


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    test = commands.add_parser(
        "test",
        help="run one DAG for real with dag.test() and report tasks, rows and objects written",
        description="Run DAG_ID once in this process's own Airflow (its own metadata DB, the "
        "platform's settings, policy, plugin and connections; no scheduler) against the running "
        "platform's services, or throwaway ones when none runs. Exit code: 0 when the run "
        "succeeds, 1 when it fails.",
    )
    test.add_argument("dag_id", help="e.g. ingest_sales")
    test.add_argument(
        "--date",
        type=day,
        help="the day whose data the run processes (the schedule's interval starting on it); "
        "default: a run without a logical date (the latest complete interval)",
    )
    test.set_defaults(handler=cmd_test)
