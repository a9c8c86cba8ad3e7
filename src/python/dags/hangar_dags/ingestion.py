"""
### Ingestion: one Airflow DAG per dataset file of `config/datasets/`

CSV over HTTP → Parquet in object storage (partitioned by data interval, malformed rows
quarantined) → PostgreSQL warehouse (COPY + UPSERT). Steps: `hangar_plugins.pipelines`.
Run one locally: `python ingestion.py sales`.

(Airflow's safe-mode discovery parses only files mentioning both "airflow" and "dag": this
docstring names them, as the DAGs come from a factory.)
"""

from __future__ import annotations

import sys
from pathlib import Path

from hangar_plugins.ingestion.dag_factory import build_ingestion_dag
from hangar_plugins.ingestion.datasets import load_datasets

# Reading YAML files shipped in the bundle: no database or network at parse time.
DATASETS = load_datasets(Path(__file__).parent / "config" / "datasets")

for _dataset in DATASETS.values():
    globals()[f"ingest_{_dataset.name}"] = build_ingestion_dag(_dataset)

if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else next(iter(DATASETS))
    globals()[f"ingest_{name}"].test()
