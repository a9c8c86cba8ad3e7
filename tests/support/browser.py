"""Headless Chromium driven over the DevTools protocol: log in to Airflow's UI and screenshot it.

Airflow's UI keeps its JWT in the ``_token`` cookie, so a logged-in page is the token from
``POST /auth/token`` set as that cookie before navigating.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import websocket

from tests.support.ports import free_port

# Flags that keep Chromium off the network it cannot reach here and away from a GPU.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1400,900",
)


class Page:
    def __init__(self, ws_url: str) -> None:
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self.ids)
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def text(self) -> str:
        result = self.call(
            "Runtime.evaluate", expression="document.body ? document.body.innerText : ''"
        )
        return str(result["result"].get("value", ""))

    def wait_for_text(self, needle: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.text()
            if needle in text:
                return text
            time.sleep(0.5)
        raise TimeoutError(f"{needle!r} never appeared; page text: {self.text()[:500]!r}")

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))


def chromium_binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise FileNotFoundError("chromium not installed: run ci_scripts/install_system_packages.sh")
    return found


@contextmanager
def chromium_page() -> Iterator[Page]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="hangar-chromium-") as profile:
        proc = subprocess.Popen(
            [
                chromium_binary(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--remote-debugging-port={port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its helpers share its process group: stopped together
        )
        try:
            deadline = time.monotonic() + 30
            targets: list[dict[str, Any]] = []
            while not targets:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as resp:
                        targets = [t for t in json.load(resp) if t.get("type") == "page"]
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            page = Page(targets[0]["webSocketDebuggerUrl"])
            try:
                yield page
            finally:
                page.ws.close()
        finally:
            _stop_chromium(proc)


def _stop_chromium(proc: subprocess.Popen[bytes]) -> None:
    """Stop Chromium and every helper it started (renderer, GPU, crashpad): they write to the
    profile folder until they exit, and the folder is removed right after. Stopping only the
    browser process once left a helper writing, and removing the profile failed (CI)."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 20
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            proc.poll()  # reap the browser itself
            time.sleep(0.1)
        if not _group_alive(proc.pid):
            break
    proc.wait(timeout=20)


def _group_alive(group: int) -> bool:
    """Whether a process of ``group`` still runs (zombies no longer write anything)."""
    for candidate in psutil.process_iter(["status"]):
        try:
            if os.getpgid(candidate.pid) == group and candidate.info["status"] != "zombie":
                return True
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return False


def open_logged_in(page: Page, base_url: str, token: str, path: str) -> None:
    page.call("Network.enable")
    page.call("Page.enable")
    page.call("Network.setCookie", name="_token", value=token, url=base_url)
    page.call("Page.navigate", url=f"{base_url}{path}")
