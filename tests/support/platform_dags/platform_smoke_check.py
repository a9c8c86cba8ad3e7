"""
### Platform smoke test (the platform suites' copy)

The same DAG as the library's `platform_smoke_check` (id, params, tasks), which `./hangar smoke`
triggers by name: `chunks` parallel tasks each sum the squares of one slice of `range(total)`,
and `verify` checks the total against the closed form. `work_seconds` makes each chunk task hold
its slot (long tasks, killed workers).
"""

from __future__ import annotations

from hangar_plugins.pipelines.smoke import build_smoke_dag

# The DAG comes from a factory: this comment names "airflow" and "dag" for Airflow's safe-mode
# discovery, which parses only files mentioning both.
platform_smoke_check = build_smoke_dag(tags=["platform", "smoke", "test"], doc_md=__doc__)
