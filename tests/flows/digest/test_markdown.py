"""The digest as markdown (Prefect's UI renders it): feed text stays inert, the HTML file is linked."""

from __future__ import annotations

from pathlib import Path

from flows.digest.build import build_digest
from flows.digest.render import render_markdown
from tests.flows.digest.factory import BOUNDS, DAY, event

HOSTILE = "[click me](javascript:alert(1)) <script>alert(2)</script> # not a heading | not a table"


def test_feed_text_cannot_become_markup_and_the_html_file_is_linked(tmp_path: Path):
    member = event("1", "export_control", "asserted", ["Bureau of Industry and Security", "China"],
                   "Circuit Ledger", title=HOSTILE,
                   evidence="The Bureau added <b>12</b> firms [to the list].")
    digest = build_digest(DAY, "UTC", BOUNDS, [member], {"export_control": 1.0})
    html = tmp_path / "digest 2026-11-20 (final).html"
    markdown = render_markdown(digest, html_path=html)
    assert "<script" not in markdown and "<b>" not in markdown
    assert "](javascript:" not in markdown and "\\[click me\\]" in markdown
    assert "(file://" + str(tmp_path).replace(" ", "%20") in markdown
    assert "%20%28final%29.html)" in markdown  # spaces and parentheses cannot end the link early
    assert "](https://circuitledger.example/1)" in markdown
    assert markdown.startswith("# newsignal digest 2026\\-11\\-20")


def test_an_empty_day_says_so():
    digest = build_digest(DAY, "UTC", BOUNDS, [], {})
    assert "No new signals on 2026-11-20." in render_markdown(digest)
