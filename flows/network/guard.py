"""SSRF guard for links found inside feeds.

A feed is configured by the user and trusted; the links inside it are not. A
link is fetched only over http(s), and never from a loopback, private,
link-local (cloud metadata lives there), reserved or multicast address --
checked on the resolved IPs, at every redirect -- unless it is on the same
host as the feed that listed it, or its host is allowed in settings.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection
from urllib.parse import urlsplit

from extractors.errors import PermanentError


class UnsafeLink(PermanentError):
    reason = "unsafe_link"


def _host_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        port = None
    return host, port


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast
                or ip.is_unspecified or not ip.is_global)


def resolve(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise PermanentError(f"cannot resolve {host}: {exc.strerror}", reason="dns_error") from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def check_link(url: str, *, trusted_url: str | None, allowed_hosts: Collection[str] = ()) -> None:
    """Raise UnsafeLink unless ``url`` may be fetched on behalf of the feed at ``trusted_url``."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeLink(f"refused {scheme or 'scheme-less'} link {url[:80]!r}: only http(s) is fetched")
    host, port = _host_port(url)
    if not host:
        raise UnsafeLink(f"refused link without a host: {url[:80]!r}")
    if trusted_url is not None and (host, port) == _host_port(trusted_url):
        return  # the feed's own host: as trusted as the feed itself
    if host in {h.lower() for h in allowed_hosts}:
        return
    for ip in resolve(host):
        if not _is_public(ip):
            raise UnsafeLink(
                f"refused {url[:80]!r}: {host} resolves to non-public address {ip} "
                "(allow it with [http] allowed_private_hosts in settings.toml if you mean it)"
            )
