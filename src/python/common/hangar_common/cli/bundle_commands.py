"""``hangar deploy | versions | rollback``: versioned DAG-bundle releases, each with its plan."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hangar_common.bundles import dag_policy_check, dag_stability, deploy
from hangar_common.bundles.store import BundleStore, BundleStoreError
from hangar_common.project import find_project_root
from hangar_common.settings import HangarSettings, merged_environment

if TYPE_CHECKING:
    from hangar_common.platform.api_client import AirflowApi


def _environment(root: Path) -> dict[str, str]:
    """Settings, plus the endpoints of the running stack's parts (its embedded object store)."""
    from hangar_common.platform.stack import StackManager

    return StackManager(root, merged_environment(root)).env


def _project_store() -> tuple[Path, BundleStore]:
    root = find_project_root()
    return root, deploy.open_store(_environment(root), root)


def platform_api(root: Path) -> AirflowApi | None:
    """The API of the platform running from this checkout, or None."""
    from hangar_common.platform.api_client import AirflowApi
    from hangar_common.platform.stack import StackManager

    manager = StackManager(root, merged_environment(root))
    running = manager.running_stack()
    if not running or not running.get("api_url"):
        return None
    return AirflowApi(str(running["api_url"]), "admin", manager.admin_password())


def _tell_the_platform(root: Path, dag_files: list[str]) -> None:
    """Ask this checkout's running platform to pick the new current version up now; without
    one (or when it cannot be asked), say when its poll will."""
    from hangar_common.bundles.refresh_request import request_refresh
    from hangar_common.platform.airflow_config import BUNDLE_NAME

    settings = HangarSettings.from_env(merged_environment(root))
    # Before the platform shows any DAG of the bundle, the bundle polls the store every
    # HANGAR_BUNDLE_REFRESH_INTERVAL s (its empty-store interval); afterwards every
    # HANGAR_BUNDLE_STORE_POLL_INTERVAL s.
    fallback = f"the dag-processor picks it up within {settings.bundle_store_poll_interval} s"
    try:
        api = platform_api(root)
        if api is None:
            print(f"no platform running from this checkout: {fallback}")
            return
        asked = request_refresh(api, bundle_name=BUNDLE_NAME, dag_files=dag_files)
    except Exception as exc:  # noqa: BLE001 - the deploy is done; only the shortcut failed
        print(f"could not ask the platform to refresh ({type(exc).__name__}: {exc}): {fallback}")
        return
    if asked is None:
        print(
            "the platform shows no DAG of this bundle yet: the dag-processor picks it up within "
            f"{settings.bundle_refresh_interval} s"
        )
    else:
        print(f"asked the dag-processor to refresh now (reparse of {asked})")


def _print_plan(header: str, lines: list[str]) -> None:
    print(header)
    for line in lines:
        print(f"  {line}")


def reviewed_artifact(
    args: argparse.Namespace,
    root: Path,
    store: BundleStore,
    env: dict[str, str],
    *,
    header: Callable[[str | None], str],
) -> tuple[bytes, deploy.Review] | None:
    """The artifact to publish to ``store`` (``--artifact``, else built) with its review: the
    plan printed under ``header(<live version, 12 characters, or None>)``, then the
    version-inflation guard's and the DAG rules' findings; None when they refuse it."""
    artifact_path = Path(args.artifact) if args.artifact else deploy.build_artifact(root)
    artifact = artifact_path.read_bytes()
    checked = deploy.review(store, artifact, env=env, project_root=root)
    _print_plan(header(checked.against[:12] if checked.against else None), checked.lines)
    print(f"plan computed in {checked.seconds:.1f} s ({checked.dags} DAGs, each parsed twice)")
    if checked.unstable:
        for line in dag_stability.refusal_lines(checked.unstable):
            print(line)
        return None
    mode = HangarSettings.from_env(env).dag_policy
    for line in dag_policy_check.policy_lines(checked.policy_violations, mode=mode):
        print(line)
    if dag_policy_check.refuses(checked.policy_violations, mode=mode):
        return None
    return artifact, checked


def cmd_deploy(args: argparse.Namespace) -> int:
    root, store = _project_store()
    env = _environment(root)
    if args.preview:
        from hangar_common.cli.preview_commands import deploy_preview

        return deploy_preview(args, root, store, env)
    reviewed = reviewed_artifact(
        args,
        root,
        store,
        env,
        header=lambda live: f"plan (against the live version: {live or 'nothing deployed yet'}):",
    )
    if reviewed is None:
        return 1
    artifact, checked = reviewed
    if args.plan or args.dry_run:
        print("plan only: nothing uploaded")
        return 0
    manifest, created = store.publish(
        artifact, git_commit=deploy.git_commit(root), plan=checked.manifest_plan()
    )
    pointer = store.set_current(manifest.version)
    print(
        f"{'deployed' if created else 'already stored'} version {manifest.version[:12]} "
        f"({manifest.size} bytes, {len(manifest.dag_files)} DAG files, commit "
        f"{manifest.git_commit[:12]}); current -> {pointer.version[:12]}"
    )
    _tell_the_platform(root, list(manifest.dag_files))
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    root, store = _project_store()
    if args.diff:
        old, new = (deploy.resolve_version(store, prefix) for prefix in args.diff)
        lines = deploy.diff_versions(store, old, new, env=_environment(root), project_root=root)
        _print_plan(f"{old[:12]} -> {new[:12]}:", lines)
        return 0
    pointer = store.current()
    versions = store.versions()
    if not versions:
        print(f"no versions in {deploy.store_url(_environment(root), root)}")
        return 0
    for manifest in versions:
        mark = "*" if pointer and pointer.version == manifest.version else " "
        print(
            f"{mark} {manifest.version[:12]}  {manifest.built_at}  commit "
            f"{manifest.git_commit[:12]}  {manifest.size:>8} B  {len(manifest.dag_files)} DAG files"
        )
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    root, store = _project_store()
    pointer = store.current()
    target = args.version or (pointer.previous if pointer else None)
    if not target:
        print("hangar: error: no previous version to roll back to; name one (./hangar versions)")
        return 2
    try:
        version = deploy.resolve_version(store, target)
    except BundleStoreError as exc:
        print(f"hangar: error: {exc}")
        return 2
    try:
        moved = store.set_current(version)
    except BundleStoreError as exc:
        print(f"hangar: error: cannot roll back: {exc}")
        return 1
    print(f"current -> {moved.version[:12]} (was {(moved.previous or '-')[:12]})")
    _tell_the_platform(root, list(store.manifest(version).dag_files))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deploy_parser = commands.add_parser(
        "deploy", help="build the DAG bundle and publish it as the current version"
    )
    deploy_parser.add_argument(
        "--plan",
        action="store_true",
        help="show what the deploy changes, DAG by DAG, and check its DAGs; upload nothing",
    )
    deploy_parser.add_argument("--dry-run", action="store_true", help="the same as --plan")
    deploy_parser.add_argument("--artifact", help="publish this PEX instead of building one")
    deploy_parser.add_argument(
        "--preview",
        metavar="NAME",
        help="publish as preview NAME beside the deployed DAGs (ids end in __preview_NAME, "
        "paused, own warehouse schemas and lake prefix); the live version is not touched",
    )
    deploy_parser.set_defaults(handler=cmd_deploy)

    versions = commands.add_parser("versions", help="list deployed bundle versions")
    versions.add_argument(
        "--diff",
        nargs=2,
        metavar=("A", "B"),
        help="what moving from stored version A to B changes, DAG by DAG (version prefixes)",
    )
    versions.set_defaults(handler=cmd_versions)

    rollback = commands.add_parser("rollback", help="point current at an earlier version")
    rollback.add_argument("version", nargs="?", help="version (prefix); default: the previous")
    rollback.set_defaults(handler=cmd_rollback)
