"""``hangar deploy | versions | rollback``: versioned DAG-bundle releases."""

from __future__ import annotations

import argparse
from pathlib import Path

from hangar_common.bundles import deploy
from hangar_common.bundles.store import BundleStore, BundleStoreError
from hangar_common.project import find_project_root
from hangar_common.settings import merged_environment


def _environment(root: Path) -> dict[str, str]:
    """Settings, plus the endpoints of the running stack's parts (its embedded object store)."""
    from hangar_common.platform.stack import StackManager

    return StackManager(root, merged_environment(root)).env


def _project_store() -> tuple[Path, BundleStore]:
    root = find_project_root()
    return root, deploy.open_store(_environment(root), root)


def cmd_deploy(args: argparse.Namespace) -> int:
    root, store = _project_store()
    artifact_path = Path(args.artifact) if args.artifact else deploy.build_artifact(root)
    artifact = artifact_path.read_bytes()
    changes = deploy.changes_against_current(store, artifact)
    for label, paths in (("+", changes.added), ("~", changes.changed), ("-", changes.removed)):
        for path in paths:
            print(f"  {label} {path}")
    if args.dry_run:
        print("dry run: nothing uploaded" + (" (no file changes)" if changes.empty else ""))
        return 0
    manifest, created = store.publish(artifact, git_commit=deploy.git_commit(root))
    pointer = store.set_current(manifest.version)
    print(
        f"{'deployed' if created else 'already stored'} version {manifest.version[:12]} "
        f"({manifest.size} bytes, {len(manifest.dag_files)} DAG files, commit "
        f"{manifest.git_commit[:12]}); current -> {pointer.version[:12]}"
    )
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    root, store = _project_store()
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
    _, store = _project_store()
    pointer = store.current()
    target = args.version or (pointer.previous if pointer else None)
    if not target:
        print("hangar: error: no previous version to roll back to; name one (./hangar versions)")
        return 2
    matches = [m.version for m in store.versions() if m.version.startswith(target)]
    if len(matches) != 1:
        print(f"hangar: error: {target!r} matches {len(matches)} versions (./hangar versions)")
        return 2
    try:
        moved = store.set_current(matches[0])
    except BundleStoreError as exc:
        print(f"hangar: error: cannot roll back: {exc}")
        return 1
    print(f"current -> {moved.version[:12]} (was {(moved.previous or '-')[:12]})")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deploy_parser = commands.add_parser(
        "deploy", help="build the DAG bundle and publish it as the current version"
    )
    deploy_parser.add_argument(
        "--dry-run", action="store_true", help="show which files change; upload nothing"
    )
    deploy_parser.add_argument("--artifact", help="publish this PEX instead of building one")
    deploy_parser.set_defaults(handler=cmd_deploy)

    versions = commands.add_parser("versions", help="list deployed bundle versions")
    versions.set_defaults(handler=cmd_versions)

    rollback = commands.add_parser("rollback", help="point current at an earlier version")
    rollback.add_argument("version", nargs="?", help="version (prefix); default: the previous")
    rollback.set_defaults(handler=cmd_rollback)
