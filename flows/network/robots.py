"""robots.txt for article pages, fetched once per host and cached (RFC 9309).

4xx (no robots.txt): everything allowed. 5xx or no answer: nothing allowed for
now (a transient error, so the page is tried again on a later poll).
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from extractors.errors import NewsignalError, TransientError

# One request without following redirects: (status, headers, body, Location or None).
Exchange = Callable[[str], tuple[int, dict[str, str], bytes, str | None]]

CACHE_SECONDS = 24 * 3600


class RobotsCache:
    """Per-origin robots.txt rules, read through ``exchange`` (the fetcher's own request path)."""

    def __init__(self, exchange: Exchange, user_agent: str) -> None:
        self._exchange = exchange
        self._user_agent = user_agent
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._parsers: dict[str, tuple[float, urllib.robotparser.RobotFileParser]] = {}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            host_lock = self._host_locks.setdefault(origin, threading.Lock())
        with host_lock:  # one robots.txt fetch per host, however many threads ask
            cached = self._parsers.get(origin)
            if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
                cached = (time.monotonic(), self._load(origin))
                self._parsers[origin] = cached
        return cached[1].can_fetch(self._user_agent, url)

    def _load(self, origin: str) -> urllib.robotparser.RobotFileParser:
        parser = urllib.robotparser.RobotFileParser()
        target = origin + "/robots.txt"
        for _ in range(5):
            try:
                status, _headers, body, location = self._exchange(target)
            except TransientError as exc:
                raise TransientError(f"robots.txt of {origin} unavailable: {exc}",
                                     reason="robots_unavailable") from exc
            except NewsignalError as exc:
                status = getattr(exc, "status", 404)
                if 400 <= status < 500:
                    parser.allow_all = True  # type: ignore[attr-defined]  # real but missing from typeshed
                    return parser
                raise TransientError(f"robots.txt of {origin} unavailable: {exc}",
                                     reason="robots_unavailable") from exc
            if location is None:
                parser.parse(body.decode("utf-8", errors="replace").splitlines())
                return parser
            target = urljoin(target, location)
        parser.allow_all = True  # type: ignore[attr-defined]  # real but missing from typeshed
        return parser
