"""Where repository files are inside a test sandbox (Pants copies them to the sandbox root)."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The folder holding ``pants.toml``: the Pants sandbox, or the checkout under plain pytest."""
    here = Path(__file__).resolve()
    for candidate in (Path.cwd(), *here.parents):
        if (candidate / "pants.toml").is_file():
            return candidate
    raise FileNotFoundError("pants.toml not found: declare a dependency on //:pants-config")


def user_home() -> Path:
    """The account's home directory even where the sandbox unset ``HOME``."""
    return Path(os.environ.get("HOME") or os.path.expanduser("~"))
