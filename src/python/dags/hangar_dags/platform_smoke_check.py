"""
### Platform smoke test

Fans out `chunks` parallel tasks, each summing the squares of one slice of `range(total)`, and
checks the total against the closed form. Run it after a deploy or an upgrade: it proves that the
scheduler, the executor and every worker run tasks and pass results (XCom) correctly.

Params: `total` (default 1,000,000), `chunks` (default 12, the number of parallel tasks) and
`work_seconds` (default 0: how long each chunk task also holds its slot, to rehearse long tasks
and worker failures).
"""

from __future__ import annotations

from hangar_plugins.pipelines.smoke import build_smoke_dag

# The DAG comes from a factory: this comment names "airflow" and "dag" for Airflow's safe-mode
# discovery, which parses only files mentioning both.
smoke_check_dag = build_smoke_dag(tags=["platform", "smoke"], doc_md=__doc__)

if __name__ == "__main__":
    smoke_check_dag.test()
