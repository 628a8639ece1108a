from __future__ import annotations

from itertools import pairwise

import pytest

from flows.network.fetch import Fetcher, FetchFailed, parse_retry_after
from flows.settings import HttpSettings
from tests.flows.network.conftest import ARRIVAL_JITTER_S

FAST = HttpSettings(connect_timeout_s=2, read_timeout_s=0.5, total_timeout_s=2, max_bytes=1000,
                    per_host_delay_s=0.0, retries=1, retry_base_delay_s=0.05, user_agent="newsignal-test/1")


def test_conditional_get_and_user_agent(loopback):
    def handler(h):
        etag = '"abc"'
        if h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("ETag", etag)
        h.send_header("Content-Length", "2")
        h.end_headers()
        h.wfile.write(b"ok")

    url = loopback.add("/feed", handler=handler)
    with Fetcher(FAST) as f:
        first = f.get(url, kind="feed")
        assert (first.status, first.body, first.headers["etag"]) == (200, b"ok", '"abc"')
        again = f.get(url, kind="feed", etag=first.headers["etag"])
        assert again.not_modified and again.body == b""
    assert loopback.requests[0][2]["user-agent"] == "newsignal-test/1"


def test_transient_then_success_is_retried(loopback):
    calls = []

    def handler(h):
        calls.append(1)
        status, body = (503, b"busy") if len(calls) == 1 else (200, b"fine")
        h.send_response(status)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    url = loopback.add("/flaky", handler=handler)
    with Fetcher(FAST) as f:
        assert f.get(url, kind="feed").body == b"fine"
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("route", "reason", "transient"),
    [
        ({"status": 404, "body": b"no"}, "not_found", False),
        ({"status": 410, "body": b""}, "gone", False),
        ({"status": 429, "body": b"", "headers": {"Retry-After": "3600"}}, "rate_limited", True),
        ({"status": 200, "body": b"x" * 5000}, "too_large", False),
        ({"status": 200, "body": b"x" * 5000, "headers": {"Content-Length": "999999"}}, "too_large", False),
        ({"status": 200, "body": b"late", "delay_s": 1.5}, "timeout", True),
    ],
)
def test_failures_are_classified(loopback, route, reason, transient):
    url = loopback.add("/x", **route)
    with Fetcher(FAST) as f, pytest.raises(FetchFailed) as info:
        f.get(url, kind="article")
    assert info.value.error.reason == reason
    assert info.value.transient is transient
    assert info.value.record.error_kind == reason


def test_redirect_loop_is_permanent(loopback):
    loopback.add("/a", status=302, headers={"Location": "/b"})
    loopback.add("/b", status=302, headers={"Location": "/a"})
    with Fetcher(FAST) as f, pytest.raises(FetchFailed) as info:
        f.get(loopback.url("/a"), kind="feed")
    assert info.value.error.reason == "too_many_redirects"


def test_retry_after_forms():
    from datetime import UTC, datetime

    assert parse_retry_after("120") == 120.0
    now = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert parse_retry_after("Fri, 20 Nov 2026 08:01:00 GMT", now) == 60.0
    assert parse_retry_after("soon") is None


def test_wire_gate_spaces_each_write_from_the_end_of_the_previous_one():
    import random
    import threading
    import time

    from flows.network.fetch import HostLimiter

    gap, writes, lock = 0.03, [], threading.Lock()
    limiter = HostLimiter(per_host=4, min_gap_s=gap)

    def request(i: int) -> None:
        trace = limiter.wire_gate("example.org")
        time.sleep(random.uniform(0, 0.02))  # connecting takes a varying time
        trace("http11.send_request_headers.started", {})
        began = time.monotonic()
        time.sleep(0.005 if i % 3 else 0.02)  # a write held up by a busy interpreter
        ended = time.monotonic()
        trace("http11.send_request_headers.complete", {"return_value": None})
        with lock:
            writes.append((began, ended))

    threads = [threading.Thread(target=request, args=(i,)) for i in range(15)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writes.sort()
    assert len(writes) == 15
    # Each write begins at least the gap after the previous write ended, not after it began.
    assert min(b[0] - a[1] for a, b in pairwise(writes)) >= gap
    other = limiter.wire_gate("other.example")  # another host is not slowed by this one
    t0 = time.monotonic()
    other("http11.send_request_headers.started", {})
    other("http11.send_request_headers.failed", {"exception": OSError()})
    assert time.monotonic() - t0 < gap


def test_one_host_never_sees_two_requests_closer_than_the_gap(arrival_server):
    from concurrent.futures import ThreadPoolExecutor

    base, arrivals = arrival_server
    gap = 0.1
    settings = HttpSettings(**{**FAST.__dict__, "per_host_delay_s": gap, "per_host_concurrency": 3,
                               "read_timeout_s": 2.0})
    with Fetcher(settings) as f, ThreadPoolExecutor(12) as pool:
        # Slow answers keep connections busy, so later requests open new ones and race warm ones.
        results = list(pool.map(lambda i: f.get(f"{base}/p{i}?delay={0.3 if i % 4 == 0 else 0}", kind="page"),
                                range(12)))
    assert all(r.status == 200 for r in results)
    seen = arrivals()
    assert len(seen) == 12
    assert min(b - a for a, b in pairwise(seen)) >= gap - ARRIVAL_JITTER_S


# Three tries on transient errors, but a timeout gets one more try at most (the next poll tries again).
PATIENT = HttpSettings(connect_timeout_s=2, read_timeout_s=0.5, total_timeout_s=3, max_bytes=1000,
                       per_host_delay_s=0.0, retries=2, retry_base_delay_s=0.05,
                       user_agent="newsignal-test/1")


def test_a_stalled_server_is_tried_twice_not_three_times(loopback):
    url = loopback.add("/stalled", status=200, body=b"late", delay_s=2)
    with Fetcher(PATIENT) as f, pytest.raises(FetchFailed) as info:
        f.get(url, kind="feed")
    assert info.value.error.reason == "timeout"
    assert loopback.hits("/stalled") == 2


def test_a_dripping_body_costs_one_total_timeout_not_one_per_attempt(loopback):
    import time

    url = loopback.add("/drip", status=200, body=b"x" * 200, chunk=1, drip_s=0.1)  # 20 s to send it all
    with Fetcher(PATIENT) as f, pytest.raises(FetchFailed) as info:
        started = time.monotonic()
        f.get(url, kind="feed")
    took = time.monotonic() - started
    assert info.value.error.reason == "timeout"
    # The total timeout bounds the whole call: once it is spent, no retry starts another.
    assert loopback.hits("/drip") == 1
    assert took < PATIENT.total_timeout_s + 1.5  # generous: one total timeout, not three


def test_a_fetcher_going_round_more_hosts_than_its_concurrency_keeps_each_hosts_connection():
    # A run fetches many hosts in turn, each a politeness gap between two requests. The pool used to hold
    # only `concurrency` connections (4 here), so with more hosts than that every request opened a new one.
    from contextlib import ExitStack

    from tests.loopback import LoopbackServer

    hosts, rounds = 6, 3
    connections: dict[str, set[int]] = {}

    def answer(h):
        connections.setdefault(h.headers["Host"], set()).add(h.client_address[1])
        h.send_response(200)
        h.send_header("Content-Length", "2")
        h.end_headers()
        h.wfile.write(b"ok")

    with ExitStack() as stack:
        servers = [stack.enter_context(LoopbackServer(f"127.0.0.{i + 2}")) for i in range(hosts)]
        urls = [srv.add("/page", handler=answer) for srv in servers]
        with Fetcher(HttpSettings(**{**FAST.__dict__, "concurrency": 4})) as f:
            for _ in range(rounds):
                assert all(f.get(url, kind="page").status == 200 for url in urls)
    assert len(connections) == hosts
    assert sum(len(ports) for ports in connections.values()) == hosts  # one connection per host, reused
