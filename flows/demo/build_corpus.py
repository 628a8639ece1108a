"""Render the demo corpus: outlet pages, feeds, feeds.toml and the gold labels.

Run by hand after editing anything under ``flows/demo/corpus/src``::

    .venv/bin/python -m flows.demo.build_corpus

The source is one TOML file per article (``src/articles/*.toml``) plus ``src/outlets.toml`` and the Jinja2
templates in ``src/templates``. The output is committed, and a test rebuilds it into a temporary directory and
compares byte for byte, so the generated files cannot drift from the source. Output is deterministic: files
are visited in sorted order and nothing depends on the time of the build.

Links that must reach the loopback demo server are written with the placeholder ``__BASE__``; the server
replaces it with ``http://127.0.0.1:PORT`` when it serves ``.xml`` and ``.html`` files. Canonical URLs use
each outlet's fictional ``https://www.<name>.example`` address.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from extractors.models import ENTITY_LABELS, EVENT_TYPES, STANCES
from extractors.taxonomy import EventRules, load_event_rules
from flows.settings import config_dir

BASE = "__BASE__"
FOOTER_NOTE = "Fictional article written for the newsignal demo corpus."
FIRST_DAY = date(2026, 11, 14)
LAST_DAY = date(2026, 11, 20)
MIN_WORDS, MAX_WORDS = 250, 600

SALIENCES = ("main", "background")
GUID_STYLES = ("permalink", "wp", "opaque", "tag", "uuid", "url")


class CorpusError(ValueError):
    """The source files break a rule of the corpus."""


@dataclass
class Feed:
    key: str
    file: str
    format: str  # "rss" | "atom"
    name: str
    title: str
    tags: list[str]
    link_query: str
    outlet: Outlet | None = None
    articles: list[Article] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{BASE}/{self.outlet.slug}/{self.file}" if self.outlet else ""

    @property
    def updated(self) -> datetime:
        return max(a.modified for a in self.articles)


@dataclass
class Outlet:
    slug: str
    name: str
    domain: str
    owner: str
    template: str
    tagline: str
    canonical: str
    guid: str
    sections: list[str]
    feeds: list[Feed]
    articles: list[Article] = field(default_factory=list)

    @property
    def home(self) -> str:
        return f"https://{self.domain}/"


@dataclass
class Article:
    path: Path
    outlet: Outlet
    slug: str
    published: datetime
    updated: datetime | None
    author: str
    title: str
    summary: str
    section: str
    paragraphs: list[str]
    feeds: list[str]
    tags: list[str]
    wire: str | None
    image_caption: str | None
    comments: list[dict[str, Any]]
    labels: dict[str, Any]
    id: str = ""
    related: list[Article] = field(default_factory=list)

    @property
    def modified(self) -> datetime:
        return self.updated or self.published

    @property
    def num(self) -> int:
        """A stable number per article (CMS-style ids in URLs and guids), independent of other articles."""
        digest = hashlib.sha1(f"{self.outlet.slug}/{self.slug}".encode()).hexdigest()
        return 100000 + int(digest[:8], 16) % 900000

    @property
    def day(self) -> date:
        return self.published.date()

    @property
    def site_path(self) -> str:
        """Where the page is served, relative to the site root."""
        d = self.published
        return f"{self.outlet.slug}/{d:%Y}/{d:%m}/{d:%d}/{self.slug}.html"

    @property
    def served_url(self) -> str:
        return f"{BASE}/{self.site_path}"

    @property
    def canonical(self) -> str:
        d = self.published
        return self.outlet.canonical.format(
            yyyy=f"{d:%Y}", mm=f"{d:%m}", dd=f"{d:%d}", slug=self.slug, num=self.num
        )

    @property
    def guid(self) -> str:
        style = self.outlet.guid
        if style in ("permalink", "url"):
            return self.canonical
        if style == "wp":
            return f"https://{self.outlet.domain}/?p={self.num}"
        if style == "opaque":
            return f"cc-{self.num}"
        if style == "tag":
            bare = self.outlet.domain.removeprefix("www.")
            return f"tag:{bare},{self.day.isoformat()}:/stories/{self.num}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, self.canonical)}"

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def word_count(self) -> int:
        return len(self.text.split())


# ---------------------------------------------------------------------------------------------- loading


def _load_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_outlets(src_dir: Path) -> dict[str, Outlet]:
    outlets: dict[str, Outlet] = {}
    for raw in _load_toml(src_dir / "outlets.toml")["outlet"]:
        feeds = [Feed(**f) for f in raw.pop("feeds")]
        outlet = Outlet(feeds=feeds, **raw)
        if outlet.guid not in GUID_STYLES:
            raise CorpusError(f"{outlet.slug}: unknown guid style {outlet.guid!r}")
        for f in feeds:
            f.outlet = outlet
            if f.format not in ("rss", "atom"):
                raise CorpusError(f"{outlet.slug}/{f.key}: unknown feed format {f.format!r}")
        outlets[outlet.slug] = outlet
    return outlets


def _paragraphs(text: str) -> list[str]:
    # Paragraphs are separated by blank lines; line breaks inside one are just spaces.
    blocks = [" ".join(block.split()) for block in text.strip().split("\n\n")]
    return [b for b in blocks if b]


def _aware(value: Any, where: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise CorpusError(f"{where}: needs a datetime with a UTC offset, got {value!r}")
    return value


def load_article(path: Path, outlets: dict[str, Outlet]) -> Article:
    raw = _load_toml(path)
    where = path.name
    try:
        outlet = outlets[raw["outlet"]]
    except KeyError as exc:
        raise CorpusError(f"{where}: unknown or missing outlet") from exc
    main_feed = outlet.feeds[0].key
    feeds = [main_feed] + [k for k in raw.get("feeds", []) if k != main_feed]
    known = {f.key for f in outlet.feeds}
    if not set(feeds) <= known:
        raise CorpusError(f"{where}: feeds {sorted(set(feeds) - known)} not defined for {outlet.slug}")
    updated = raw.get("updated")
    article = Article(
        path=path,
        outlet=outlet,
        slug=raw["slug"],
        published=_aware(raw["published"], where),
        updated=_aware(updated, where) if updated is not None else None,
        author=raw["author"],
        title=raw["title"],
        summary=raw["summary"],
        section=raw.get("section", outlet.sections[0]),
        paragraphs=_paragraphs(raw["text"]),
        feeds=feeds,
        tags=list(raw.get("tags", [])),
        wire=raw.get("wire"),
        image_caption=raw.get("image_caption"),
        comments=list(raw.get("comments", [])),
        labels=raw["labels"],
    )
    check_article(article)
    return article


@lru_cache(maxsize=1)
def _event_rules() -> EventRules:
    return load_event_rules(config_dir())


def check_article(a: Article) -> None:
    where = a.path.name
    # The gold file records the local calendar date; keep it equal to the UTC date so that a pipeline which
    # stores UTC timestamps sees the same day.
    if a.published.date() != a.published.astimezone(UTC).date():
        raise CorpusError(f"{where}: local date differs from UTC date")
    if not FIRST_DAY <= a.day <= LAST_DAY:
        raise CorpusError(f"{where}: published {a.day} outside {FIRST_DAY}..{LAST_DAY}")
    if not MIN_WORDS <= a.word_count <= MAX_WORDS:
        raise CorpusError(f"{where}: {a.word_count} words, want {MIN_WORDS}..{MAX_WORDS}")
    entities = a.labels.get("entities", {})
    if set(entities) != set(ENTITY_LABELS):
        raise CorpusError(f"{where}: entities must have exactly {ENTITY_LABELS}")
    names = {n for label in ENTITY_LABELS for n in entities[label]}
    for label in ENTITY_LABELS:
        if len(set(entities[label])) != len(entities[label]):
            raise CorpusError(f"{where}: duplicate {label} entity")
    seen: set[tuple[str, str]] = set()
    for ev in a.labels.get("events", []):
        if set(ev) != {"type", "stance", "actors", "salience", "roles"}:
            raise CorpusError(f"{where}: event needs exactly type, stance, actors, salience, roles: {ev}")
        if ev["type"] not in EVENT_TYPES or ev["stance"] not in STANCES or ev["salience"] not in SALIENCES:
            raise CorpusError(f"{where}: bad event {ev}")
        if (ev["type"], ev["stance"]) in seen:
            raise CorpusError(f"{where}: (type, stance) {ev['type']}/{ev['stance']} labeled twice")
        seen.add((ev["type"], ev["stance"]))
        missing = [x for x in ev["actors"] if x not in names]
        if missing or not ev["actors"]:
            raise CorpusError(f"{where}: actors {missing} are not labeled entities")
        # Roles as config/event_types.toml declares them (ROLES.md conventions); items are not entities.
        rules = _event_rules()
        wanted = rules.roles_of(ev["type"], ev["stance"])
        if set(ev["roles"]) != set(wanted):
            raise CorpusError(f"{where}: {ev['type']}/{ev['stance']} roles must be {list(wanted)}: "
                              f"{ev['roles']}")
        objects = rules.types[ev["type"]].object_roles
        holders = {n for role, ns in ev["roles"].items() if role != "item" for n in ns}
        parties = {n for role, ns in ev["roles"].items() if role not in objects for n in ns}
        if holders - names or set(ev["actors"]) != parties:
            raise CorpusError(f"{where}: role holders must be labeled entities and the actors the parties "
                              f"among them: {ev}")


def load_corpus(src_dir: Path) -> tuple[dict[str, Outlet], list[Article]]:
    outlets = load_outlets(src_dir)
    articles = [load_article(p, outlets) for p in sorted((src_dir / "articles").glob("*.toml"))]
    articles.sort(key=lambda a: (a.published.astimezone(UTC), a.outlet.slug, a.slug))
    slugs: set[tuple[str, str]] = set()
    for n, a in enumerate(articles, start=1):
        a.id = f"demo-{n:02d}"
        if (a.outlet.slug, a.slug) in slugs:
            raise CorpusError(f"{a.path.name}: duplicate slug {a.slug} in {a.outlet.slug}")
        slugs.add((a.outlet.slug, a.slug))
        a.outlet.articles.append(a)
        for f in a.outlet.feeds:
            if f.key in a.feeds:
                f.articles.append(a)
    for outlet in outlets.values():
        _link_related(outlet)
    return outlets, articles


def _link_related(outlet: Outlet) -> None:
    """Related-article links: the outlet's nearest other stories, earlier ones first."""
    items = outlet.articles
    for i, a in enumerate(items):
        earlier = items[max(0, i - 3) : i][::-1]
        later = items[i + 1 : i + 4]
        a.related = (earlier + later)[:3]


# ---------------------------------------------------------------------------------------------- rendering


def _env(src_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(src_dir / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rfc822"] = format_datetime
    env.filters["iso"] = lambda d: d.isoformat()
    env.filters["longdate"] = lambda d: f"{d:%B} {d.day}, {d:%Y}"
    env.filters["clock"] = lambda d: f"{d:%H:%M}"
    env.filters["tojson_ld"] = lambda obj: Markup(
        json.dumps(obj, ensure_ascii=False, indent=2).replace("</", "<\\/")
    )
    return env


def _json_ld(a: Article) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "description": a.summary,
        "url": a.canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": a.canonical},
        "datePublished": a.published.isoformat(),
        "dateModified": a.modified.isoformat(),
        "author": [{"@type": "Person", "name": a.author}],
        "publisher": {
            "@type": "Organization",
            "name": a.outlet.name,
            "url": a.outlet.home,
            "logo": {"@type": "ImageObject", "url": f"{a.outlet.home}static/logo.png"},
        },
        "articleSection": a.section,
        "keywords": a.tags,
        "wordCount": a.word_count,
        "isAccessibleForFree": True,
    }


def _gold_line(a: Article) -> str:
    entities = a.labels["entities"]
    record = {
        "id": a.id,
        "url": a.canonical,
        "title": a.title,
        "title_source": "page",
        "published": a.day.isoformat(),
        "text": a.text,
        "events": [
            {"type": e["type"], "stance": e["stance"], "actors": list(e["actors"]), "salience": e["salience"],
             "roles": {role: list(names) for role, names in e.get("roles", {}).items()}}
            for e in a.labels.get("events", [])
        ],
        "entities": {label: list(entities[label]) for label in ENTITY_LABELS},
        "labeling_notes": " ".join(a.labels.get("notes", "").split()),
    }
    return json.dumps(record, ensure_ascii=False)


def _feeds_toml(outlets: dict[str, Outlet]) -> str:
    lines = [
        "# Generated by flows/demo/build_corpus.py from corpus/src -- do not edit by hand.",
        "# __BASE__ is replaced by the demo server's address (http://127.0.0.1:PORT).",
    ]
    for slug in sorted(outlets):
        for f in outlets[slug].feeds:
            lines += [
                "",
                "[[feed]]",
                f"name = {json.dumps(f.name, ensure_ascii=False)}",
                f"url = {json.dumps(f.url)}",
                f"tags = [{', '.join(json.dumps(t) for t in ['demo', *f.tags])}]",
                f"owner = {json.dumps(outlets[slug].owner, ensure_ascii=False)}",
            ]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def build(src_dir: Path, out_dir: Path) -> list[Article]:
    """Render ``src_dir`` into ``out_dir``: ``site/``, ``feeds.toml`` and ``gold.jsonl``.

    ``out_dir/site`` is replaced as a whole, so pages of removed articles do not linger.
    """
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    outlets, articles = load_corpus(src_dir)
    env = _env(src_dir)
    site = out_dir / "site"
    if site.exists():
        shutil.rmtree(site)
    for a in articles:
        page = env.get_template(f"{a.outlet.template}.html.j2").render(
            a=a, o=a.outlet, base=BASE, footer_note=FOOTER_NOTE, json_ld=_json_ld(a)
        )
        _write(site / a.site_path, page)
    for slug in sorted(outlets):
        for f in outlets[slug].feeds:
            f.articles.sort(key=lambda a: (a.published, a.slug), reverse=True)
            body = env.get_template(f"{f.format}.xml.j2").render(f=f, o=outlets[slug], base=BASE)
            _write(site / slug / f.file, body)
    _write(out_dir / "feeds.toml", _feeds_toml(outlets))
    _write(out_dir / "gold.jsonl", "".join(_gold_line(a) + "\n" for a in articles))
    return articles


def main() -> None:
    here = Path(__file__).resolve().parent / "corpus"
    articles = build(here / "src", here)
    print(f"built {len(articles)} articles into {here}")


if __name__ == "__main__":
    main()
