from __future__ import annotations

from datetime import datetime

from flows.digest.build import build_digest, one_sentence
from flows.digest.render import build_message, render_html, render_text
from tests.flows.digest.factory import BOUNDS, DAY, event

WEIGHTS = {"export_control": 1.0, "pricing": 0.6, "distillation_claim": 0.9}


def test_signals_rank_by_weight_and_independent_outlets():
    members = [
        event("1", "export_control", "asserted", ["Bureau of Industry and Security", "DeepSeek"], "Wire A",
              signal="exp", owner="Group", title="US lists DeepSeek"),
        event("2", "export_control", "asserted", ["DeepSeek"], "Wire B", signal="exp", owner="Group"),
        event("3", "export_control", "asserted", ["DeepSeek"], "Daily C", signal="exp"),
        event("4", "pricing", "asserted", ["Volcano Engine"], "Daily C", signal="price",
              title="Doubao cheaper"),
    ]
    digest = build_digest(DAY, "UTC", BOUNDS, members, WEIGHTS)
    assert [s.signal_id for s in digest.top] == ["exp", "price"]
    assert digest.top[0].corroboration == 2  # Wire A and Wire B share an owner
    assert len(digest.top[0].sources) == 3 and digest.top[0].new
    assert digest.events_by_type == (("export_control", 3), ("pricing", 1))


def test_a_denial_today_of_an_earlier_allegation_is_a_change():
    members = [
        event("1", "distillation_claim", "alleged", ["OpenAI", "Moonshot AI"], "Ledger", signal="d",
              seen=datetime(2026, 11, 16, 9), title="OpenAI accuses Moonshot"),
        event("2", "distillation_claim", "denied", ["Moonshot AI", "OpenAI"], "Dispatch", signal="d",
              title="Moonshot denies"),
    ]
    digest = build_digest(DAY, "UTC", BOUNDS, members, WEIGHTS)
    (signal,) = digest.top
    assert not signal.new and signal.status == "contested"
    assert signal.changes == ("newly denied by Moonshot AI", "newly corroborated (1 -> 2 outlets)")
    assert [c.kind for _, cs in digest.changes for c in cs] == ["denied", "corroborated"]


def test_signals_quiet_today_are_left_out_but_feed_entity_timelines():
    members = [event("1", "pricing", "asserted", ["Acme"], "A", signal="old", seen=datetime(2026, 11, 17, 9)),
               event("2", "pricing", "asserted", ["Acme"], "B", signal="new")]
    digest = build_digest(DAY, "UTC", BOUNDS, members, WEIGHTS)
    assert [s.signal_id for s in digest.top] == ["new"]
    (timeline,) = [t for t in digest.entity_timelines if t.name == "Acme"]
    assert [line.day.isoformat() for line in timeline.lines] == ["2026-11-17", "2026-11-20"]


def test_one_sentence_summary():
    sentence = one_sentence("export_control", ["BIS", "DeepSeek", "High-Flyer", "X"], "reported",
                            "reported as fact", 3, datetime(2026, 11, 20))
    assert sentence == ("Export control involving BIS, DeepSeek and High-Flyer: "
                        "reported as fact, by 3 independent outlets since 20 Nov.")


def test_feed_text_is_escaped_in_html_and_headers_stay_single_line():
    evil = 'Lab <script>alert(1)</script> "><img src=x onerror=alert(2)>\nBcc: victim@example.com'
    digest = build_digest(DAY, "UTC", BOUNDS, [event("1", "pricing", "asserted", ["Acme"], "A", title=evil)],
                          WEIGHTS)
    html = render_html(digest)
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in render_text(digest)  # plain text keeps the words as written
    msg = build_message(digest, sender="digest@example.org", recipients=["a@example.org", "b@example.org"])
    assert "\n" not in msg["Subject"] and msg["Subject"].startswith("newsignal digest 2026-11-20: Lab")
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]


def test_empty_day_says_so():
    digest = build_digest(DAY, "UTC", BOUNDS, [], WEIGHTS)
    assert digest.empty
    assert "No new signals on 2026-11-20." in render_html(digest)
    assert "No new signals on 2026-11-20." in render_text(digest)
    assert digest.subject == "newsignal digest 2026-11-20: no new signals"


def test_html_is_self_contained_and_has_every_section():
    members = [event("1", "pricing", "asserted", ["Acme"], "A", signal="p"),
               event("2", "pricing", "asserted", ["Acme"], "B", signal="q", seen=datetime(2026, 11, 18))]
    html = render_html(build_digest(DAY, "UTC", BOUNDS, members, WEIGHTS,
                                    failing_feeds=[("Broken Feed", "not_found: HTTP 404")]))
    assert "<link" not in html and "<script" not in html and "<img" not in html and "<style" not in html
    assert "max-width:600px" in html
    for section in ("Top signals", "What changed since the last digest", "Evidence timelines",
                    "Feeds failing for more than a day", "Broken Feed"):
        assert section in html
