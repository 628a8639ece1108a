"""A loopback HTTP server for the bundled demo corpus (and for tests).

Serves a directory on 127.0.0.1 with conditional GET (ETag and
Last-Modified), and replaces the placeholder ``__BASE__`` in feeds and pages
with the server's own address, because the corpus cannot know the port.
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import cast
from urllib.parse import unquote, urlsplit

PLACEHOLDER = b"__BASE__"
# A fixed date keeps Last-Modified stable across runs, so a re-poll is a 304.
CORPUS_MTIME = email.utils.formatdate(1763596800, usegmt=True)  # 2025-11-20


def corpus_dir() -> Path:
    """The packaged demo corpus (works from a checkout and from an installed wheel)."""
    return Path(str(files("flows.demo") / "corpus"))


class _Handler(BaseHTTPRequestHandler):
    root: Path
    base: bytes

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet: the demo prints its own summary

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path).lstrip("/")
        target = (self.root / path).resolve()
        if (self.root not in target.parents and target != self.root) or not target.is_file():
            self.send_error(404)
            return
        body = target.read_bytes()
        if target.suffix in (".xml", ".html", ".htm", ".atom", ".rss"):
            body = body.replace(PLACEHOLDER, self.base)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag or (
            self.headers.get("If-None-Match") is None
            and self.headers.get("If-Modified-Since") == CORPUS_MTIME
        ):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        ctype = {
            ".xml": "application/xml", ".atom": "application/atom+xml", ".rss": "application/rss+xml",
        }.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("xml"):
            ctype += "; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", CORPUS_MTIME)
        self.end_headers()
        self.wfile.write(body)


# The demo prefers one fixed port so that a second `newsignal demo` polls the same feed
# URLs (and gets 304s); any free port is used when it is taken.
DEMO_PORT = 8765


@contextmanager
def serve_directory(root: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``root`` in a background thread; yields the base URL (``http://127.0.0.1:PORT``).

    ``port`` 0 takes any free port; a busy non-zero port falls back to any free one.
    """
    handler = cast("type[_Handler]", type("Handler", (_Handler,), {"root": Path(root).resolve()}))
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError:
        server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    base = f"http://{host}:{server.server_address[1]}"
    handler.base = base.encode()
    thread = threading.Thread(target=server.serve_forever, name="demo-http", daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
