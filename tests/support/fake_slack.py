"""A local stand-in for Slack's Web API that records each request exactly as it arrives.

Slack itself cannot be reached from tests; the provider's real client (slack_sdk's WebClient,
through SlackHook/SlackNotifier) talks to this server when the ``slack`` connection's
``base_url`` points here. Answers ``{"ok": true}`` as Slack does for ``chat.postMessage``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from tests.support.http_fixtures import LocalHTTPServer, QuietHandler


@dataclass(frozen=True)
class SlackRequest:
    method: str  # the Web API method, e.g. "chat.postMessage"
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float  # time.time()


class FakeSlack(LocalHTTPServer):
    def __init__(self) -> None:
        self.requests: list[SlackRequest] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw or "{}")
                else:
                    body = dict(parse_qsl(raw))
                request = SlackRequest(
                    method=self.path.rsplit("/", 1)[-1],
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=body,
                    received_at=time.time(),
                )
                with fake._lock:
                    fake.requests.append(request)
                answer = json.dumps({"ok": True, "channel": body.get("channel"), "ts": "1.0"})
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.end_headers()
                self.wfile.write(answer.encode())

        super().__init__(Handler)

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    def messages(self) -> list[SlackRequest]:
        with self._lock:
            return [r for r in self.requests if r.method == "chat.postMessage"]

    def wait_for(self, predicate: Any, timeout: float) -> list[SlackRequest]:
        """Messages matching ``predicate`` once at least one arrived (or [] after ``timeout``).

        It returns at the first match: to assert *exactly* one, count after an event that no
        further matching message can follow (the run's last alert, the run's end).
        """
        deadline = time.monotonic() + timeout
        while True:
            found = [message for message in self.messages() if predicate(message)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    def __enter__(self) -> FakeSlack:
        super().__enter__()
        return self
