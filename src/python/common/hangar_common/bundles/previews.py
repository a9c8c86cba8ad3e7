"""Preview bundles: a branch's DAGs on the running platform, beside the deployed ones.

``./hangar deploy --preview NAME`` publishes the working tree's DAG bundle under
``<bundle store>/previews/NAME/`` (a bundle store of its own: immutable versions, one pointer).
Every component loads one more Airflow bundle, ``hangar-previews``
(:mod:`hangar_plugins.bundles.previews_bundle`), whose folder holds each preview's current
version in ``NAME/``: Airflow 3.3 reads its bundle list once, when the dag-processor starts
(apache/airflow #73217), so a preview cannot be a bundle of its own without a restart; a folder
in an always-configured bundle can come and go at any time.

On the platform a preview's DAGs are told apart and kept away from production data:

- DAG ids end in ``__preview_NAME`` and carry the tag ``preview:NAME``; they arrive paused;
- their warehouse tables live in schema ``preview_NAME__<schema>`` (``raw.sales`` becomes
  ``preview_NAME__raw.sales``), their lake files under ``<lake>/previews/NAME/``.

This module holds the names both sides agree on; it imports no Airflow.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from fsspec.implementations.local import LocalFileSystem

from hangar_common.bundles.store import BundleStore, BundleStoreError, Manifest, Pointer

PREVIEWS_BUNDLE_NAME = "hangar-previews"
PREVIEWS_FOLDER = "previews"
# The bundle's folder under Airflow's bundle storage: <storage>/hangar-previews/tree/<NAME>/...
TREE = "tree"
DAG_ID_MARK = "__preview_"
TAG_PREFIX = "preview:"
SCHEMA_PREFIX = "preview_"
# Short enough for every name built from it: schema preview_<NAME>__<schema> stays within
# PostgreSQL's 63 characters for schemas of up to 28.
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,23}$")


def checked_name(name: str) -> str:
    """``name`` when it can name a preview; a clear error otherwise."""
    if not _NAME.match(name) or "__" in name or name.endswith("_"):
        raise ValueError(
            f"preview name {name!r}: use 1-24 lowercase letters, digits and single underscores, "
            "starting with a letter (e.g. feature_x)"
        )
    return name


def preview_dag_id(dag_id: str, name: str) -> str:
    return f"{dag_id}{DAG_ID_MARK}{name}"


def preview_of(dag_id: str) -> str | None:
    """The preview a DAG id belongs to, or None for a deployed DAG."""
    if DAG_ID_MARK not in dag_id:
        return None
    name = dag_id.rsplit(DAG_ID_MARK, 1)[1]
    return name if _NAME.match(name) else None


def preview_tag(name: str) -> str:
    return f"{TAG_PREFIX}{name}"


def preview_schema(schema: str, name: str) -> str:
    """Where a preview writes what its deployed DAG writes to ``schema``."""
    return f"{SCHEMA_PREFIX}{name}__{schema}"


def preview_table(table: str, name: str) -> str:
    """``schema.table`` (or ``table``, in ``public``) as the preview ``name`` writes it."""
    schema, _, bare = table.rpartition(".")
    return f"{preview_schema(schema or 'public', name)}.{bare}"


def preview_lake(lake_url: str, name: str) -> str:
    return f"{lake_url.rstrip('/')}/{PREVIEWS_FOLDER}/{name}"


def preview_from_fileloc(fileloc: str) -> str | None:
    """The preview whose folder holds a DAG file (``.../hangar-previews/tree/NAME/...``)."""
    parts = PurePath(fileloc).parts
    for index in range(len(parts) - 2):
        if parts[index] == PREVIEWS_BUNDLE_NAME and parts[index + 1] == TREE:
            name = parts[index + 2]
            return name if _NAME.match(name) else None
    return None


# -- the store side ------------------------------------------------------------------------------
def preview_store(store: BundleStore, name: str) -> BundleStore:
    """The bundle store of preview ``name``, inside the deploys' store."""
    return BundleStore(store.fs, f"{store.root}/{PREVIEWS_FOLDER}/{checked_name(name)}")


def preview_names(store: BundleStore) -> list[str]:
    """Every preview folder, by name (on stores that keep empty folders, e.g. SeaweedFS, also
    removed previews': :func:`current_previews` tells which are served)."""
    folder = f"{store.root}/{PREVIEWS_FOLDER}"
    try:
        entries = store.fs.ls(folder, detail=False)
    except FileNotFoundError:
        return []
    # Some stores list a folder's own marker among its entries.
    paths = {str(entry).rstrip("/") for entry in entries} - {folder.rstrip("/")}
    return sorted(name for name in (path.rsplit("/", 1)[-1] for path in paths) if _NAME.match(name))


def current_previews(store: BundleStore) -> dict[str, Pointer]:
    """Each preview's pointer (a preview being removed, or half-published, has none)."""
    found = {}
    for name in preview_names(store):
        try:
            pointer = preview_store(store, name).current()
        except BundleStoreError:
            continue
        if pointer is not None:
            found[name] = pointer
    return found


def describe(store: BundleStore) -> list[tuple[str, Pointer, Manifest]]:
    """Each current preview with its pointer and the manifest of its version."""
    described = []
    for name, pointer in current_previews(store).items():
        try:
            manifest = preview_store(store, name).manifest(pointer.version)
        except BundleStoreError:
            continue
        described.append((name, pointer, manifest))
    return described


def remove(store: BundleStore, name: str) -> bool:
    """Delete preview ``name`` from the store (its pointer first: from then on no component
    serves it); False when there is no such preview."""
    own = preview_store(store, name)
    versions = [manifest.version for manifest in own.versions()]
    if own.current() is None and not versions:
        return False
    pointer = f"{own.root}/current.json"
    if own.fs.exists(pointer):
        own.fs.rm(pointer)
    if own.fs.exists(own.root):
        own.fs.rm(own.root, recursive=True)
    if not isinstance(own.fs, LocalFileSystem):
        # Stores with real folders (SeaweedFS) keep empty ones: their markers go innermost
        # first, or every later refresh would still find (and read) the removed preview.
        markers = [f"{own.root}/versions/{version}/" for version in versions]
        for marker in [*markers, f"{own.root}/versions/", f"{own.root}/"]:
            try:
                own.fs.rm_file(marker)
            except OSError:
                pass  # no such marker: a store without folders
        own.fs.invalidate_cache()
    return True
