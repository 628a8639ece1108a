"""One ingest run over a loopback server whose feeds misbehave in every way we know of.

Each broken feed must end up recorded in feed health, and the good feeds must go on.
"""

from __future__ import annotations

import gzip
import shutil
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.loopback import LoopbackServer, endless_feed

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).resolve().parents[2] / "config"


def rss(items: str, encoding: str = "utf-8") -> bytes:
    return (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>T</title>'
            f"<link>http://example.org/</link>{items}</channel></rss>").encode()


def item(title: str, link: str, guid: str, date: str | None = "Fri, 20 Nov 2026 08:00:00 GMT",
         text: str = "") -> str:
    pub = f"<pubDate>{date}</pubDate>" if date else ""
    desc = text or f"{title}. Anthropic said on Friday that it had released a new model to developers."
    return (f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>{pub}"
            f"<description>{desc}</description></item>")


def page(title: str) -> bytes:
    body = (f"<p>{title}. Anthropic released Claude Opus 5 to developers on Friday, the company said in a "
            "statement, and cut the price of its API by a third for every customer.</p>") * 3
    return (f"<html><head><title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>{body}</article></body></html>").encode()


def stall(h):
    time.sleep(4)  # longer than the read timeout


def drip(h):
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.end_headers()
    try:
        for _ in range(40):  # each byte arrives within the read timeout, the whole never within the total
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.2)
    except (BrokenPipeError, ConnectionResetError):
        pass




@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from flows.ingest import ingest_flow

    tmp = tmp_path_factory.mktemp("misbehaving")
    config = tmp / "config"
    shutil.copytree(CONFIG, config)
    settings = (config / "settings.toml").read_text()
    settings = (settings.replace("read_timeout_s = 20.0", "read_timeout_s = 1.0")
                .replace("total_timeout_s = 60.0", "total_timeout_s = 3.0")
                .replace("retries = 2 ", "retries = 1 ")
                .replace("retry_base_delay_s = 1.0", "retry_base_delay_s = 0.1"))
    (config / "settings.toml").write_text(settings)

    with LoopbackServer() as srv, LoopbackServer() as other:
        secret = other.add("/admin", body=b"internal only")
        good = srv.add("/good.html", body=page("Good story"), headers={"Content-Type": "text/html"})
        cp1252 = srv.add("/cafe.html", body=page("Caf\u00e9 story"), headers={"Content-Type": "text/html"})
        srv.add("/good.xml", body=rss(item("Good story", good, "g1")),
                headers={"Content-Type": "application/rss+xml"})
        srv.add("/500.xml", status=500, body=b"boom")
        srv.add("/429.xml", status=429, headers={"Retry-After": "7200"})
        srv.add("/stall.xml", handler=stall)
        srv.add("/drip.xml", handler=drip)
        srv.add("/loop.xml", status=302, headers={"Location": "/loop2.xml"})
        srv.add("/loop2.xml", status=302, headers={"Location": "/loop.xml"})
        srv.add("/huge.xml", handler=endless_feed)
        srv.add("/declared-huge.xml", body=b"x", headers={"Content-Length": str(50 * 1024 * 1024)})
        srv.add("/html.xml",
                body=b"<!doctype html><html><head><title>Home</title></head><body>hi</body></html>",
                headers={"Content-Type": "application/rss+xml"})
        srv.add("/wrong-type.xml", body=rss(item("Wrong type", good + "?from=wrong", "w1")),
                headers={"Content-Type": "text/plain"})
        full = rss(item("Zipped", good + "?z=1", "z1"))
        srv.add("/truncated-gzip.xml", body=gzip.compress(full)[:-30],
                headers={"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})
        # Cut off earlier: the stream ends after the channel's title, before the first entry.
        channel = full.partition(b"<item>")[0]
        zipper = zlib.compressobj(wbits=31)  # the gzip format
        head = zipper.compress(channel) + zipper.flush(zlib.Z_SYNC_FLUSH)
        srv.add("/truncated-early.xml", body=head,
                headers={"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})
        srv.add("/cp1252.xml", body=rss(item("Caf\u00e9 \u201cquoted\u201d", cp1252, "c1")).replace(
            "Caf\u00e9 \u201cquoted\u201d".encode(), "Caf\u00e9 \u201cquoted\u201d".encode("cp1252")),
            headers={"Content-Type": "application/rss+xml; charset=utf-8"})
        future = (datetime.now(UTC) + timedelta(days=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        srv.add("/odd.xml", body=rss(
            item("Same guid one", good + "?a=1", "dup") + item("Same guid two", good + "?a=2", "dup")
            + item("No date", good + "?b=1", "nd", date=None)
            + item("Future", good + "?c=1", "fu", date=future)
            + item("File link", "file:///etc/passwd", "fl") + item("Other loopback", secret, "ol")),
            headers={"Content-Type": "application/rss+xml"})
        names = ["good", "500", "429", "stall", "drip", "loop", "huge", "declared-huge", "html", "wrong-type",
                 "truncated-gzip", "truncated-early", "cp1252", "odd"]
        feeds = tmp / "feeds.toml"
        feeds.write_text("".join(f'[[feed]]\nname = "{n}"\nurl = "{srv.url("/" + n + ".xml")}"\n\n'
                                 for n in names))
        db = tmp / "n.duckdb"
        started = datetime.now(UTC).replace(tzinfo=None)
        report = ingest_flow(str(feeds), str(db), config_dir=str(config))
        other_hits = other.hits("/admin")
    con = duckdb.connect(str(db), read_only=True)
    health = {r[0]: r[1:] for r in con.execute(
        "SELECT name, last_status, last_error_kind, consecutive_failures, next_poll_at, last_warning "
        "FROM feeds"
    ).fetchall()}
    entries = con.execute("SELECT f.name, e.title, e.status, e.failure_reason, e.published_at, e.link "
                          "FROM entries e JOIN feeds f ON f.url = e.feed_url").fetchall()
    titles = {r[0] for r in con.execute("SELECT title FROM articles").fetchall()}
    from_feed = {r[0] for r in con.execute("SELECT title FROM articles WHERE from_feed").fetchall()}
    con.close()
    return {"report": report, "health": health, "entries": entries, "titles": titles, "started": started,
            "from_feed": from_feed,
            "other_hits": other_hits}


@pytest.mark.parametrize(("feed", "kind"), [
    ("500", "server_error"), ("429", "rate_limited"), ("stall", "timeout"), ("drip", "timeout"),
    ("loop", "too_many_redirects"), ("huge", "too_large"), ("declared-huge", "too_large"),
    ("html", "not_a_feed"), ("truncated-early", "malformed_feed"),
])
def test_each_failure_is_classified_on_the_feed_row(run, feed, kind):
    _status, error_kind, failures, next_poll_at, _ = run["health"][feed]
    assert error_kind == kind
    assert failures == 1
    assert next_poll_at > run["started"] + timedelta(minutes=20)  # backs off, never dropped


def test_retry_after_pushes_the_next_poll_out(run):
    assert run["health"]["429"][3] >= run["started"] + timedelta(hours=2) - timedelta(minutes=1)


def test_the_good_feeds_go_on(run):
    assert run["report"].polled == 14
    for name in ("good", "wrong-type", "cp1252", "odd"):
        assert run["health"][name][2] == 0, name
    assert "Good story" in run["titles"]


def test_cp1252_bytes_declared_utf8_keep_their_characters(run):
    titles = [t for name, t, *_ in run["entries"] if name == "cp1252"]
    assert titles == ["Caf\u00e9 \u201cquoted\u201d"]


def test_truncated_gzip_is_recorded_not_fatal(run):
    status, error_kind, failures, _next, warning = run["health"]["truncated-gzip"]
    # What the stream held is kept, and the damage is recorded as a warning on the feed.
    assert (status, error_kind, failures) == (200, None, 0)
    assert "SAXParseException" in warning
    assert "Zipped" in {t for name, t, *_ in run["entries"] if name == "truncated-gzip"}


def test_a_feed_truncated_before_any_entry_is_failing_with_the_reason(run):
    status, error_kind, failures, _next, _warning = run["health"]["truncated-early"]
    assert (status, error_kind, failures) == (200, "malformed_feed", 1)
    assert not [t for name, t, *_ in run["entries"] if name == "truncated-early"]


def test_odd_entries(run):
    odd = {t: (status, reason, published, link) for name, t, status, reason, published, link in run["entries"]
           if name == "odd"}
    assert "Same guid one" in odd and "Same guid two" not in odd  # one GUID, one entry: the first
    assert odd["No date"][2] is None and odd["Future"][2] is None  # a future date is not believed
    assert odd["File link"][3] is None  # never fetched: not an http(s) link
    # The page on another loopback service is never fetched; the feed's own text stands in.
    assert run["other_hits"] == 0
    assert {"Other loopback", "File link"} <= run["from_feed"]
