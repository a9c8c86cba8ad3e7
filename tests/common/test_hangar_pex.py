"""The common-utilities PEX is the Hangar CLI: it runs on its own and carries no Airflow."""

from __future__ import annotations

import subprocess
import sys

from tests.support.pex import bundled_distributions, first_party_files, packaged_pex

CLI = "src.python.common/hangar.pex"


def test_cli_pex_runs_version() -> None:
    proc = subprocess.run(
        [sys.executable, str(packaged_pex(CLI)), "version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("hangar ")


def test_cli_pex_carries_its_libraries_but_not_airflow() -> None:
    pex = packaged_pex(CLI)
    assert {path.split("/")[0] for path in first_party_files(pex)} == {"hangar_common"}
    distributions = bundled_distributions(pex)
    assert {"psycopg", "redis"} <= distributions
    assert not any(name.startswith("apache_airflow") for name in distributions)
