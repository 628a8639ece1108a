from __future__ import annotations

from datetime import date, datetime

from flows.digest.build import build_digest, group_signals
from flows.digest.render import build_message, render_html, render_text
from warehouse.digest_queries import EventRow

DAY = date(2026, 11, 20)


def row(eid, etype, stance, actors, source, *, owner=None, title="Headline", conf=0.8, url=None):
    return EventRow(eid, DAY, etype, stance, tuple(actors), f"{actors[0] if actors else 'Someone'} did it.", conf,
                    title, url or f"https://{source.lower().replace(' ', '')}.example/{eid}", source, owner,
                    datetime(2026, 11, 20, 9))


def test_events_sharing_an_actor_form_one_signal_and_owners_count_once():
    rows = [
        row("1", "export_control", "asserted", ["Bureau of Industry and Security", "China"], "Wire A", owner="G"),
        row("2", "export_control", "asserted", ["Bureau of Industry and Security"], "Wire B", owner="G"),
        row("3", "export_control", "asserted", ["Bureau of Industry and Security"], "Daily C"),
        row("4", "pricing", "asserted", ["DeepSeek"], "Daily C"),
    ]
    signals = group_signals(rows, {"export_control": 1.0, "pricing": 0.6})
    assert [s.event_type for s in signals] == ["export_control", "pricing"]
    assert signals[0].corroboration == 2  # Wire A and Wire B share an owner
    assert len(signals[0].sources) == 3
    assert signals[0].score > signals[1].score


def test_allegation_and_denial_roll_up_into_one_contested_signal():
    rows = [row("1", "distillation_claim", "alleged", ["OpenAI", "DeepSeek"], "A"),
            row("2", "distillation_claim", "denied", ["DeepSeek", "OpenAI"], "B")]
    (signal,) = group_signals(rows, {})
    assert signal.stance_summary == "alleged by OpenAI; denied by DeepSeek"


def test_feed_text_is_escaped_in_html_and_headers_stay_single_line():
    evil = 'Lab <script>alert(1)</script> "><img src=x onerror=alert(2)>\nBcc: victim@example.com'
    digest = build_digest(DAY, "UTC", [row("1", "model_launch", "asserted", ["Acme"], "A", title=evil)], {})
    html = render_html(digest)
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in render_text(digest)  # plain text keeps the words as written
    msg = build_message(digest, sender="digest@example.org", recipients=["a@example.org", "b@example.org"])
    assert "\n" not in msg["Subject"] and msg["Subject"].startswith("newsignal digest 2026-11-20: Lab")
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]


def test_empty_day_says_so():
    digest = build_digest(DAY, "UTC", [], {})
    assert digest.empty
    assert "No new signals on 2026-11-20." in render_html(digest)
    assert "No new signals on 2026-11-20." in render_text(digest)
    assert digest.subject == "newsignal digest 2026-11-20: no new signals"


def test_html_is_self_contained():
    html = render_html(build_digest(DAY, "UTC", [row("1", "pricing", "asserted", ["Acme"], "A")], {}))
    assert "<link" not in html and "<script" not in html and "<img" not in html
    assert "max-width:600px" in html
