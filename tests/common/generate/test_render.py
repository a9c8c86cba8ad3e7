"""The template-built DAG files: rendering rules, and the checked-in files are current."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hangar_common.generate.render import (
    GENERATED_DIR,
    PROVIDERS_FILE,
    parse_providers,
    render_all,
    stale_files,
    write_all,
)
from hangar_common.settings import ConfigurationError
from tests.support.paths import repo_root


def test_checked_in_generated_files_are_current() -> None:
    stale = stale_files(repo_root(), render_all(repo_root()))
    assert stale == [], f"stale generated DAG files {stale}: run ./hangar generate"


def test_one_file_per_provider_and_environment() -> None:
    names = sorted(f.path.name for f in render_all(repo_root()))
    assert names == [
        "__init__.py",
        "provider_acme_dev.py",
        "provider_acme_prod.py",
        "provider_globex_prod.py",
    ]
    acme_prod = next(f for f in render_all(repo_root()) if f.path.name == "provider_acme_prod.py")
    assert 'search_path="prod_providers"' in acme_prod.text
    assert 'default_task_args(owner="data-eng", retries=3)' in acme_prod.text
    # Airflow's template, kept; the macro gives runs without a logical date their interval too.
    assert '"{{ macros.hangar.data_interval().start | ds }}"' in acme_prod.text


def test_a_config_change_is_seen_as_stale_and_regenerated(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / PROVIDERS_FILE).parent.mkdir(parents=True)
    shutil.copy(repo_root() / PROVIDERS_FILE, root / PROVIDERS_FILE)
    files = render_all(root)
    assert write_all(root, files) == sorted(f.path for f in files)
    assert stale_files(root, render_all(root)) == []
    (root / GENERATED_DIR / "provider_old_dev.py").write_text("# left over\n")
    text = (root / PROVIDERS_FILE).read_text().replace("ACME Logistics", "ACME Freight")
    (root / PROVIDERS_FILE).write_text(text)
    stale = stale_files(root, render_all(root))
    assert stale == [
        GENERATED_DIR / "provider_acme_dev.py",
        GENERATED_DIR / "provider_acme_prod.py",
        GENERATED_DIR / "provider_old_dev.py",
    ]
    write_all(root, render_all(root))
    assert not (root / GENERATED_DIR / "provider_old_dev.py").exists()
    assert stale_files(root, render_all(root)) == []


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"providers": {}}, "needs 'environments' and 'providers'"),
        ({"environments": {"dev": {}}, "providers": {"Bad": {}}}, "names must match"),
        (
            {"environments": {"dev": {}}, "providers": {"p": {"owner": "o"}}},
            "p.schedule is required",
        ),
        (
            {
                "environments": {"dev": {}},
                "providers": {
                    "p": {"owner": "o", "schedule": "s", "description": "d", "environments": ["qa"]}
                },
            },
            "unknown environment 'qa'",
        ),
        (
            {
                "environments": {"dev": {"schema": "s"}},
                "providers": {"p": {"owner": "o", "schedule": "s", "description": "d"}},
            },
            "environments.dev.retries is required",
        ),
        (
            {
                "environments": {"dev": {"schema": "s", "retries": 1}},
                "providers": {"p": {"owner": "o", "schedule": "s", "description": "d", "sla": 1}},
            },
            "providers.p: unknown field 'sla'",
        ),
    ],
)
def test_bad_provider_config_is_named(document: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse_providers(document)
