"""A loopback HTTP server in its own process that notes when each request arrives.

Run as a script: prints its base URL, then answers every GET with "ok" (after
``?delay=SECONDS`` if given) until stdin closes; ``/robots.txt`` is the file named
as the first argument, when one is; ``GET /_arrivals`` returns the
arrival times so far as JSON. A server inside the test process would stamp
arrivals late whenever the client's threads hold the GIL, so spacing measured
there says more about the interpreter than about the client.
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
        else:
            arrivals.append(now)
            time.sleep(float(parse_qs(url.query).get("delay", ["0"])[0]))
            body = robots if url.path == "/robots.txt" and robots is not None else b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    global robots
    if len(sys.argv) > 1:
        robots = Path(sys.argv[1]).read_bytes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    sys.stdin.read()  # the parent closing our stdin is the signal to stop


if __name__ == "__main__":
    main()
