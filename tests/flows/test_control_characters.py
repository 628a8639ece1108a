"""A feed and a page full of terminal escapes, NUL, bell and CR: one real ingest stores them clean, and
neither ``query --format csv`` nor the digest's text part passes a control character on."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.loopback import LoopbackServer

pytestmark = pytest.mark.slow

DAY = date(2026, 11, 20)
# Clears the screen, retitles the terminal, rings the bell, NUL, backspace, DEL, a CR. (The 8-bit CSI U+009B
# is left to tests/extractors/test_text.py: feedparser reads C1 code points as windows-1252 punctuation.)
DIRTY = "\x1b[2J\x1b]0;owned\x07\x00\x08\x7f\r"


def rss(title: str, items: str) -> bytes:
    # Raw control characters are not well-formed XML: feedparser's lenient parser reads the entries anyway.
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.org/</link>{items}</channel></rss>").encode()


def item(title: str, link: str, guid: str, text: str) -> str:
    return (f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
            f"<pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate><description>{text}</description></item>")


SENTENCE = (f"Anthropic released{DIRTY} Claude Opus 5 to developers on Friday,\r\nthe company said in a "
            f"statement{DIRTY}, and cut the price of its API by a third for every customer.")


def page(title: str) -> bytes:
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            + f"<p>{SENTENCE}</p>" * 3 + "</article></body></html>").encode()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    from flows.ingest import ingest_flow

    tmp = tmp_path_factory.mktemp("controls")
    with LoopbackServer() as srv:
        good = srv.add("/launch.html", body=page(f"Anthropic{DIRTY} launches\nOpus 5"),
                       headers={"Content-Type": "text/html; charset=utf-8"})
        gone = srv.url("/gone.html")  # 404: the feed's own text stands in
        srv.add("/dirty.xml", headers={"Content-Type": "application/rss+xml"}, body=rss(
            f"Dirty{DIRTY} Wire",
            item(f"Anthropic{DIRTY} launches\r\nOpus 5", good, "d1", f"Summary{DIRTY} line one\r\nline two")
            + item(f"Price{DIRTY} cut", gone, "d2", f"{SENTENCE} {SENTENCE}")))
        feeds = tmp / "feeds.toml"
        feeds.write_text(f'[[feed]]\nname = "Dirty Wire"\nurl = "{srv.url("/dirty.xml")}"\n')
        db = tmp / "n.duckdb"
        ingest_flow(str(feeds), str(db))
    return db


def controls_in(value: str, allowed: str = "") -> list[str]:
    return [hex(ord(ch)) for ch in value if unicodedata.category(ch) == "Cc" and ch not in allowed]


def test_everything_stored_is_clean(ingested: Path):
    con = duckdb.connect(str(ingested), read_only=True)
    try:
        titles = [r[0] for r in con.execute("SELECT title FROM articles ORDER BY title").fetchall()]
        texts = [r[0] for r in con.execute("SELECT text FROM articles").fetchall()]
        entries = con.execute("SELECT title, summary FROM entries").fetchall()
        feed_title = con.execute("SELECT title FROM feeds").fetchone()
        evidence = [r[0] for r in con.execute("SELECT sentence FROM event_evidence").fetchall()]
        mentions = con.execute("SELECT m.start_char, m.end_char, m.surface, a.text FROM mentions m "
                               "JOIN articles a USING (article_id)").fetchall()
    finally:
        con.close()
    # The page's HTML parser already turned NUL into U+FFFD and dropped ESC, leaving the sequences' printable
    # tails: harmless text. The feed's own text arrives raw and loses whole sequences.
    assert len(titles) == 2 and "launches Opus 5" in titles[0] and titles[1] == "Price cut"
    assert feed_title == ("Dirty Wire",)
    assert sorted(t for t, _ in entries) == ["Anthropic launches Opus 5", "Price cut"]
    for value in [*titles, feed_title[0], *(t for t, _ in entries)]:
        assert not controls_in(value), value
    for value in [*texts, *(s for _, s in entries), *evidence]:
        assert not controls_in(value, "\n\t"), value
    assert any("Anthropic released Claude Opus 5" in t for t in texts)
    # The NLP read the cleaned text, so its offsets point into what is stored.
    assert evidence and mentions
    assert all(text[start:end] == surface for start, end, surface, text in mentions)


def test_csv_and_the_digest_text_pass_no_control_character_on(ingested: Path, tmp_path: Path):
    from flows.daily_digest import make_digest
    from flows.digest.render import render_text
    from flows.settings import load_settings

    sql = "SELECT a.title, a.text, e.title AS entry, e.summary FROM articles a, entries e"
    csv = subprocess.run([sys.executable, "-m", "flows.cli", "query", "--db", str(ingested), "--format",
                          "csv", sql], capture_output=True, text=True, timeout=120)
    assert csv.returncode == 0, csv.stderr
    assert "launches Opus 5" in csv.stdout and "Price cut" in csv.stdout
    assert not controls_in(csv.stdout, "\n")
    text = render_text(make_digest(ingested, DAY, load_settings()))
    assert "launches Opus 5" in text or "Price cut" in text
    assert not controls_in(text, "\n")
