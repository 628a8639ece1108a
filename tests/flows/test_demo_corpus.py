"""The bundled demo corpus: feeds, pages and gold labels are consistent and match their source."""

from __future__ import annotations

import filecmp
import json
import tomllib
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from importlib.resources import as_file, files
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from flows.demo import build_corpus

BASE = "http://127.0.0.1:8765"
CORPUS = Path(build_corpus.__file__).resolve().parent / "corpus"
SITE = CORPUS / "site"
EVENT_TYPES = set(build_corpus.EVENT_TYPES)


def _served(path: Path) -> bytes:
    """A file as the demo server sends it: __BASE__ replaced in .xml and .html."""
    return path.read_bytes().replace(b"__BASE__", BASE.encode())


def _gold() -> list[dict]:
    with (CORPUS / "gold.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _feed_configs() -> list[dict]:
    with (CORPUS / "feeds.toml").open("rb") as fh:
        return tomllib.load(fh)["feed"]


def _local(url: str) -> Path:
    """The site file a served URL points at (query string dropped)."""
    assert url.startswith(BASE + "/"), url
    return SITE / urlsplit(url).path.lstrip("/")


class _PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.canonical: list[str] = []
        self.times: list[str] = []
        self.links: list[str] = []
        self.json_ld: list[str] = []
        self._in_ld = False
        self.text_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = a.get("name") or a.get("property")
            if key:
                self.meta.setdefault(key, a.get("content", ""))
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a["href"])
        elif tag == "time" and a.get("datetime"):
            self.times.append(a["datetime"])
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld.append(data)
        self.text_parts.append(data)


def _scan(path: Path) -> _PageScan:
    scan = _PageScan()
    scan.feed(_served(path).decode("utf-8"))
    return scan


PAGES = sorted(p for p in SITE.rglob("*.html"))
FEEDS = _feed_configs()


def test_feeds_toml_lists_every_feed_file() -> None:
    on_disk = sorted(str(p.relative_to(SITE)) for p in SITE.glob("*/*.xml"))
    listed = sorted(f["url"].removeprefix("__BASE__/") for f in FEEDS)
    assert listed == on_disk
    for f in FEEDS:
        assert set(f) == {"name", "url", "tags", "owner"}
        assert f["url"].startswith("__BASE__/")
    owners = Counter(f["owner"] for f in FEEDS if "—" not in f["name"])
    assert max(owners.values()) >= 2, "two outlets should share one owner"


@pytest.mark.parametrize("feed", FEEDS, ids=lambda f: f["name"])
def test_feed_parses_and_lists_existing_pages(feed: dict) -> None:
    body = _served(SITE / feed["url"].removeprefix("__BASE__/"))
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version in ("rss20", "atom10")
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.get("title") and entry.get("summary") and entry.get("author")
        assert entry.get("id")
        assert entry.get("published_parsed")
        assert _local(entry.link).is_file(), entry.link


def test_feed_mix() -> None:
    versions = Counter(feedparser.parse(_served(SITE / f["url"].removeprefix("__BASE__/"))).version
                       for f in FEEDS)
    assert versions["atom10"] >= 2 and versions["rss20"] >= 2
    links = [
        e.link
        for f in FEEDS
        for e in feedparser.parse(_served(SITE / f["url"].removeprefix("__BASE__/"))).entries
    ]
    assert any("utm_source=rss" in link for link in links)
    pages = Counter(urlsplit(link).path for link in links)
    assert any(n >= 2 for n in pages.values()), "one article should be listed in two feeds"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(SITE)))
def test_page_metadata(page: Path) -> None:
    scan = _scan(page)
    assert len(scan.canonical) == 1 and scan.canonical[0].startswith("https://www.")
    assert "utm_" not in scan.canonical[0]
    assert scan.times, "needs a <time datetime=...>"
    for key in ("description", "author", "og:title", "og:url", "article:published_time"):
        assert scan.meta.get(key), key
    assert scan.meta["og:url"] == scan.canonical[0]
    assert "Fictional article written for the newsignal demo corpus." in "".join(scan.text_parts)
    for href in scan.links:
        if href.startswith(BASE):
            assert _local(href).is_file(), href
    for block in scan.json_ld:
        assert json.loads(block)["url"] == scan.canonical[0]


def test_gold_covers_the_corpus() -> None:
    gold = _gold()
    assert len(gold) >= 40
    types = Counter(e["type"] for g in gold for e in g["events"])
    assert set(types) == EVENT_TYPES
    assert all(n >= 2 for n in types.values()), types
    hosts = {urlsplit(g["url"]).netloc for g in gold}
    assert len(hosts) >= 6
    days = Counter(date.fromisoformat(g["published"]) for g in gold)
    assert min(days) == date(2026, 11, 14) and max(days) == date(2026, 11, 20)
    assert len(days) == 7
    assert days[date(2026, 11, 20)] >= 6
    assert any(not g["events"] for g in gold), "the opinion piece has no events"
    stances = {e["stance"] for g in gold for e in g["events"]}
    assert stances == {"asserted", "alleged", "denied"}
    assert len({g["id"] for g in gold}) == len(gold)
    assert len({g["url"] for g in gold}) == len(gold)


def test_gold_records_are_well_formed() -> None:
    dev_keys = ["id", "url", "title", "title_source", "published", "text", "events", "entities",
                "labeling_notes"]
    for g in _gold():
        assert list(g) == dev_keys
        assert list(g["entities"]) == ["ORG", "PERSON", "GPE", "MODEL"]
        names = {n for values in g["entities"].values() for n in values}
        for e in g["events"]:
            assert list(e) == ["type", "stance", "actors", "salience", "roles"]
            assert e["type"] in EVENT_TYPES
            assert set(e["actors"]) <= names, (g["id"], e)
            # The actors are the parties among the role holders (ROLES.md).
            holders = {n for role, values in e["roles"].items() if role not in ("item", "model", "product")
                       for n in values}
            assert set(e["actors"]) == holders, (g["id"], e)
        assert 250 <= len(g["text"].split()) <= 600


def test_gold_text_is_on_the_page() -> None:
    """Each labeled paragraph, and the title, appears on the page that has the gold record's canonical URL."""
    by_canonical = {_scan(p).canonical[0]: p for p in PAGES}
    assert len(by_canonical) == len(PAGES)
    for g in _gold():
        scan = _scan(by_canonical[g["url"]])
        page_text = " ".join("".join(scan.text_parts).split())
        for para in g["text"].split("\n\n"):
            assert para in page_text, (g["id"], para[:60])
        assert "__BASE__" not in g["text"], g["id"]
        # title_source "page": the gold title is the page's own headline, as the pipeline stores it.
        assert g["title_source"] == "page", g["id"]
        assert scan.meta["og:title"] == g["title"] and g["title"] in page_text, (g["id"], g["title"])


def test_build_reproduces_committed_files(tmp_path: Path) -> None:
    build_corpus.build(CORPUS / "src", tmp_path)
    for name in ("feeds.toml", "gold.jsonl"):
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name
    site = tmp_path / "site"
    built = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
    committed = sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*") if p.is_file())
    assert built == committed
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "site", SITE, built, shallow=False)
    assert not mismatch and not errors, mismatch + errors


def test_corpus_is_package_data() -> None:
    with as_file(files("flows.demo") / "corpus") as root:
        assert (Path(root) / "feeds.toml").is_file()
        assert (Path(root) / "gold.jsonl").is_file()
        assert any((Path(root) / "site").rglob("*.html"))
