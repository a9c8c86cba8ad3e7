"""The Hangar page in the Airflow UI: bundle versions, component syncs, import errors, workers."""
