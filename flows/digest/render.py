"""Render a Digest as HTML (inline CSS only) and plain text, and as a MIME message."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from flows.digest.build import Digest

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


def write_digest_files(digest: Digest, out_dir: Path) -> tuple[Path, Path]:
    """Write ``digest-YYYY-MM-DD.html`` and ``.txt`` into ``out_dir``; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"digest-{digest.day.isoformat()}"
    html_path, text_path = stem.with_suffix(".html"), stem.with_suffix(".txt")
    html_path.write_text(render_html(digest), encoding="utf-8")
    text_path.write_text(render_text(digest), encoding="utf-8")
    return html_path, text_path


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
