"""Tests mirror the source tree: module ``pkg/a/b.py`` is tested by ``tests/<pkg>/a/test_b.py``
(or ``test_b_<aspect>.py``, e.g. ``test_stack_embedded_integration.py``)."""

from __future__ import annotations

from pathlib import Path

from tests.support.paths import repo_root

PACKAGES = {
    "src/python/common/hangar_common": "tests/common",
    "src/python/plugins/hangar_plugins": "tests/plugins",
    "src/python/dags/hangar_dags": "tests/dags",
}

# Modules with no test module of their own, each with where its behaviour is tested instead.
NOT_MIRRORED = {
    # `python -m hangar_common.cli`: two lines calling main(), run by every CLI integration test.
    "hangar_common/cli/__main__.py",
    # CLI glue (argparse -> StackManager/deploy/render), driven through ./hangar by
    # tests/common/platform/test_stack_*_integration.py, tests/dags/*_integration.py,
    # tests/common/cli/test_main_integration.py; the logic lives in tested modules.
    "hangar_common/cli/bundle_commands.py",
    "hangar_common/cli/generate_commands.py",
    "hangar_common/cli/platform_commands.py",
    "hangar_common/cli/user_commands.py",
    # `./hangar doctor`'s list of checks: tests/common/cli/test_main_integration.py.
    "hangar_common/doctor/run.py",
    # Health polling: every `up` in the stack integration tests waits through it.
    "hangar_common/platform/health.py",
    # Where the checkout's tool binaries are: tests/support/tools.py and the launcher tests.
    "hangar_common/tools.py",
    # Alert wiring: tests/plugins/alerts/test_slack.py and test_slack_alerts_integration.py.
    "hangar_plugins/alerts/attach.py",
    "hangar_plugins/alerts/config.py",
    # FAB users in the metadata DB: created by every celery `up` (init) and driven through
    # `./hangar users` by tests/common/platform/test_stack_celery_integration.py (the role matrix).
    "hangar_plugins/auth/accounts.py",
    # A three-list dataclass: asserted by test_apply_via_api.py and test_apply_to_db_integration.py.
    "hangar_plugins/environment/report.py",
    # Lake publishing helpers: tests/dags/test_pipelines_integration.py (files in the bucket).
    "hangar_plugins/io/publish.py",
    # tests/plugins/operators/test_warehouse_operators_integration.py tests both operators.
    "hangar_plugins/operators/warehouse_upsert.py",
    # tag_value: tests/plugins/test_policies.py and tests/plugins/alerts/test_slack.py.
    "hangar_plugins/tags.py",
    # The Hangar page's FastAPI app: tests/plugins/test_plugin.py and the UI integration tests.
    "hangar_plugins/ui/app.py",
}
# DAG files are declarations: every one is imported and checked by tests/dags/test_dag_integrity.py
# and run on a real platform by tests/dags/test_pipelines_integration.py and
# test_library_on_embedded_platform_integration.py.
DAG_FILES = "hangar_dags/"


def _unmirrored() -> list[str]:
    root = repo_root()
    missing = []
    for package, tests in PACKAGES.items():
        for module in sorted((root / package).rglob("*.py")):
            if module.name == "__init__.py":
                continue
            relative = module.relative_to(root / package)
            folder = root / tests / relative.parent
            stem = relative.stem
            if (folder / f"test_{stem}.py").is_file() or list(folder.glob(f"test_{stem}_*.py")):
                continue
            missing.append(f"{Path(package).name}/{relative}")
    return missing


def test_every_source_module_has_a_test_module_or_a_reason() -> None:
    missing = [m for m in _unmirrored() if not m.startswith(DAG_FILES)]
    assert sorted(set(missing) - NOT_MIRRORED) == [], "add tests/<package>/.../test_<module>.py"
    # An allow-list entry that now has its test module (or no longer exists) must go.
    assert sorted(NOT_MIRRORED - set(missing)) == []
