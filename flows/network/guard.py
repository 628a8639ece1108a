"""SSRF guard: which address a request may connect to.

A feed is configured by the user and trusted on its own host; everything else
is chosen by strangers: the links inside a feed, every redirect (of a feed, a
page or a robots.txt), and the robots.txt of each linked host. Such a target
is fetched only over http(s), and never from a loopback, private, link-local
(cloud metadata lives there), reserved or multicast address -- unless it is on
the same host and port as the feed, or its host is allowed in settings.

``check_link`` resolves the name once and returns the addresses it judged; the
fetcher connects to those and nothing else (``flows.network.pinning``), so a
name that answers differently the next time (DNS rebinding) cannot move the
connection somewhere the guard never saw.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection
from urllib.parse import urlsplit

import httpx

from extractors.errors import PermanentError, TransientError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeLink(PermanentError):
    reason = "unsafe_link"


def host_port(url: str) -> tuple[str, int | None]:
    """The (host, port) a request to ``url`` connects to, as httpx reads the URL (one parser decides)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsafeLink(f"refused malformed link {url[:80]!r}: {exc}") from exc
    host = parsed.raw_host.decode("ascii").lower()
    port = parsed.port or {"http": 80, "https": 443}.get(parsed.scheme)
    return host, port


def _is_public(ip: Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast
                or ip.is_unspecified or not ip.is_global)


def resolve(host: str) -> tuple[Address, ...]:
    try:
        return (ipaddress.ip_address(host),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        if exc.errno == socket.EAI_AGAIN:  # the resolver could not answer now: try again later
            raise TransientError(f"cannot resolve {host} now: {exc.strerror}", reason="connection") from exc
        raise PermanentError(f"cannot resolve {host}: {exc.strerror}", reason="dns_error") from exc
    found: list[Address] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise PermanentError(f"cannot resolve {host}: no address", reason="dns_error")
    return tuple(found)


def check_link(
    url: str, *, trusted_url: str | None, allowed_hosts: Collection[str] = ()
) -> tuple[Address, ...]:
    """The addresses ``url`` may be fetched from on behalf of the feed at ``trusted_url``.

    Raises UnsafeLink when any address the name resolves to is refused (a name that mixes
    public and inside addresses is refused whole: the connection could land on either).
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeLink(f"refused {scheme or 'scheme-less'} link {url[:80]!r}: only http(s) is fetched")
    host, port = host_port(url)
    if not host:
        raise UnsafeLink(f"refused link without a host: {url[:80]!r}")
    addresses = resolve(host)
    if trusted_url is not None and (host, port) == host_port(trusted_url):
        return addresses  # the feed's own host: as trusted as the feed itself
    if host in {h.lower() for h in allowed_hosts}:
        return addresses
    for ip in addresses:
        if not _is_public(ip):
            raise UnsafeLink(
                f"refused {url[:80]!r}: {host} resolves to non-public address {ip} "
                "(allow it with [http] allowed_private_hosts in settings.toml if you mean it)"
            )
    return addresses
