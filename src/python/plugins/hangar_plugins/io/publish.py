"""Publish a finished local file to object storage so readers never see a partial object."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath


UPLOAD_CHUNK = 8 * 2**20  # S3 multipart parts must be >= 5 MiB


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
    elif "s3" in protocols or "s3a" in protocols:
        # Object stores publish an object only when its (multipart) upload completes. s3fs
        # reads files under 2 chunks whole and uploads up to 10 chunks at once: small chunks,
        # two at a time, keep memory flat whatever the file size.
        fs.put_file(str(local), target, chunksize=UPLOAD_CHUNK, max_concurrency=2)
    else:
        fs.put_file(str(local), target)
