"""Hangar's DAG bundle: one module per pipeline, kept thin; logic lives in hangar_common."""
