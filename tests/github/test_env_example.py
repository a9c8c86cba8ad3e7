"""`.env.example` documents every HANGAR_* setting the code, config and containers read."""

from __future__ import annotations

import re

from tests.support.paths import repo_root

# Build arguments and names that are not settings a user can give.
NOT_SETTINGS = {"HANGAR_VERSION", "HANGAR_TEST_SLOT", "HANGAR_SCREENSHOT_DIR"}


def test_every_setting_is_documented() -> None:
    root = repo_root()
    sources = [
        *root.glob("src/python/**/*.py"),
        *root.glob("config/*.yaml"),
        *root.glob("docker/*.yaml"),
        root / "docker" / "Dockerfile",
    ]
    assert len(sources) > 10
    # HANGAR_* settings, not Airflow's own AIRFLOW__HANGAR__* section that settings.py derives.
    setting = re.compile(r"(?<![A-Z_])HANGAR_[A-Z0-9][A-Z0-9_]*")
    used = {name for path in sources for name in setting.findall(path.read_text())}
    documented = set(re.findall(r"HANGAR_[A-Z0-9_]+", (root / ".env.example").read_text()))
    assert used - NOT_SETTINGS - documented == set()
    assert "HANGAR_POSTGRES_URL" in used  # the scan really read the code
