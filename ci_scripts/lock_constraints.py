"""Write pip constraints (``name==version`` per locked distribution) from the Pants lockfile.

The Docker image installs the runtime requirements with pip, pinned by these constraints, so the
image runs exactly the versions that CI tested. ``pex3 lock export`` does the same from a raw PEX
lock; Pants' lockfiles carry a ``//`` comment header pex3 does not read, and this stays a
dependency-free script the test suite can run to prove the committed file is current.

Usage: python3 ci_scripts/lock_constraints.py [--check]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKFILE = ROOT / "3rdparty/python/python-default.lock"
CONSTRAINTS = ROOT / "3rdparty/python/constraints.txt"
HEADER = (
    "# Generated from python-default.lock by ci_scripts/lock_constraints.py: do not edit.\n"
    "# Pins every locked distribution for `pip install -c` (the Docker image).\n"
)


def render(lockfile_text: str) -> str:
    """The constraints file for a Pants lockfile's text."""
    body = "\n".join(line for line in lockfile_text.splitlines() if not line.startswith("//"))
    lock = json.loads(body)
    pins = sorted(
        (req["project_name"], req["version"])
        for resolve in lock["locked_resolves"]
        for req in resolve["locked_requirements"]
    )
    return HEADER + "".join(f"{name}=={version}\n" for name, version in pins)


def main(argv: list[str]) -> int:
    wanted = render(LOCKFILE.read_text(encoding="utf-8"))
    if "--check" in argv:
        current = CONSTRAINTS.read_text(encoding="utf-8") if CONSTRAINTS.exists() else ""
        if current != wanted:
            print(f"{CONSTRAINTS} is stale: run python3 ci_scripts/lock_constraints.py")
            return 1
        return 0
    CONSTRAINTS.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
