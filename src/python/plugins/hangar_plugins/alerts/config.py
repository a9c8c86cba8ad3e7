"""Platform-wide alert settings, from Airflow's config section ``[hangar]``.

``./hangar`` and the image set them from ``HANGAR_ALERT_CHANNEL`` and ``HANGAR_ALERT_ON_RETRY``
(see :mod:`hangar_common.platform.airflow_config`).
"""

from __future__ import annotations

from hangar_common.settings import HangarSettings

# The settings model's default (HANGAR_ALERT_CHANNEL), for a component started without it.
DEFAULT_CHANNEL: str = HangarSettings.model_fields["alert_channel"].default
SLACK_CONN_ID = "slack"


def default_channel() -> str:
    from airflow.configuration import conf

    return conf.get("hangar", "alert_channel", fallback=DEFAULT_CHANNEL) or DEFAULT_CHANNEL


def slack_enabled() -> bool:
    """``[hangar] slack_alerts``: true when ``HANGAR_SLACK_TOKEN`` is set. Without a token no
    alert is attached at all (a notifier would only log an error per failed task)."""
    from airflow.configuration import conf

    return conf.getboolean("hangar", "slack_alerts", fallback=False)


def alert_on_retry() -> bool:
    from airflow.configuration import conf

    return conf.getboolean("hangar", "alert_on_retry", fallback=False)


def api_base_url() -> str:
    from airflow.configuration import conf

    return conf.get("api", "base_url", fallback="http://localhost:8080/")
