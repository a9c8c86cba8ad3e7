"""The housekeeping DAGs' task bodies: each computes its cutoff, prunes, and returns (and logs)
what it removed. Re-running one removes nothing more: everything past the cutoff is gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def _cutoff(retention_days: int) -> datetime:
    if retention_days < 1:
        raise ValueError(f"retention_days must be at least 1, got {retention_days}")
    return datetime.now(UTC) - timedelta(days=retention_days)


def clean_metadata_db(*, retention_days: int, dry_run: bool) -> dict[str, Any]:
    from hangar_plugins.housekeeping.metadata_db import clean_in_child_process

    report = clean_in_child_process(before=_cutoff(retention_days), dry_run=dry_run)
    for line in report.lines():
        print(line)
    return {
        "before": report.before,
        "dry_run": dry_run,
        "rows": {table: n for table, n in report.rows.items() if n},
        "total": report.total,
        "archive_tables_dropped": report.archive_tables_dropped,
    }


def prune_task_logs(*, retention_days: int, dry_run: bool) -> list[dict[str, Any]]:
    from airflow.sdk import ObjectStoragePath, conf

    from hangar_plugins.housekeeping.task_logs import prune_local_logs, prune_remote_logs

    before = _cutoff(retention_days)
    reports = [
        prune_local_logs(
            Path(conf.get("logging", "base_log_folder")), before=before, dry_run=dry_run
        )
    ]
    if conf.getboolean("logging", "remote_logging", fallback=False):
        url = conf.get("logging", "remote_base_log_folder")
        remote = ObjectStoragePath(url, conn_id=conf.get("logging", "remote_log_conn_id"))
        reports.append(
            prune_remote_logs(remote.fs, remote.path, location=url, before=before, dry_run=dry_run)
        )
    for report in reports:
        print(report.line())
    return [
        {"location": r.location, "files": r.files, "bytes": r.bytes, "dry_run": dry_run}
        for r in reports
    ]


def prune_bundle_store(*, keep: int, dry_run: bool) -> dict[str, Any]:
    from airflow.sdk import conf

    from hangar_plugins.bundles.versioned_store import open_store
    from hangar_plugins.housekeeping.bundle_store import referenced_versions
    from hangar_plugins.pipelines.airflow_api import api_from_connection

    bundle = _served_store(conf.get("dag_processor", "dag_bundle_config_list"))
    if bundle is None:
        print("no versioned bundle store is configured (DAGs come from a folder): nothing to do")
        return {"store": None, "removed": []}
    store = open_store(bundle["store_url"], bundle.get("conn_id"))
    referenced = referenced_versions(api_from_connection())
    removed = store.prune(keep=keep, referenced=referenced, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    print(
        f"{bundle['store_url']}: {verb} {len(removed)} versions; kept the newest {keep}, the "
        f"current and previous ones and {len(referenced)} referenced by runs"
    )
    for manifest in removed:
        print(f"  {manifest.version[:12]} built {manifest.built_at} (git {manifest.git_commit})")
    return {"store": bundle["store_url"], "removed": [m.version for m in removed]}


def _served_store(bundle_config_list: str) -> dict[str, Any] | None:
    """The kwargs of the configured VersionedStoreDagBundle, if the platform serves one."""
    import json

    for bundle in json.loads(bundle_config_list or "[]"):
        if bundle.get("classpath", "").endswith("VersionedStoreDagBundle"):
            return dict(bundle.get("kwargs", {}))
    return None
