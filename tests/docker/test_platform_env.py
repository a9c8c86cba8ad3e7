"""The image's Python environment (docker:platform-requirements + docker:platform-code) holds every
first-party package."""

from __future__ import annotations

import re

from tests.support.paths import repo_root


def test_every_package_of_the_platform_code_is_in_the_image_environment() -> None:
    """A new package under hangar_common or hangar_plugins must be listed in docker/BUILD:
    bundles deployed later may import any module, and nothing else pulls it into the PEX."""
    root = repo_root()
    build = (root / "docker" / "BUILD").read_text(encoding="utf-8")
    block = build[build.index("PLATFORM_CODE = [") : build.index("]", build.index("PLATFORM_CODE"))]
    listed = set(re.findall(r'"(src/python/[^":]+)"', block))
    packages = {
        str(init.parent.relative_to(root))
        for tree in ("src/python/common/hangar_common", "src/python/plugins/hangar_plugins")
        for init in (root / tree).rglob("__init__.py")
    }
    assert len(packages) > 10
    assert packages - listed == set(), "add these to docker/BUILD's PLATFORM_CODE"
