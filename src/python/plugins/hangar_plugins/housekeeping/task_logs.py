"""Task-log retention (the housekeeping_task_logs DAG): log files and log objects older than the
retention are deleted, with what was removed reported.

Local files: the log folder of the host the task runs on (on one host, every worker's). Remote
objects: the store task logs are uploaded to (``HANGAR_REMOTE_LOG_URL``), the copy that outlives
workers. A log is judged by its modification time: an attempt's log stops changing when it ends.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(kw_only=True)
class LogPruneReport:
    """Where logs were pruned, and how many files and bytes went (or would go)."""

    location: str
    dry_run: bool
    files: int = 0
    bytes: int = 0
    folders: int = 0
    examples: list[str] = field(default_factory=list)  # a few removed paths, for the log

    def add(self, path: str, size: int) -> None:
        self.files += 1
        self.bytes += size
        if len(self.examples) < 5:
            self.examples.append(path)

    def line(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        return f"{self.location}: {verb} {self.files} log files ({self.bytes / 2**20:.1f} MiB)" + (
            f" and {self.folders} empty folders" if self.folders else ""
        )


def prune_local_logs(folder: Path, *, before: datetime, dry_run: bool) -> LogPruneReport:
    """Delete files under ``folder`` last modified before ``before``, then empty folders."""
    report = LogPruneReport(location=str(folder), dry_run=dry_run)
    if not folder.is_dir():
        return report
    cutoff = before.timestamp()
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            try:
                stat = path.lstat()
            except FileNotFoundError:
                continue  # removed meanwhile
            if stat.st_mtime < cutoff:
                report.add(str(path), stat.st_size)
                if not dry_run:
                    path.unlink(missing_ok=True)
    if not dry_run:
        # Deepest first; the folder itself stays. rmdir fails on a folder a new log just
        # entered, which is what should happen.
        for root, _dirs, _files in sorted(os.walk(folder), key=lambda w: -len(w[0])):
            if Path(root) != folder:
                try:
                    os.rmdir(root)
                    report.folders += 1
                except OSError:
                    pass
    return report


def prune_remote_logs(
    fs: Any, root: str, *, location: str, before: datetime, dry_run: bool
) -> LogPruneReport:
    """Delete objects under ``root`` (an fsspec filesystem) last modified before ``before``."""
    report = LogPruneReport(location=location, dry_run=dry_run)
    try:
        found = fs.find(root, detail=True)
    except FileNotFoundError:
        return report
    doomed = []
    for path, info in sorted(found.items()):
        modified = _modified(info)
        if modified is not None and modified < before:
            report.add(path, int(info.get("size") or 0))
            doomed.append(path)
    if doomed and not dry_run:
        fs.rm(doomed)
    return report


def _modified(info: dict[str, Any]) -> datetime | None:
    # s3fs: LastModified (datetime); local fsspec: mtime (epoch seconds).
    value = info.get("LastModified") or info.get("mtime")
    if isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)):
        from datetime import UTC

        return datetime.fromtimestamp(value, UTC)
    return None
