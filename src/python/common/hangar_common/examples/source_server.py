"""The example sales source over HTTP: ``GET /sales/YYYY-MM-DD.csv`` (days up to today, UTC).

``./hangar up`` runs it under the stack's supervisor when ``HANGAR_EXAMPLE_SALES_URL`` is not
set. Written on the standard library's HTTP server: it serves generated files to one pipeline,
on loopback, and a web framework would add nothing.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hangar_common.examples.sales import sales_csv

_SALES_PATH = re.compile(r"/sales/(\d{4}-\d{2}-\d{2})\.csv")


def answer(path: str, *, today: date) -> tuple[int, str, bytes]:
    """(status, content type, body) for ``path``."""
    if path in ("/", "/health"):
        return 200, "text/plain", b"ok: GET /sales/YYYY-MM-DD.csv\n"
    match = _SALES_PATH.fullmatch(path)
    if not match:
        return 404, "text/plain", b"not found\n"
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        return 404, "text/plain", f"{match.group(1)} is not a date\n".encode()
    if day > today:
        return 404, "text/plain", f"no sales file for {day} yet (today is {today})\n".encode()
    return 200, "text/csv", sales_csv(day.isoformat())


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        status, content_type, body = answer(
            self.path.split("?", 1)[0], today=datetime.now(UTC).date()
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # One line per request in the component's log (supervisord rotates it).
        print(f"{self.address_string()} {format % args}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bind", default="127.0.0.1")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.bind, args.port), _Handler)
    print(f"example sales source on http://{args.bind}:{args.port}/sales/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
