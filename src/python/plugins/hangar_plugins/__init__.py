"""Hangar's Airflow plugins: operators, hooks, notifiers, macros and DAG-bundle code."""
