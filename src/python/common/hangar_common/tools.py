"""Locate executables that Python packages of the lockfile ship (weed, actionlint, hadolint)."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path


def find_packaged_binary(name: str) -> Path:
    """Find ``name`` among the scripts installed with this interpreter's packages, then PATH.

    :raises FileNotFoundError: naming the binary and where it was looked for.
    """
    candidates = [Path(sysconfig.get_path("scripts")), Path(sys.executable).parent]
    # PEX-style installs keep each wheel's scripts in a bin/ folder beside its sys.path entry.
    candidates += [Path(entry).parent / "bin" for entry in sys.path if entry]
    candidates += [Path(entry) / "bin" for entry in sys.path if entry]
    for folder in candidates:
        path = folder / name
        if path.is_file() and os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if found:
        return Path(found)
    raise FileNotFoundError(f"{name} not found in {sorted({str(c) for c in candidates})} or PATH")
