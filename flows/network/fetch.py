"""The one door to the network: polite, capped, classified HTTP GETs.

Every request goes through ``Fetcher.get``: explicit timeouts, at most N
redirects, the body streamed and capped, a per-host concurrency limit and
minimum gap, and errors classed as transient (retry later) or permanent
(record and move on). A 304 is a normal result, not an error.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urljoin

import httpx

from extractors.errors import NewsignalError, PermanentError, TransientError
from flows.network.guard import Address, check_link, host_port
from flows.network.pinning import Pin, PinnedBackend, PinnedTransport
from flows.network.robots import RobotsCache
from flows.settings import HttpSettings
from warehouse.records import FetchRecord

log = logging.getLogger(__name__)

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
# A site's Crawl-delay is honoured up to this many seconds between two requests: beyond it, one host's
# wish would hold the whole run (a day's articles of one host would take hours).
MAX_CRAWL_DELAY_S = 30.0


@dataclass(frozen=True)
class HttpResult:
    url: str  # final URL after redirects
    status: int
    headers: dict[str, str]
    body: bytes
    started_at: datetime
    elapsed_ms: int
    fetch_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    def record(self, kind: str, feed_url: str | None = None) -> FetchRecord:
        return FetchRecord(
            fetch_id=self.fetch_id, url=self.url, kind=kind, started_at=self.started_at, status=self.status,
            content_sha256=self.sha256 if self.body else None, content_type=self.headers.get("content-type"),
            bytes=len(self.body), elapsed_ms=self.elapsed_ms, feed_url=feed_url,
        )


class FetchFailed(Exception):
    """Carries the classified error plus the provenance record of the failed attempt."""

    def __init__(self, error: TransientError | PermanentError, record: FetchRecord,
                 retry_after_s: float | None):
        super().__init__(str(error))
        self.error = error
        self.record = record
        self.retry_after_s = retry_after_s

    @property
    def transient(self) -> bool:
        return isinstance(self.error, TransientError)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HostLimits(Protocol):
    """What the fetcher asks of a per-host limiter: ``HostLimiter`` here, in one process's memory, or
    ``shared_limits.SharedHostLimiter``, shared by the processes of a Dask cluster."""

    def slot(self, host: str) -> AbstractContextManager[None]: ...

    def wire_gate(self, host: str) -> Callable[[str, dict], None]: ...

    def ask_gap(self, host: str, gap_s: float | None) -> None: ...

    def gap(self, host: str) -> float: ...


class HostLimiter:
    """Per-host concurrency, and a minimum gap between the moments requests reach the wire.

    ``slot(host)`` bounds how many requests to a host are in flight. The gap is enforced by
    ``wire_gate(host)``, an httpx trace hook that runs just before the request headers are
    written: a thread that claimed its turn early but then waited on a new connection or on a
    busy interpreter would otherwise send late, and the next request, sent on time, would
    reach the host too soon after it. The gate is held while the headers are written and the
    gap runs from when that write finished, so two requests to one host are always at least
    the gap apart on the wire, whatever the scheduling in between.
    """

    # Delivery on the far side (a new connection's accept, a loaded server's threads) shifts
    # arrivals by a few milliseconds; this headroom keeps the host's own count within the limit.
    HEADROOM_S = 0.01

    def __init__(self, per_host: int, min_gap_s: float) -> None:
        self._per_host = per_host
        self._min_gap_s = min_gap_s
        self._gap_s = self._with_headroom(min_gap_s)
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._wire: dict[str, threading.Lock] = {}
        self._last_sent: dict[str, float] = {}
        self._host_gaps: dict[str, float] = {}  # hosts that asked for more (robots.txt Crawl-delay)

    def _with_headroom(self, gap_s: float) -> float:
        return gap_s + self.HEADROOM_S if gap_s > 0 else 0.0

    def ask_gap(self, host: str, gap_s: float | None) -> None:
        """A host's own minimum gap (its Crawl-delay, up to MAX_CRAWL_DELAY_S); the configured gap
        still applies when larger."""
        with self._lock:
            if gap_s is not None and gap_s > self._min_gap_s:
                self._host_gaps[host] = self._with_headroom(min(gap_s, MAX_CRAWL_DELAY_S))
            else:
                self._host_gaps.pop(host, None)

    def gap(self, host: str) -> float:
        """Seconds kept between two requests to ``host`` (headroom included)."""
        return self._host_gaps.get(host, self._gap_s)

    def _earliest(self, host: str) -> float:
        gap = self.gap(host)
        return self._last_sent.get(host, -gap) + gap

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            sem = self._slots.setdefault(host, threading.BoundedSemaphore(self._per_host))
        with sem:
            # Waiting here, before any global slot is taken, keeps a thread queued for a busy
            # host from holding capacity other hosts could use; the gate below is the guarantee.
            delay = self._earliest(host) - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            yield

    def wire_gate(self, host: str) -> Callable[[str, dict], None]:
        """An httpx ``trace`` callback that spaces this request's headers from the host's last ones."""
        with self._lock:
            gate = self._wire.setdefault(host, threading.Lock())

        def trace(event: str, info: dict) -> None:
            if event.endswith("send_request_headers.started"):
                gate.acquire()
                try:
                    delay = self._earliest(host) - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                except BaseException:
                    gate.release()
                    raise
            elif event.endswith(("send_request_headers.complete", "send_request_headers.failed")):
                self._last_sent[host] = time.monotonic()
                gate.release()

        return trace


# Idle keep-alive connections a fetcher holds at most (all hosts together; each closes after 5 s unused): two
# for each of 50 hosts fetched at once.
IDLE_CONNECTIONS = 100


class Fetcher:
    """Owns one httpx.Client and the politeness state; safe to share between threads."""

    def __init__(self, settings: HttpSettings, *, transport: httpx.BaseTransport | None = None,
                 limiter: HostLimits | None = None) -> None:
        self.settings = settings
        self.limiter: HostLimits = limiter or HostLimiter(settings.per_host_concurrency,
                                                          settings.per_host_delay_s)
        self._global = threading.BoundedSemaphore(settings.concurrency)
        # ``_global`` bounds the requests in flight; the pool only keeps connections. Capped at
        # ``concurrency`` too, it closed one host's idle connection to open another's, so a run over many
        # hosts reconnected for most requests (2,408 connects for 3,170 requests on 50 hosts, measured):
        # now each host being fetched keeps its own between two requests a politeness gap apart.
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=IDLE_CONNECTIONS)
        # Every connection goes to an address the SSRF guard checked for that hop (see pinning.py).
        self._backend = PinnedBackend()
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate, br"},
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
            # Redirects are followed by hand so each hop passes the SSRF guard and the hop limit.
            follow_redirects=False,
            transport=transport or PinnedTransport(self._backend, limits=limits),
            limits=limits,
        )
        self.robots = RobotsCache()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self, url: str, *, kind: str, feed_url: str | None = None, etag: str | None = None,
        last_modified: str | None = None, accept: str | None = None, untrusted: bool = False,
    ) -> HttpResult:
        """GET with retries on transient errors; raises FetchFailed when it gives up.

        Every hop passes the SSRF guard and connects to the addresses it checked. A feed
        (``untrusted`` False) is trusted on the host of ``url`` itself, the address the user
        gave; ``untrusted`` marks a link read from inside a feed, trusted only on the host of
        ``feed_url``, and read only where the site's robots.txt allows it.

        A timeout is retried at most once, and only when a further wait of ``read_timeout_s``
        still fits in ``total_timeout_s`` counted from the first attempt: the next poll tries
        again anyway, and one slow host must not hold a run for several timeouts. (A body still
        arriving after ``total_timeout_s`` is therefore not retried.)
        """
        started = time.monotonic()
        attempt, timed_out = 0, False
        while True:
            try:
                return self._get_once(url, kind=kind, feed_url=feed_url, etag=etag,
                                      last_modified=last_modified, accept=accept, untrusted=untrusted)
            except FetchFailed as failed:
                if not failed.transient or attempt >= self.settings.retries:
                    raise
                delay = self.settings.retry_base_delay_s * (2 ** attempt) * random.uniform(0.5, 1.5)
                if failed.retry_after_s is not None:
                    # A server asking for more than our whole budget gets its answer next poll.
                    budget_s = 4 * self.settings.retry_base_delay_s * 2 ** self.settings.retries
                    if failed.retry_after_s > budget_s:
                        raise
                    delay = max(delay, failed.retry_after_s)
                left_s = started + self.settings.total_timeout_s - time.monotonic() - delay
                if failed.error.reason == "timeout":
                    # Once, and only when a whole further wait for the server fits in what is left.
                    if timed_out or left_s < self.settings.read_timeout_s:
                        raise
                    timed_out = True
                elif left_s <= 0:
                    raise
                log.info("retrying %s in %.1fs after %s", url, delay, failed.error,
                         extra={"article_url": url, "stage": "fetch"})
                time.sleep(delay)
                attempt += 1

    def _get_once(
        self, url: str, *, kind: str, feed_url: str | None, etag: str | None, last_modified: str | None,
        accept: str | None, untrusted: bool,
    ) -> HttpResult:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        started = datetime.now(UTC)
        t0 = time.monotonic()

        def failed(error: NewsignalError, status: int | None = None,
                   retry_after: float | None = None) -> FetchFailed:
            if not isinstance(error, (TransientError, PermanentError)):
                error = PermanentError(str(error), reason=error.reason)
            record = FetchRecord(
                fetch_id=uuid.uuid4().hex, url=url, kind=kind, started_at=started, status=status,
                error_kind=error.reason, error=str(error), elapsed_ms=int((time.monotonic() - t0) * 1000),
                feed_url=feed_url,
            )
            return FetchFailed(error, record, retry_after)

        # Whose word the first hop is: the user's for a feed, a stranger's for a link inside one.
        trusted_url = feed_url if untrusted else url
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            try:
                addresses = self._vet(current, trusted_url)
                if untrusted and self.settings.respect_robots:
                    self._obey_robots(current, trusted_url)
                status, resp_headers, body, location = self._exchange(current, headers, t0, addresses)
            except FetchFailed:
                raise
            except NewsignalError as exc:
                raise failed(exc, getattr(exc, "status", None), getattr(exc, "retry_after", None)) from exc
            if location is None:
                return HttpResult(url=current, status=status, headers=resp_headers, body=body,
                                  started_at=started, elapsed_ms=int((time.monotonic() - t0) * 1000))
            current = urljoin(current, location)
            headers.pop("If-None-Match", None)
            headers.pop("If-Modified-Since", None)
        raise failed(PermanentError(f"more than {self.settings.max_redirects} redirects",
                                    reason="too_many_redirects"))

    def _vet(self, url: str, trusted_url: str | None) -> tuple[Address, ...]:
        """The SSRF guard's verdict on one hop: the addresses it may connect to (or UnsafeLink)."""
        return check_link(url, trusted_url=trusted_url, allowed_hosts=self.settings.allowed_private_hosts)

    def _obey_robots(self, url: str, trusted_url: str | None) -> None:
        """Raise unless the robots.txt of ``url``'s origin allows it; adopt its Crawl-delay."""

        def robots_hop(target: str) -> tuple[int, dict[str, str], bytes, str | None]:
            # robots.txt and each of its redirects pass the guard like any hop of the page's own fetch.
            return self._exchange(target, {}, time.monotonic(), self._vet(target, trusted_url))

        rules = self.robots.rules(url, robots_hop)
        ua = self.settings.user_agent
        self.limiter.ask_gap(httpx.URL(url).host, rules.crawl_delay(ua))
        if not rules.allows(url, ua):
            raise PermanentError(f"robots.txt of {httpx.URL(url).host} disallows {url}",
                                 reason="robots_disallowed")

    def _exchange(
        self, url: str, headers: dict[str, str], t0: float, addresses: tuple[Address, ...]
    ) -> tuple[int, dict[str, str], bytes, str | None]:
        """One request to one of ``addresses`` (the guard's), under the politeness limits:
        (status, headers, body, redirect location)."""
        host = httpx.URL(url).host
        pin_host, pin_port = host_port(url)
        pin = Pin(pin_host, pin_port or 0, addresses)
        queued = time.monotonic()
        # Host slot first: threads queued for a busy host must not hold global slots other hosts could use.
        # The gap itself is enforced as the request goes on the wire (HostLimiter.wire_gate).
        with self.limiter.slot(host), self._global, self._backend.pinned(pin):
            # Time spent queued behind our own limits is not the server's slowness: the total timeout
            # does not count it.
            t0 += time.monotonic() - queued
            try:
                with self.client.stream("GET", url, headers=headers,
                                        extensions={"trace": self.limiter.wire_gate(host)}) as response:
                    status = response.status_code
                    resp_headers = {k.lower(): v for k, v in response.headers.items()}
                    if status in REDIRECT_STATUSES and "location" in resp_headers:
                        return status, resp_headers, b"", resp_headers["location"]
                    if status in TRANSIENT_STATUSES:
                        error: NewsignalError = TransientError(
                            f"HTTP {status} from {host}",
                            reason="rate_limited" if status == 429 else "server_error")
                        error.status = status
                        error.retry_after = parse_retry_after(resp_headers.get("retry-after"))
                        raise error
                    if status >= 400:
                        reason = {404: "not_found", 410: "gone", 401: "unauthorized", 403: "forbidden"}.get(
                            status, "http_error")
                        error = PermanentError(f"HTTP {status} from {host}", reason=reason)
                        error.status = status
                        raise error
                    return status, resp_headers, self._read_capped(response, t0), None
            except httpx.TimeoutException as exc:
                raise TransientError(f"timed out ({type(exc).__name__})", reason="timeout") from exc
            except httpx.DecodingError as exc:
                raise TransientError(f"bad content encoding: {exc}", reason="decoding") from exc
            except httpx.InvalidURL as exc:
                raise PermanentError(f"invalid URL: {exc}", reason="invalid_url") from exc
            except httpx.UnsupportedProtocol as exc:
                raise PermanentError(f"unsupported URL: {exc}", reason="unsupported_scheme") from exc
            except (httpx.TransportError, httpx.RemoteProtocolError) as exc:
                raise TransientError(f"connection failed: {exc}", reason="connection") from exc

    def _read_capped(self, response: httpx.Response, t0: float) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.settings.max_bytes:
            raise PermanentError(
                f"body of {int(declared):,} bytes exceeds the {self.settings.max_bytes:,}-byte cap",
                reason="too_large")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.settings.max_bytes:
                raise PermanentError(f"body exceeds the {self.settings.max_bytes:,}-byte cap",
                                     reason="too_large")
            if time.monotonic() - t0 > self.settings.total_timeout_s:
                raise TransientError(
                    f"body still arriving after {self.settings.total_timeout_s:.0f}s", reason="timeout")
            chunks.append(chunk)
        return b"".join(chunks)
