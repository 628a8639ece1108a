"""A loopback HTTP server in its own process that notes when each request arrives.

Run as a script: prints its base URL, then answers every GET with "ok" (after
``?delay=SECONDS`` if given) until stdin closes; ``/robots.txt`` is the file named
as the first argument, when one is (``--host=127.0.0.2`` listens on another loopback
address: another host to a client); ``GET /_arrivals`` returns the arrival times so
far as JSON, ``GET /_spans`` each request's [arrival, answered] times. A server inside
the test process would stamp arrivals late whenever the client's threads hold the GIL,
so spacing measured there says more about the interpreter than about the client.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

arrivals: list[float] = []
spans: list[tuple[float, float]] = []
robots: bytes | None = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        now = time.monotonic()
        url = urlsplit(self.path)
        if url.path == "/_arrivals":
            body = json.dumps(arrivals).encode()
        elif url.path == "/_spans":
            body = json.dumps(spans).encode()
        else:
            arrivals.append(now)
            time.sleep(float(parse_qs(url.query).get("delay", ["0"])[0]))
            body = robots if url.path == "/robots.txt" and robots is not None else b"ok"
            spans.append((now, time.monotonic()))  # answered: the body is written right after
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    global robots
    hosts = [a.removeprefix("--host=") for a in sys.argv[1:] if a.startswith("--host=")]
    files = [a for a in sys.argv[1:] if not a.startswith("--host=")]
    if files:
        robots = Path(files[0]).read_bytes()
    host = hosts[0] if hosts else "127.0.0.1"
    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"http://{host}:{server.server_address[1]}", flush=True)
    sys.stdin.read()  # the parent closing our stdin is the signal to stop


if __name__ == "__main__":
    main()
