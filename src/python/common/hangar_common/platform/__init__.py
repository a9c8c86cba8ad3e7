"""The Airflow platform: settings, secrets, process supervision, initialisation."""
