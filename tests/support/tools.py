"""Locate executables that Python packages of the lockfile ship (the project's own helper)."""

from hangar_common.tools import find_packaged_binary

__all__ = ["find_packaged_binary"]
