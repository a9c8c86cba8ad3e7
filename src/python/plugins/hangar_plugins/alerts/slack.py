"""The Slack notifier every Hangar alert goes through (the Slack provider's ``SlackNotifier``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.providers.slack.notifications.slack import SlackNotifier

from hangar_plugins.alerts import config
from hangar_plugins.alerts.messages import AlertEvent, build_alert, channel_for

if TYPE_CHECKING:
    from airflow.sdk import Context


class HangarSlackNotifier(SlackNotifier):
    """Posts one message naming DAG, task, try, owner and log URL to the DAG's channel.

    The channel is the DAG's ``slack_channel`` param, else its ``slack:<channel>`` tag, else
    ``channel`` given here, else ``[hangar] alert_channel``. The token stays in the ``slack``
    connection (Slack Web API type); nothing here logs it.

    :param event: which event this notifier reports (failure, retry, DAG failure, success).
    :param slack_conn_id: the Slack Web API connection; ``slack`` (created by ``./hangar init``).
    :param channel: channel overriding the platform default, but not the DAG's own choice.
    """

    def __init__(
        self,
        *,
        event: AlertEvent,
        slack_conn_id: str = config.SLACK_CONN_ID,
        channel: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(slack_conn_id=slack_conn_id, channel=channel or "", **kwargs)
        self.event = event
        self.default_channel = channel

    def notify(self, context: Context) -> None:
        alert = build_alert(self.event, context, base_url=config.api_base_url())
        dag = context.get("dag")
        self.channel = channel_for(
            tags=getattr(dag, "tags", None),
            params=context.get("params"),
            default=self.default_channel or config.default_channel(),
        )
        self.text = alert.text
        super().notify(context)


def is_hangar_alert(callback: object, event: AlertEvent) -> bool:
    return isinstance(callback, HangarSlackNotifier) and callback.event is event
