"""Connect only to the addresses the SSRF guard judged (DNS pinning).

The guard resolves a name and checks the answers; if the connection then
resolved the name again, a name that answers a public address first and an
inside one next (DNS rebinding) would be fetched from the inside one. So the
fetcher pins each request to the addresses the guard returned, and new
connections go there and nowhere else.

The pin replaces only the TCP connect: the URL, the Host header, TLS SNI and
certificate verification all stay on the original name (httpcore starts TLS
with the origin's host name, whatever address the socket reached). Pins are
per thread because httpx's sync client connects in the thread that sends the
request. A request with no pin for its host fails closed. Connections kept
alive in the pool are reused for their (scheme, host, port): each was opened
to an address that was checked when it was opened.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx

from flows.network.guard import Address


@dataclass(frozen=True)
class Pin:
    host: str  # as httpcore sees it: the URL's ASCII host, lower case, IPv6 without brackets
    port: int
    addresses: tuple[Address, ...]


class PinnedBackend(httpcore.NetworkBackend):
    """httpcore's own sync backend, but TCP goes to the current thread's pinned addresses only."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self._local = threading.local()

    @contextmanager
    def pinned(self, pin: Pin) -> Iterator[None]:
        previous = getattr(self._local, "pin", None)
        self._local.pin = pin
        try:
            yield
        finally:
            self._local.pin = previous

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        pin: Pin | None = getattr(self._local, "pin", None)
        if pin is None or (pin.host, pin.port) != (host.lower(), port) or not pin.addresses:
            raise httpcore.ConnectError(f"no checked address for {host}:{port}; refusing to resolve it again")
        error: httpcore.ConnectError | None = None
        for address in pin.addresses:  # in the resolver's order, as socket.create_connection would
            try:
                return self._inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's default transport (its request mapping and error translation) over a PinnedBackend.

    httpx takes no network backend, so this builds the connection pool HTTPTransport would
    build (the same SSL context and limits, HTTP/1.1) with ours; ``_pool`` is all that
    HTTPTransport's constructor sets and all that its methods use.
    """

    def __init__(self, backend: PinnedBackend, *, limits: httpx.Limits) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
