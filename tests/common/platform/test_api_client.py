"""The REST client against a real HTTP server on a local port (Airflow's answers, stood in for
by a few lines: what is tested is the client's waiting, not Airflow). Every stack integration
test drives a real platform through the rest of it."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hangar_common.platform.api_client import AirflowApi
from tests.support.ports import free_port


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, states: list[str]) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.states = states  # what successive GETs of the run answer (the last one repeats)
        self.gets = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self, body: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self._answer({"access_token": "token"})

    def do_GET(self) -> None:
        self.server.gets += 1
        states = self.server.states
        self._answer({"state": states.pop(0) if len(states) > 1 else states[0]})

    def log_message(self, *args: object) -> None:  # quiet
        pass


def test_a_run_is_followed_through_an_api_server_restart() -> None:
    port = free_port()
    first = _Server(port, ["running"])
    api = AirflowApi(f"http://127.0.0.1:{port}", "admin", "pw")
    assert api.run("dag", "run-1")["state"] == "running"
    first.stop()  # the API server restarts: connections are refused for a while
    second: list[_Server] = []
    timer = threading.Timer(3, lambda: second.append(_Server(port, ["running", "success"])))
    timer.start()
    try:
        assert api.wait_for_run("dag", "run-1", timeout=60) == "success"
        assert second and second[0].gets == 2
    finally:
        timer.join()
        for server in second:
            server.stop()


def test_an_api_server_that_never_comes_back_ends_the_wait_with_the_run_named() -> None:
    port = free_port()
    server = _Server(port, ["running"])
    api = AirflowApi(f"http://127.0.0.1:{port}", "admin", "pw")
    server.stop()
    with pytest.raises(TimeoutError, match="run run-1 of dag not finished after 3 s"):
        api.wait_for_run("dag", "run-1", timeout=3)
