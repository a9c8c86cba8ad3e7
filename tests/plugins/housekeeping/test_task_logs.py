from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsspec.implementations.local import LocalFileSystem

from hangar_plugins.housekeeping.task_logs import prune_local_logs, prune_remote_logs

NOW = datetime.now(UTC)


def _log(root: Path, relative: str, *, age_days: float, size: int = 100) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    stamp = (NOW - timedelta(days=age_days)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_local_logs_older_than_the_cutoff_go_with_their_empty_folders(tmp_path: Path) -> None:
    root = tmp_path / "logs"
    _log(root, "dag_id=a/run_id=old/task_id=t/attempt=1.log", age_days=40, size=300)
    _log(root, "dag_id=a/run_id=old/task_id=t/attempt=2.log", age_days=35, size=200)
    kept = _log(root, "dag_id=a/run_id=new/task_id=t/attempt=1.log", age_days=2)
    _log(root, "dag_processor/2026-10-01/x.py.log", age_days=50, size=10)
    cutoff = NOW - timedelta(days=30)

    preview = prune_local_logs(root, before=cutoff, dry_run=True)
    assert (preview.files, preview.bytes, preview.folders) == (3, 510, 0)
    assert "would delete 3 log files" in preview.line()
    assert len([p for p in root.rglob("*") if p.is_file()]) == 4

    done = prune_local_logs(root, before=cutoff, dry_run=False)
    assert (done.files, done.bytes) == (3, 510)
    assert done.folders == 4  # run_id=old/task_id=t, run_id=old, 2026-10-01, dag_processor
    assert _tree(root) == [
        "dag_id=a",
        "dag_id=a/run_id=new",
        "dag_id=a/run_id=new/task_id=t",
        "dag_id=a/run_id=new/task_id=t/attempt=1.log",
    ]
    assert kept.read_bytes() == b"x" * 100

    again = prune_local_logs(root, before=cutoff, dry_run=False)
    assert (again.files, again.folders) == (0, 0)
    assert prune_local_logs(tmp_path / "absent", before=cutoff, dry_run=False).files == 0


def test_remote_log_objects_are_judged_by_their_modification_time(tmp_path: Path) -> None:
    # A real fsspec filesystem (local): the same calls s3fs answers for the object store.
    root = tmp_path / "bucket" / "task-logs"
    _log(root, "dag_id=a/run_id=old/task_id=t/attempt=1.log", age_days=31, size=64)
    _log(root, "dag_id=a/run_id=new/task_id=t/attempt=1.log", age_days=1, size=64)
    fs = LocalFileSystem()
    cutoff = NOW - timedelta(days=30)

    preview = prune_remote_logs(fs, str(root), location="s3://b/l", before=cutoff, dry_run=True)
    assert (preview.files, preview.bytes) == (1, 64)
    assert len(fs.find(str(root))) == 2
    done = prune_remote_logs(fs, str(root), location="s3://b/l", before=cutoff, dry_run=False)
    assert done.examples == [str(root / "dag_id=a/run_id=old/task_id=t/attempt=1.log")]
    assert [Path(p).parent.parent.name for p in fs.find(str(root))] == ["run_id=new"]
    assert prune_remote_logs(fs, str(root), location="x", before=cutoff, dry_run=False).files == 0
