"""``hangar deploy --preview NAME | previews | previews remove NAME``: a branch's DAGs on the
running platform, beside the deployed ones (:mod:`hangar_common.bundles.previews`)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hangar_common.bundles import deploy, previews
from hangar_common.bundles.store import BundleStore
from hangar_common.cli import bundle_commands
from hangar_common.settings import HangarSettings, merged_environment

if TYPE_CHECKING:
    from hangar_common.platform.api_client import AirflowApi

STALE_WAIT_S = 60
REASK_S = 10


def _ask_refresh(root: Path) -> None:
    settings = HangarSettings.from_env(merged_environment(root))
    fallback = f"the dag-processor picks it up within {settings.bundle_store_poll_interval} s"
    try:
        api = bundle_commands.platform_api(root)
        if api is None:
            print(f"no platform running from this checkout: {fallback}")
            return
        api.request_bundle_refresh(previews.PREVIEWS_BUNDLE_NAME)
    except Exception as exc:  # noqa: BLE001 - the store is written; only the shortcut failed
        print(f"could not ask the platform to refresh ({type(exc).__name__}: {exc}): {fallback}")
        return
    print(f"asked the dag-processor to refresh bundle {previews.PREVIEWS_BUNDLE_NAME} now")


def preview_dags(api: AirflowApi, name: str, *, stale: bool) -> list[dict[str, Any]]:
    """The platform's DAGs of preview ``name`` (with ``stale``: also those already gone)."""
    found = api.get("dags", tags=previews.preview_tag(name), exclude_stale=not stale, limit=1000)[
        "dags"
    ]
    return [dag for dag in found if previews.preview_of(str(dag["dag_id"])) == name]


def deploy_preview(
    args: argparse.Namespace, root: Path, store: BundleStore, env: dict[str, str]
) -> int:
    """``deploy --preview NAME``: the working tree's bundle as preview ``NAME``."""
    try:
        name = previews.checked_name(args.preview)
    except ValueError as exc:
        print(f"hangar: error: {exc}")
        return 2
    own = previews.preview_store(store, name)
    reviewed = bundle_commands.reviewed_artifact(
        args,
        root,
        own,
        env,
        header=lambda live: f"preview {name}: plan (against {live or 'a new preview'}):",
    )
    if reviewed is None:
        return 1
    artifact, checked = reviewed
    if args.plan or args.dry_run:
        print("plan only: nothing uploaded")
        return 0
    manifest, _ = own.publish(
        artifact, git_commit=deploy.git_commit(root), plan=checked.manifest_plan()
    )
    own.set_current(manifest.version)
    lake = HangarSettings.from_env(env).lake_url
    print(
        f"preview {name}: version {manifest.version[:12]} ({len(manifest.dag_files)} DAG files, "
        f"commit {manifest.git_commit[:12]}) in bundle {previews.PREVIEWS_BUNDLE_NAME}\n"
        f"  its DAGs: <dag_id>{previews.DAG_ID_MARK}{name}, tag {previews.preview_tag(name)}, "
        "paused on arrival (unpause one to run it)\n"
        f"  they write to schemas {previews.preview_schema('<schema>', name)} and "
        f"{previews.preview_lake(lake, name)}/; ./hangar previews remove {name} takes them away"
    )
    _ask_refresh(root)
    return 0


def cmd_previews(args: argparse.Namespace) -> int:
    root, store = bundle_commands._project_store()
    described = previews.describe(store)
    if not described:
        print(f"no previews in {store.root}/{previews.PREVIEWS_FOLDER}")
        return 0
    api = bundle_commands.platform_api(root)
    for name, pointer, manifest in described:
        shown = ""
        if api is not None:
            shown = f"  {len(preview_dags(api, name, stale=False))} DAGs on the platform"
        print(
            f"{name:<24} {pointer.version[:12]}  {pointer.updated_at}  commit "
            f"{manifest.git_commit[:12]}  {len(manifest.dag_files)} DAG files{shown}"
        )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    try:
        name = previews.checked_name(args.name)
    except ValueError as exc:
        print(f"hangar: error: {exc}")
        return 2
    root, store = bundle_commands._project_store()
    removed = previews.remove(store, name)
    api = bundle_commands.platform_api(root)
    # Idempotent: a second remove deletes DAGs the first could not (a run was still going).
    leftovers = preview_dags(api, name, stale=True) if api is not None and not removed else []
    if not removed and not leftovers:
        if args.drop_data:  # removed earlier, its data kept then: drop it now
            drop_data(root, name)
            return 0
        known = ", ".join(previews.current_previews(store)) or "none"
        print(f"hangar: error: no preview {name!r} (previews: {known})")
        return 2
    if removed:
        print(f"preview {name}: removed from the store")
    if api is None:
        print(
            "no platform running from this checkout: its DAGs leave the UI at the "
            "dag-processor's next refresh of the previews bundle"
        )
        if args.drop_data:
            drop_data(root, name)
        return 0
    # Deleted once the dag-processor has dropped their files (stale): earlier, a parse still
    # under way could bring one back. A parse that ends after the refresh can re-activate a
    # DAG: the refresh is asked again until none is left.
    started = time.monotonic()
    asked_at = -float(REASK_S)
    while True:
        if time.monotonic() - asked_at >= REASK_S:
            api.request_bundle_refresh(previews.PREVIEWS_BUNDLE_NAME)
            asked_at = time.monotonic()
        if not preview_dags(api, name, stale=False):
            break
        if time.monotonic() - started > STALE_WAIT_S:
            print(
                f"hangar: error: the platform still serves preview {name}'s DAGs after "
                f"{STALE_WAIT_S} s (is the dag-processor running? ./hangar status)"
            )
            return 1
        time.sleep(0.5)
    deleted, kept = [], []
    for dag in preview_dags(api, name, stale=True):
        try:
            api.delete_dag(str(dag["dag_id"]))
            deleted.append(str(dag["dag_id"]))
        except RuntimeError as exc:  # HTTP 409: a task of it is still running
            kept.append(f"{dag['dag_id']} ({exc})")
    print(f"preview {name}: {len(deleted)} DAGs deleted from the platform (runs and history too)")
    if args.drop_data and not kept:
        drop_data(root, name)
    if kept:
        print(
            "hangar: error: not deleted, run `./hangar previews remove "
            f"{name}` again once their tasks end: " + "; ".join(kept)
        )
        return 1
    return 0


def drop_data(root: Path, name: str) -> None:
    """Drop what the preview's runs wrote: its warehouse schemas and its lake prefix."""
    import psycopg
    from fsspec.core import url_to_fs
    from psycopg import sql

    from hangar_common.cli.query_commands import conninfo
    from hangar_common.platform.stack import StackManager

    env = StackManager(root, merged_environment(root)).env
    prefix = previews.preview_schema("", name)  # preview_NAME__
    with psycopg.connect(conninfo(env, "warehouse"), autocommit=True) as conn:
        schemas = [
            row[0]
            for row in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s) ORDER BY 1",
                (prefix,),
            )
        ]
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
    print(f"preview {name}: dropped schemas {', '.join(schemas) or '(none)'}")
    lake = previews.preview_lake(HangarSettings.from_env(env).lake_url, name)
    options = deploy.s3_storage_options(env, root) if lake.startswith("s3://") else {}
    fs, path = url_to_fs(lake, **options)
    if fs.exists(path):
        fs.rm(path, recursive=True)
        print(f"preview {name}: deleted {lake}/")
    else:
        print(f"preview {name}: nothing under {lake}/")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = commands.add_parser(
        "previews", help="list preview bundles (./hangar deploy --preview NAME), or remove one"
    )
    listing.set_defaults(handler=cmd_previews)
    actions = listing.add_subparsers(dest="previews_action")
    remove = actions.add_parser(
        "remove", help="take a preview off the platform: its bundle, its DAGs and their runs"
    )
    remove.add_argument("name", help="the preview's name")
    remove.add_argument(
        "--drop-data",
        action="store_true",
        help="also drop what its runs wrote: warehouse schemas preview_NAME__*, <lake>/previews/NAME/",
    )
    remove.set_defaults(handler=cmd_remove)
