"""Feed lists in and out: OPML 2.0 import/export and TOML feeds files (pure, no network)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from email.utils import formatdate

from warehouse.records import FeedSpec


class FeedListError(Exception):
    """An OPML file that cannot be read as a subscription list."""


def feeds_from_opml(data: bytes) -> list[FeedSpec]:
    """Every feed (outline with xmlUrl) in an OPML file; categories become tags."""
    import listparser

    parsed = listparser.parse(data)
    if not parsed.feeds:
        why = f" ({parsed.bozo_exception})" if parsed.bozo else ""
        raise FeedListError(f"no feeds found: not an OPML subscription list with xmlUrl outlines{why}")
    feeds = []
    seen: set[str] = set()
    for f in parsed.feeds:
        url = f.url
        if not url or url in seen or not url.startswith(("http://", "https://")):
            continue
        seen.add(url)
        tags = sorted(set(f.tags))  # listparser flattens categories and folder names into tags
        feeds.append(FeedSpec(name=(f.title or url).strip(), url=url, tags=tuple(tags)))
    return feeds


def feeds_to_opml(feeds: Sequence[FeedSpec], *, title: str = "newsignal feeds") -> bytes:
    """OPML 2.0 with one outline per feed (tags as comma-separated ``category``)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = formatdate(usegmt=True)
    body = ET.SubElement(root, "body")
    for f in feeds:
        attrs = {"type": "rss", "text": f.name, "title": f.name, "xmlUrl": f.url}
        if f.tags:
            attrs["category"] = ",".join(f.tags)
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def _toml_string(value: str) -> str:
    # A JSON string literal is a valid TOML basic string (same escapes, no raw control characters).
    return json.dumps(value, ensure_ascii=False)


def feeds_to_toml(feeds: Sequence[FeedSpec]) -> str:
    """``[[feed]]`` tables for a feeds file."""
    blocks = []
    for f in feeds:
        lines = ["[[feed]]", f"name = {_toml_string(f.name)}", f"url = {_toml_string(f.url)}"]
        if f.tags:
            lines.append("tags = [" + ", ".join(_toml_string(t) for t in f.tags) + "]")
        if f.owner:
            lines.append(f"owner = {_toml_string(f.owner)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
