from __future__ import annotations

from ci_scripts import lock_constraints

from tests.support.paths import repo_root

LOCK = """// Pants header line
// another
{
  "locked_resolves": [{"locked_requirements": [
    {"project_name": "zeta", "version": "2.0"},
    {"project_name": "apache-airflow", "version": "3.3.2"}
  ]}]
}
"""


def test_render_pins_every_locked_distribution_sorted() -> None:
    text = lock_constraints.render(LOCK)
    pins = [line for line in text.splitlines() if not line.startswith("#")]
    assert pins == ["apache-airflow==3.3.2", "zeta==2.0"]


def test_committed_constraints_match_the_lockfile() -> None:
    root = repo_root()
    lockfile = (root / "3rdparty/python/python-default.lock").read_text(encoding="utf-8")
    committed = (root / "3rdparty/python/constraints.txt").read_text(encoding="utf-8")
    assert committed == lock_constraints.render(
        lockfile
    ), "3rdparty/python/constraints.txt is stale: run python3 ci_scripts/lock_constraints.py"
    assert "apache-airflow==3.3.2" in committed.splitlines()
    assert "celery==5.6.3" in committed.splitlines()
