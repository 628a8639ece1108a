"""robots.txt for article pages, fetched once per origin and cached (RFC 9309, read by protego).

protego reads the rules as RFC 9309 says: ``*`` and ``$`` in paths, the longest
matching rule wins (Allow on a tie), the group of the most specific user agent.
4xx or too many redirects (no robots.txt): everything allowed. 5xx or no
answer: nothing allowed for now (a transient error, so the page is tried again
on a later poll). A redirect the SSRF guard refuses is not followed: the page
is refused with the guard's reason, as a link to that address would be.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from protego import Protego

from extractors.errors import NewsignalError, TransientError
from flows.network.guard import UnsafeLink

# One request without following redirects, through the fetcher's guarded door:
# (status, headers, body, Location or None).
Exchange = Callable[[str], tuple[int, dict[str, str], bytes, str | None]]

CACHE_SECONDS = 24 * 3600
MAX_REDIRECTS = 5  # RFC 9309 2.3.1.2: at least five consecutive redirects are followed


@dataclass(frozen=True)
class RobotsRules:
    """One origin's robots.txt as read; ``parser`` None means there is none (everything allowed)."""

    parser: Protego | None

    def allows(self, url: str, user_agent: str) -> bool:
        return self.parser is None or bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        """Seconds the site asks between two requests (``Crawl-delay``), if it asks."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay else None


NO_ROBOTS = RobotsRules(None)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class RobotsCache:
    """Per-origin robots.txt rules; each caller hands in the request path to read them through."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}
        self._rules: dict[str, tuple[float, RobotsRules]] = {}

    def rules(self, url: str, exchange: Exchange) -> RobotsRules:
        origin = origin_of(url)
        with self._lock:
            origin_lock = self._origin_locks.setdefault(origin, threading.Lock())
        with origin_lock:  # one robots.txt fetch per origin, however many threads ask
            cached = self._rules.get(origin)
            if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
                cached = (time.monotonic(), self._load(origin, exchange))
                self._rules[origin] = cached
        return cached[1]

    @staticmethod
    def _load(origin: str, exchange: Exchange) -> RobotsRules:
        target = origin + "/robots.txt"
        for _ in range(MAX_REDIRECTS + 1):
            try:
                _status, _headers, body, location = exchange(target)
            except UnsafeLink as exc:
                # Not cached: a hop's refusal can depend on the feed asking (its own host is trusted).
                raise UnsafeLink(f"robots.txt of {origin} not read: {exc}") from exc
            except TransientError as exc:
                raise TransientError(f"robots.txt of {origin} unavailable: {exc}",
                                     reason="robots_unavailable") from exc
            except NewsignalError as exc:
                http_status: int | None = getattr(exc, "status", None)
                if http_status is not None and 400 <= http_status < 500:
                    return NO_ROBOTS
                # Anything else (a name that stopped resolving, a file over the size cap) is not
                # "no robots.txt": the rules are unknown, so nothing is fetched for now.
                raise TransientError(f"robots.txt of {origin} unavailable: {exc}",
                                     reason="robots_unavailable") from exc
            if location is None:
                return RobotsRules(Protego.parse(body.decode("utf-8", errors="replace")))
            target = urljoin(target, location)
        return NO_ROBOTS
