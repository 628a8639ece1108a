"""A programmable HTTP server on 127.0.0.1 for tests: slow, failing and malformed answers included."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # before the status line
    drip_s: float = 0.0  # between body chunks
    chunk: int = 1024
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None  # full control


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up early (timeouts, size caps) are part of the tests, not errors


class LoopbackServer:
    """``host`` may be any loopback address (127.0.0.2 stands for "another machine on the inside"; servers on
    different ones are different hosts to the fetcher's per-host limits); ``port`` 0 picks a free one."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[float, str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:
                server.requests.append((time.monotonic(), self.path,
                                        {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.handler:
                    route.handler(self)
                    return
                time.sleep(route.delay_s)
                self.send_response(route.status)
                headers = {"Content-Length": str(len(route.body)), **route.headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    for i in range(0, len(route.body), route.chunk):
                        self.wfile.write(route.body[i:i + route.chunk])
                        self.wfile.flush()
                        if route.drip_s:
                            time.sleep(route.drip_s)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = _QuietServer((host, port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, **kwargs: Any) -> str:
        self.routes[path] = Route(**kwargs)
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for _, p, _ in self.requests if p.split("?")[0] == path)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def endless_feed(h: BaseHTTPRequestHandler) -> None:
    """A route handler: 50 MB of feed with no Content-Length, so only the fetcher's size cap stops it."""
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.end_headers()
    chunk = b"<!-- padding -->" * 4096
    try:
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            h.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass
