"""Drive a Compose project of docker/compose.yaml with the container engine that runs here.

The engine is Docker where it answers, else Podman (``ci_scripts/install_container_engine.sh``);
Compose is ``docker compose`` with Docker, else ``podman-compose`` from the project's lockfile.
Containers are found by the ``com.docker.compose.*`` labels both implementations set.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil


def engine_cli() -> str:
    """``podman`` where it is installed (it needs no daemon), else ``docker``."""
    for name in ("podman", "docker"):
        if shutil.which(name):
            return name
    raise RuntimeError(
        "no container engine: run ci_scripts/install_container_engine.sh (Podman from Debian's"
        " packages) or install Docker"
    )


def engine(
    *args: str, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [engine_cli(), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"{engine_cli()} {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc


def image_exists(name: str) -> bool:
    return engine("image", "inspect", name, check=False).returncode == 0


@dataclass(frozen=True)
class Container:
    id: str
    name: str
    service: str
    running: bool


@dataclass(frozen=True)
class ComposeProject:
    name: str
    files: Sequence[Path]
    env: Mapping[str, str]

    def _command(self) -> list[str]:
        if engine_cli() == "docker":
            return ["docker", "compose"]
        return [sys.executable, "-m", "podman_compose"]

    def run(
        self, *args: str, timeout: float = 600, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        files = [part for path in self.files for part in ("-f", str(path))]
        proc = subprocess.run(
            [*self._command(), "-p", self.name, *files, *args],
            env=dict(self.env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"compose {' '.join(args)} failed ({proc.returncode}):\n"
                f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        return proc

    def containers(self) -> list[Container]:
        listed = engine(
            "ps",
            "--all",
            "--filter",
            f"label=com.docker.compose.project={self.name}",
            "--format",
            "json",
        ).stdout
        found = []
        for item in json.loads(listed or "[]"):
            labels = item.get("Labels") or {}
            names = item.get("Names") or [item.get("Id", "")[:12]]
            found.append(
                Container(
                    id=item["Id"],
                    name=names[0] if isinstance(names, list) else str(names),
                    service=labels.get("com.docker.compose.service", ""),
                    running=item.get("State") == "running",
                )
            )
        return sorted(found, key=lambda container: container.name)

    def of_service(self, service: str) -> list[Container]:
        return [c for c in self.containers() if c.service == service]

    def inspect(self, container: Container) -> dict[str, Any]:
        data: list[dict[str, Any]] = json.loads(engine("inspect", container.id).stdout)
        return data[0]

    def logs(self, container: Container, tail: int = 60) -> str:
        proc = engine("logs", "--tail", str(tail), container.id, check=False)
        return proc.stdout + proc.stderr

    def leftovers(self) -> dict[str, list[str]]:
        """Containers, networks and volumes of the project that still exist."""
        label = f"label=com.docker.compose.project={self.name}"
        found: dict[str, list[str]] = {}
        for kind, args in (
            ("containers", ["ps", "--all", "--filter", label, "--format", "{{.Names}}"]),
            ("networks", ["network", "ls", "--filter", label, "--format", "{{.Name}}"]),
            ("volumes", ["volume", "ls", "--filter", label, "--format", "{{.Name}}"]),
        ):
            found[kind] = engine(*args).stdout.split()
        # podman-compose labels volumes with io.podman.compose.project; names carry the project.
        named = engine("volume", "ls", "--format", "{{.Name}}").stdout.split()
        found["volumes"] = sorted(
            set(found["volumes"]) | {v for v in named if v.startswith(f"{self.name}_")}
        )
        if engine_cli() == "podman":  # podman-compose also puts the containers in a pod
            pods = engine("pod", "ls", "--format", "{{.Name}}").stdout.split()
            found["pods"] = [pod for pod in pods if pod == f"pod_{self.name}"]
        return found


def remove_orphaned_projects(prefix: str) -> list[str]:
    """Remove what test projects ``<prefix><slot>-<pid>`` of dead test processes left behind
    (a test process killed by its timeout never runs its ``down``)."""
    pattern = re.compile(rf"{re.escape(prefix)}\d+-(\d+)")
    listed = engine(
        "ps", "--all", "--format", '{{.ID}} {{index .Labels "com.docker.compose.project"}}'
    ).stdout
    orphans: dict[str, list[str]] = {}
    for line in listed.splitlines():
        container, _, project = line.strip().partition(" ")
        match = pattern.fullmatch(project.strip())
        if match and not psutil.pid_exists(int(match.group(1))):
            orphans.setdefault(project.strip(), []).append(container)
    for project, containers in orphans.items():
        engine("rm", "--force", "--volumes", *containers, check=False, timeout=300)
        if engine_cli() == "podman":
            engine("pod", "rm", "--force", f"pod_{project}", check=False)
        engine("network", "rm", f"{project}_default", check=False)
        volumes = engine("volume", "ls", "--format", "{{.Name}}").stdout.split()
        stale = [volume for volume in volumes if volume.startswith(f"{project}_")]
        if stale:
            engine("volume", "rm", "--force", *stale, check=False)
    return sorted(orphans)
