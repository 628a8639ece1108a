"""The dashboard's HTTP server: stdlib ``http.server``, bound to 127.0.0.1 only.

Pages:  ``/`` (filters, chart, event table), ``/entity?name=X`` (briefing).
JSON:   ``/api/counts``, ``/api/events``, ``/api/options``, ``/api/entity?name=X``, ``/api/signals``
        (the same filter parameters as ``/``: since, until, type, stance, entity, source).
Static: ``/static/style.css``, ``/static/dashboard.js`` (shipped in the package, no CDN).

Only requests whose ``Host`` header names the server as it is bound (127.0.0.1 or localhost, with
its port) are answered: a web page elsewhere could otherwise read the dashboard through a DNS name
that it rebinds to 127.0.0.1. Every request gets an HTTP answer, a bad parameter a 400 saying which.

Requests are answered from an in-memory copy of what the pages show
(``warehouse.dashboard.DashboardModel``), refreshed by one short read-only
attach on the first request after the database file changes; the ingest's write lock
is touched only then.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flows.dashboard import pages
from warehouse.dashboard import DashboardModel
from warehouse.db import DatabaseError

log = logging.getLogger(__name__)

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".svg": "image/svg+xml", ".png": "image/png"}
# Everything the page loads comes from this server; inline scripts are refused, so even an
# escaping bug could not run a script from a feed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
MAX_API_EVENTS = 1000
_LIMIT = re.compile(r"[0-9]{1,4}")  # ASCII digits only: str.isdigit() also takes "²", which int() refuses


def allowed_hosts(bind_host: str, port: int) -> frozenset[str]:
    """The ``Host`` header values a server bound to ``bind_host:port`` answers (lower case).

    Its own address, plus ``localhost`` when that address is loopback; with the port, and also without
    it on port 80, where browsers leave it out.
    """
    names = {bind_host.lower()}
    try:
        if ipaddress.ip_address(bind_host).is_loopback:
            names.add("localhost")
    except ValueError:
        pass  # bound by name: that name only
    names = {f"[{n}]" if ":" in n else n for n in names}  # IPv6 literals are bracketed in Host
    with_port = {f"{n}:{port}" for n in names}
    return frozenset(with_port | names if port == 80 else with_port)


class DashboardServer(ThreadingHTTPServer):
    """A threaded server that knows which database (and gazetteer) it shows."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], db_path: Path, config_dir: Path | None = None) -> None:
        super().__init__(address, DashboardHandler)
        self.db_path = Path(db_path)
        self.model = DashboardModel(db_path)
        self.config_dir = config_dir
        self.allowed_hosts = allowed_hosts(str(self.server_address[0]), int(self.server_address[1]))

    def server_close(self) -> None:
        super().server_close()
        self.model.close()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


class DashboardHandler(BaseHTTPRequestHandler):
    server: DashboardServer
    server_version = "newsignal-dashboard"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s " + format, self.address_string(), *args)  # noqa: G003 - `format` is the stdlib's %-template

    def do_GET(self) -> None:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0].strip().lower() not in self.server.allowed_hosts:
            self._send(HTTPStatus.FORBIDDEN, f"this dashboard answers only at {self.server.url}\n",
                       "text/plain; charset=utf-8")
            return
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away
        except Exception as exc:
            log.error("dashboard: GET %s failed: %s: %s", self.path, type(exc).__name__, exc)
            log.debug("dashboard: GET %s failed", self.path, exc_info=True)
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "the dashboard failed on this request; "
                                                          "its log says why")

    def _route(self) -> None:
        parts = urlsplit(self.path)
        params = parse_qs(parts.query)
        db, cfg = self.server.model, self.server.config_dir
        try:
            if parts.path == "/":
                page = pages.overview_page(db, pages.parse_filters(params), cfg)
                self._send(HTTPStatus.OK, page, "text/html")
            elif parts.path == "/signals":
                self._send(HTTPStatus.OK, pages.signals_page(db, _one(params, "type")), "text/html")
            elif parts.path == "/feeds":
                self._send(HTTPStatus.OK, pages.feeds_page(db), "text/html")
            elif parts.path == "/api/signals":
                self._json(pages.signals_json(db, _one(params, "type")))
            elif parts.path == "/entity":
                self._send(HTTPStatus.OK, pages.entity_page(db, _one(params, "name"), cfg), "text/html")
            elif parts.path == "/api/counts":
                self._json(pages.counts_json(db, pages.parse_filters(params), cfg))
            elif parts.path == "/api/events":
                self._json(pages.events_json(db, pages.parse_filters(params), cfg, _limit(params)))
            elif parts.path == "/api/options":
                self._json(pages.options_json(db))
            elif parts.path == "/api/entity":
                self._json(pages.entity_json(db, _one(params, "name"), cfg))
            elif parts.path.startswith("/static/"):
                self._static(parts.path.removeprefix("/static/"))
            elif parts.path == "/favicon.ico":
                self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
            else:
                self._error(HTTPStatus.NOT_FOUND, f"no page at {parts.path}")
        except pages.BadRequest as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
        except DatabaseError as exc:
            # The ingest held the lock longer than we wait, or the file is missing: say so, don't crash.
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))

    def _static(self, name: str) -> None:
        # Only plain names of files shipped in static/: no paths, so no traversal.
        suffix = Path(name).suffix
        resource = files("flows.dashboard").joinpath("static", name)
        if ("/" in name or "\\" in name or name.startswith(".") or suffix not in STATIC_TYPES
                or not resource.is_file()):
            self._error(HTTPStatus.NOT_FOUND, "no such static file")
            return
        self._send(HTTPStatus.OK, resource.read_bytes(), STATIC_TYPES[suffix], cache="max-age=300")

    def _json(self, data: Any) -> None:
        self._send(HTTPStatus.OK, json.dumps(data, ensure_ascii=False), "application/json")

    def _error(self, status: HTTPStatus, message: str) -> None:
        if self.path.startswith("/api/"):
            self._send(status, json.dumps({"error": message}), "application/json")
        else:
            body = pages.render("error.html.j2", status=int(status), phrase=status.phrase, message=message,
                                now=pages._now(), db_name=self.server.db_path.name)
            self._send(status, body, "text/html")

    def _send(
        self, status: HTTPStatus, body: str | bytes, content_type: str, *, cache: str = "no-store"
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        if content_type in ("text/html", "application/json"):
            content_type += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", cache)
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _one(params: dict[str, list[str]], name: str) -> str:
    return (params.get(name) or [""])[-1]


def _limit(params: dict[str, list[str]]) -> int:
    raw = _one(params, "limit") or "100"
    if not _LIMIT.fullmatch(raw) or not 0 < int(raw) <= MAX_API_EVENTS:
        raise pages.BadRequest(f"limit must be a whole number from 1 to {MAX_API_EVENTS}")
    return int(raw)


def make_server(db_path: str | Path, *, port: int = 0, config_dir: Path | None = None) -> DashboardServer:
    """A server on 127.0.0.1:``port`` (0 picks a free port); call ``serve_forever`` or ``serve_in_thread``."""
    if not Path(db_path).exists():
        raise DatabaseError(f"no database at {db_path}; run `newsignal ingest` (or `newsignal demo`) first")
    return DashboardServer(("127.0.0.1", port), Path(db_path), config_dir)


def serve_in_thread(server: DashboardServer) -> threading.Thread:
    """Run ``server`` on a daemon thread (tests, notebooks); stop it with ``server.shutdown()``."""
    thread = threading.Thread(target=server.serve_forever, name="newsignal-dashboard", daemon=True)
    thread.start()
    return thread
