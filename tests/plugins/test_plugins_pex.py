"""The plugins PEX holds Hangar's plugin code and the first-party code it imports, no Airflow."""

from __future__ import annotations

from tests.support.pex import bundled_distributions, first_party_files, packaged_pex

PLUGINS = "src.python.plugins/plugins.pex"


def test_plugins_pex_holds_only_hangar_plugins() -> None:
    files = first_party_files(packaged_pex(PLUGINS))
    assert {"hangar_plugins/plugin.py", "hangar_plugins/macros.py"} <= files
    # Plugins carry the first-party modules they import (hangar_common's DAG rules).
    assert {path.split("/")[0] for path in files} == {"hangar_plugins", "hangar_common"}
    assert "hangar_plugins/policies.py" in files
    assert bundled_distributions(packaged_pex(PLUGINS)) == set()
