"""The platform suites' own DAGs (``tests/support/platform_dags``), never the library's.

A platform suite serves them to its stack (``served()``: ``HANGAR_DAG_BUNDLE_ROOT``) or deploys
them as a bundle PEX (``bundle_pex()``: ``tests/support/platform_dags:bundle``, built like the
library's ``src/python/dags:dag-bundle``), so an edit of a library DAG or its config selects no
platform suite. The suite's BUILD target lists ``tests/support/platform_dags`` (the DAG files are
read by the stack, not imported) or the ``:bundle`` in ``runtime_package_dependencies``.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.pex import packaged_pex

FOLDER = Path(__file__).resolve().parent / "platform_dags"
# Same id and params as the library's: `./hangar smoke` triggers it by name.
SMOKE_DAG = "platform_smoke_check"
# Stays paused: a triggered run is only queued, nothing runs.
IDLE_DAG = "platform_idle"
HOUSEKEEPING_DAG = "housekeeping_metadata_db"


def served() -> dict[str, str]:
    """``stack_env`` settings that serve the fixture DAGs as the stack's DAG folder."""
    if not (FOLDER / "platform_smoke_check.py").is_file():
        raise FileNotFoundError(f"{FOLDER} missing: depend on tests/support/platform_dags")
    return {"HANGAR_DAG_BUNDLE_ROOT": str(FOLDER)}


def bundle_pex() -> Path:
    """The fixture DAGs' bundle PEX (``runtime_package_dependencies``)."""
    return packaged_pex("tests.support.platform_dags/bundle.pex")
