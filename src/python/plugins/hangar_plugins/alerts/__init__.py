"""Slack alerts for task failures, retries, DAG-run failures and opted-in successes."""
