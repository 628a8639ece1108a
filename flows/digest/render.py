"""Render a Digest as HTML (inline CSS only) and plain text, and as a MIME message."""

from __future__ import annotations

import json
import re
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from flows.digest.build import Digest, SourceLink

_env = Environment(
    loader=PackageLoader("flows.digest", "templates"),
    # Everything from feeds is untrusted: HTML is escaped; the text template is not HTML.
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _context(digest: Digest) -> dict[str, object]:
    return {"digest": digest, "total_events": sum(n for _, n in digest.events_by_type)}


def render_html(digest: Digest) -> str:
    return _env.get_template("digest.html.j2").render(_context(digest))


def render_text(digest: Digest) -> str:
    return _env.get_template("digest.txt.j2").render(_context(digest))


def _link(source: SourceLink) -> dict[str, str]:
    return {"outlet": source.source, "title": source.title, "url": source.url}


def _time(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"  # the warehouse keeps naive UTC


def digest_json(digest: Digest) -> dict[str, Any]:
    """The digest as plain JSON data, in the shape ``docs/digest.schema.json`` documents."""
    return {
        "date": digest.day.isoformat(),
        "timezone": digest.timezone,
        "generated_at": _time(digest.generated_at),
        "top": [
            {
                "signal_id": s.signal_id, "headline": s.headline, "title": s.title, "summary": s.summary,
                "event_type": s.event_type, "stance": s.status, "stance_summary": s.stance_summary,
                "corroboration": s.corroboration, "confidence": s.confidence, "new": s.new,
                "first_seen": _time(s.first_seen), "changes": list(s.changes),
                "evidence": {"quote": s.evidence, **_link(s.evidence_source)},
                "sources": [_link(src) for src in s.sources], "also": list(s.also),
            }
            for s in digest.top
        ],
        "changed": [
            {"event_type": event_type, "kind": c.kind, "detail": c.detail, "signal_id": c.signal.signal_id,
             "headline": c.signal.headline, "url": c.signal.evidence_source.url}
            for event_type, changes in digest.changes for c in changes
        ],
        "events_by_type": dict(digest.events_by_type),
        "feed_health": [{"feed": name, "error": error} for name, error in digest.failing_feeds],
    }


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def _md(text: str) -> str:
    """Feed text as inert markdown: one line, markdown punctuation escaped, no HTML."""
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_url(url: str) -> str:
    """A link target that cannot end the link early or carry a script: http(s) or a local file, parentheses
    and spaces encoded."""
    if not url.lower().startswith(("http://", "https://", "file://")):
        return ""
    return quote(url, safe=":/?#[]@!$&'*+,;=%~")


def render_markdown(digest: Digest, *, html_path: Path | None = None) -> str:
    """The digest in markdown (the Prefect UI shows it): the top signals with their evidence and
    sources, what changed, failing feeds, and a link to the HTML file when one was written."""
    lines = [f"# {_md(digest.subject)}", ""]
    if html_path is not None:
        lines += [f"[The digest as HTML]({_md_url(html_path.resolve().as_uri())}) · `{html_path}`", ""]
    total = sum(n for _, n in digest.events_by_type)
    articles = len(digest.sources)
    lines += [f"{digest.day.isoformat()} ({digest.timezone}): {total} events in {articles} articles", ""]
    if digest.empty:
        lines.append(f"No new signals on {digest.day.isoformat()}.")
    for i, s in enumerate(digest.top, 1):
        lines += ["", f"## {i}. {_md(s.headline)}", "",
                  f"*{_md(s.event_type)} / {_md(s.status)}{' / new' if s.new else ''}*: {_md(s.summary)}", "",
                  f"> {_md(s.evidence)} ({_md(s.evidence_source.source)})", "",
                  f"Corroboration {s.corroboration}, confidence {s.confidence:.2f}"
                  + (f"; today: {_md('; '.join(s.changes))}" if s.changes else ""), ""]
        lines += [f"- {_md(src.source)}: [{_md(src.title or src.url)}]({_md_url(src.url)})"
                  for src in s.sources]
    if digest.changes:
        lines += ["", "## What changed since the last digest", ""]
        lines += [f"- {_md(event_type)}: {_md(c.detail)}: {_md(c.signal.headline)}"
                  for event_type, changes in digest.changes for c in changes]
    if digest.failing_feeds:
        lines += ["", "## Feeds failing for more than a day", ""]
        lines += [f"- {_md(name)}: {_md(err)}" for name, err in digest.failing_feeds]
    return "\n".join(lines) + "\n"


def write_digest_files(digest: Digest, out_dir: Path) -> tuple[Path, Path, Path]:
    """Write ``digest-YYYY-MM-DD.html``, ``.txt`` and ``.json`` into ``out_dir``; returns the three paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"digest-{digest.day.isoformat()}"
    html_path, text_path, json_path = (stem.with_suffix(s) for s in (".html", ".txt", ".json"))
    html_path.write_text(render_html(digest), encoding="utf-8")
    text_path.write_text(render_text(digest), encoding="utf-8")
    data = json.dumps(digest_json(digest), ensure_ascii=False, indent=1)
    json_path.write_text(data + "\n", encoding="utf-8")
    return html_path, text_path, json_path


def build_message(digest: Digest, *, sender: str, recipients: list[str]) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML as the preferred part."""
    # No folding below 998 characters: folded subjects come back with a leading space in some readers.
    msg = EmailMessage(policy=SMTP.clone(max_line_length=998))
    # Headlines come from feeds: no newlines may reach a header, and a subject stays readable.
    subject = " ".join(digest.subject.split())
    msg["Subject"] = subject if len(subject) <= 200 else subject[:199].rstrip() + "…"
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="newsignal.local")
    msg.set_content(render_text(digest))
    msg.add_alternative(render_html(digest), subtype="html")
    return msg
