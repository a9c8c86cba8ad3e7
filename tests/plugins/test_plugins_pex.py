"""The plugins PEX holds Hangar's plugin code only (the platform provides Airflow)."""

from __future__ import annotations

from tests.support.pex import bundled_distributions, first_party_files, packaged_pex

PLUGINS = "src.python.plugins/plugins.pex"


def test_plugins_pex_holds_only_hangar_plugins() -> None:
    files = first_party_files(packaged_pex(PLUGINS))
    assert {"hangar_plugins/plugin.py", "hangar_plugins/macros.py"} <= files
    assert {path.split("/")[0] for path in files} == {"hangar_plugins"}
    assert bundled_distributions(packaged_pex(PLUGINS)) == set()
