"""Run one measurement in a fresh Python process and read the figures it prints as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any


class ChildFailed(RuntimeError):
    pass


def run_child(script: str, *args: str, env: Mapping[str, str]) -> dict[str, Any]:
    """``python script *args`` in its own process (its own imports, its own peak RSS); the
    JSON object on the last line of its output."""
    out = subprocess.run(
        [sys.executable, script, *args],
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise ChildFailed(out.stdout + out.stderr)
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures
