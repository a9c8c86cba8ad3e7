"""Airflow DAG-bundle classes."""
