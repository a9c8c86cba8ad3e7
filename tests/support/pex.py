"""Inspect the PEX files Pants packages into a test's sandbox (``runtime_package_dependencies``)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path


def packaged_pex(relative_path: str) -> Path:
    """The PEX at ``relative_path`` in the Pants sandbox (or under ``dist/`` outside Pants)."""
    for path in (Path.cwd() / relative_path, Path.cwd() / "dist" / relative_path):
        if path.is_file():
            return path
    raise FileNotFoundError(f"{relative_path} missing: list it in runtime_package_dependencies")


def first_party_files(pex: Path) -> set[str]:
    """Files of the PEX outside PEX's own machinery (bootstrap code, bundled wheels, metadata)."""
    machinery = (".bootstrap/", ".deps/", "__pex__/")
    with zipfile.ZipFile(pex) as archive:
        return {
            name
            for name in archive.namelist()
            if not name.endswith("/")
            and not name.startswith(machinery)
            and name not in ("PEX-INFO", "__main__.py")
        }


def bundled_distributions(pex: Path) -> set[str]:
    """Names of the third-party distributions a PEX carries."""
    with zipfile.ZipFile(pex) as archive:
        info = json.loads(archive.read("PEX-INFO"))
    return {name.split("-")[0].lower() for name in info.get("distributions", {})}
