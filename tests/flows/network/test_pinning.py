"""DNS rebinding: a name that answers an allowed address to the guard and a forbidden one next.

Only the resolver is patched (in this process; the machine's DNS is untouched). Both answers
are real loopback servers on one port: 127.0.0.1 plays a public host, 127.0.0.2 an inside one.
The guard's real policy still refuses 127.0.0.2; it is told only that 127.0.0.1 stands for the
internet, which a test that talks to loopback alone cannot reach.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flows.network import guard
from flows.network.fetch import Fetcher, FetchFailed
from flows.settings import HttpSettings
from tests.loopback import LoopbackServer

NAME = "rebind.test"
ALLOWED, FORBIDDEN = "127.0.0.1", "127.0.0.2"
SETTINGS = HttpSettings(per_host_delay_s=0.0, retries=0, read_timeout_s=2, respect_robots=False)
FEED = "http://feeds.example/feed.xml"  # the feed listing the link: another host, so no trust carries over


@pytest.fixture
def stand_in_for_the_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    real = guard._is_public
    monkeypatch.setattr(guard, "_is_public", lambda ip: ip == ipaddress.ip_address(ALLOWED) or real(ip))


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """NAME resolves to ALLOWED the first time and FORBIDDEN every time after; returns the answers given."""
    real = socket.getaddrinfo
    answers: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME:
            return real(host, port, *args, **kwargs)
        answers.append(ALLOWED if not answers else FORBIDDEN)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answers[-1], port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def _pair() -> tuple[LoopbackServer, LoopbackServer]:
    """Two loopback servers on one port, at ALLOWED and FORBIDDEN."""
    for _ in range(20):
        forbidden = LoopbackServer(host=FORBIDDEN)
        try:
            return LoopbackServer(host=ALLOWED, port=forbidden.port), forbidden
        except OSError:  # that port is taken on 127.0.0.1: try another
            forbidden._server.server_close()
    raise RuntimeError("no port free on both loopback addresses")


@pytest.fixture
def servers() -> Iterator[tuple[LoopbackServer, LoopbackServer]]:
    allowed, forbidden = _pair()
    with allowed, forbidden:
        yield allowed, forbidden


@pytest.mark.usefixtures("stand_in_for_the_internet")
def test_the_connection_goes_to_the_address_the_guard_checked(rebinding, servers):
    allowed, forbidden = servers
    allowed.add("/story.html", body=b"<html>public</html>")
    forbidden.add("/story.html", body=b"<html>internal</html>")
    url = f"http://{NAME}:{allowed.port}/story.html"
    with Fetcher(SETTINGS) as f:
        result = f.get(url, kind="article", feed_url=FEED, untrusted=True)
    assert result.body == b"<html>public</html>"
    assert forbidden.requests == []
    assert rebinding == [ALLOWED]  # resolved once, by the guard
    # The request still names the host it is for.
    assert allowed.requests[0][2]["host"] == f"{NAME}:{allowed.port}"


@pytest.mark.usefixtures("stand_in_for_the_internet")
@pytest.mark.parametrize("respect_robots", [False, True])
def test_each_hop_is_resolved_checked_and_pinned_again(rebinding, servers, respect_robots):
    # A redirect to the same name, or its robots.txt, is a new hop: the name now answers the inside
    # address, so the guard refuses that hop and nothing reaches the inside server.
    allowed, forbidden = servers
    for server in servers:
        server.add("/a.html", status=302, headers={"Location": "/b.html"})
        server.add("/b.html", body=b"<html>b</html>")
        server.add("/robots.txt", body=b"User-agent: *\nAllow: /\n")
    settings = HttpSettings(**{**SETTINGS.__dict__, "respect_robots": respect_robots})
    with Fetcher(settings) as f, pytest.raises(FetchFailed) as info:
        f.get(f"http://{NAME}:{allowed.port}/a.html", kind="article", feed_url=FEED, untrusted=True)
    assert info.value.error.reason == "unsafe_link"
    assert FORBIDDEN in str(info.value.error)
    assert forbidden.requests == []


class _Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")


@pytest.mark.usefixtures("stand_in_for_the_internet")
def test_tls_keeps_the_name_for_sni_and_certificate_checks(rebinding, tmp_path: Path, monkeypatch):
    import trustme

    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(NAME).configure_cert(server_ctx)  # valid for the name only, not for 127.0.0.1
    sni: list[str | None] = []
    server_ctx.sni_callback = lambda sock, name, ctx: sni.append(name)
    httpd = ThreadingHTTPServer((ALLOWED, 0), _Hello)
    httpd.socket = server_ctx.wrap_socket(httpd.socket, server_side=True)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # httpx trusts this CA (trust_env)
    try:
        with Fetcher(SETTINGS) as f:
            result = f.get(f"https://{NAME}:{httpd.server_address[1]}/", kind="article", feed_url=FEED,
                           untrusted=True)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.body == b"hello"  # the certificate for NAME verified on a socket to 127.0.0.1
    assert sni == [NAME]


@pytest.mark.usefixtures("stand_in_for_the_internet")
def test_a_robots_txt_whose_name_stops_resolving_is_unavailable_not_absent(monkeypatch, servers):
    # The page's name resolves for the guard, then not for its robots.txt: the rules are unknown,
    # so the page waits (transient), rather than being read as if the site had no robots.txt.
    allowed, _ = servers
    allowed.add("/story.html", body=b"<html>story</html>")
    real, calls = socket.getaddrinfo, []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME:
            return real(host, port, *args, **kwargs)
        calls.append(host)
        if len(calls) > 1:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ALLOWED, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    settings = HttpSettings(**{**SETTINGS.__dict__, "respect_robots": True})
    with Fetcher(settings) as f, pytest.raises(FetchFailed) as info:
        f.get(f"http://{NAME}:{allowed.port}/story.html", kind="article", feed_url=FEED, untrusted=True)
    assert (info.value.error.reason, info.value.transient) == ("robots_unavailable", True)
    assert allowed.requests == []
