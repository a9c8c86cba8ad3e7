"""Publish a finished local file to object storage so readers never see a partial object."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath


def publish_file(local: Path, destination: ObjectStoragePath) -> None:
    """Upload ``local`` to ``destination``: atomic rename on local disks, one PUT on stores."""
    fs = destination.fs
    target = destination.path
    protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    if "file" in protocols or "local" in protocols:
        # A local rename is atomic; a copy is not: upload beside the target, then rename.
        fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        partial = f"{target}.inprogress"
        fs.put_file(str(local), partial)
        os.replace(partial, target)
    else:
        # Object stores publish an object only when its (multipart) upload completes.
        fs.put_file(str(local), target)
