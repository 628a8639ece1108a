from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from flows.digest.build import build_digest, one_sentence
from flows.digest.render import build_message, render_html, render_text
from tests.flows.digest.factory import BOUNDS, DAY, event

REPO = Path(__file__).resolve().parents[3]
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
    assert digest.changes == ()  # the top of the digest already shows it
    # Below the top five it is one line of "what changed", with both changes.
    others = [event(f"{i}{copy}", "export_control", "asserted", [f"Firm {i}"], f"Outlet {i}{copy}",
                    signal=f"x{i}") for i in range(10, 15) for copy in "ab"]  # two outlets each: higher
    digest = build_digest(DAY, "UTC", BOUNDS, members + others, WEIGHTS)
    assert "d" not in {s.signal_id for s in digest.top}
    [(change,)] = [cs for t, cs in digest.changes if t == "distillation_claim"]
    assert (change.kind, change.detail) == (
        "denied", "newly denied by Moonshot AI; newly corroborated (1 -> 2 outlets)")


def test_signals_quiet_today_are_left_out_but_feed_entity_timelines():
    members = [event("1", "pricing", "asserted", ["Acme"], "A", signal="old", seen=datetime(2026, 11, 17, 9)),
               event("2", "pricing", "asserted", ["Acme"], "B", signal="new",
                     evidence="Acme cut prices again.")]
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
               event("2", "pricing", "asserted", ["Acme"], "B", signal="q", seen=datetime(2026, 11, 20, 11))]
    html = render_html(build_digest(DAY, "UTC", BOUNDS, members, WEIGHTS, top_n=1,
                                    failing_feeds=[("Broken Feed", "not_found: HTTP 404")]))
    assert "<link" not in html and "<script" not in html and "<img" not in html and "<style" not in html
    assert "max-width:600px" in html
    for section in ("Top signals", "What changed since the last digest", "Evidence timelines",
                    "Feeds failing for more than a day", "Broken Feed"):
        assert section in html


def test_json_digest_validates_against_the_documented_schema(tmp_path):
    import json

    import jsonschema

    from flows.digest.render import write_digest_files

    members = [
        event("1", "distillation_claim", "alleged", ["OpenAI", "Moonshot AI"], "Ledger", signal="d",
              seen=datetime(2026, 11, 16, 9), title="OpenAI accuses Moonshot"),
        event("2", "distillation_claim", "denied", ["Moonshot AI"], "Dispatch", signal="d",
              title="Moonshot denies"),
        event("3", "pricing", "asserted", ["Acme"], "Wire", signal="p", title='Acme "cuts" prices <b>'),
    ]
    digest = build_digest(DAY, "UTC", BOUNDS, members, WEIGHTS, top_n=1,
                          failing_feeds=[("Old Wire", "not_found: HTTP 404")],
                          generated_at=datetime(2026, 11, 21, 6, 30))
    paths = write_digest_files(digest, tmp_path)
    assert [p.name for p in paths] == [f"digest-2026-11-20.{x}" for x in ("html", "txt", "json")]
    data = json.loads(paths[2].read_text(encoding="utf-8"))
    schema = json.loads((REPO / "docs" / "digest.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())
    assert data["generated_at"] == "2026-11-21T06:30:00Z" and data["date"] == "2026-11-20"
    assert [t["signal_id"] for t in data["top"]] == ["d"]
    assert data["top"][0]["stance"] == "contested"
    assert [s["title"] for s in data["top"][0]["sources"]] == ["OpenAI accuses Moonshot", "Moonshot denies"]
    assert [(c["signal_id"], c["kind"]) for c in data["changed"]] == [("p", "new")]
    assert data["feed_health"] == [{"feed": "Old Wire", "error": "not_found: HTTP 404"}]
    # The schema is strict: a field the documentation does not name fails validation.
    data["top"][0]["undocumented"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_a_sentence_read_as_two_events_is_one_timeline_line_and_one_story_is_shown_once():
    sentence = "Google suspended access for DeepSeek after the Commerce Department listed it."
    members = [
        event("1", "access_restriction", "asserted", ["Google", "DeepSeek"], "Ledger", signal="acc",
              story="st-google", evidence=sentence, conf=0.95, title="Google cuts off DeepSeek"),
        event("2", "export_control", "asserted", ["Department of Commerce", "DeepSeek"], "Ledger",
              signal="exp", story="st-google", evidence=sentence, title="Google cuts off DeepSeek"),
    ]
    digest = build_digest(DAY, "UTC", BOUNDS, members, {"access_restriction": 0.9, "export_control": 1.0})
    (timeline,) = [t for t in digest.entity_timelines if t.name == "DeepSeek"]
    assert len(timeline.lines) == 1  # not once per event type
    # Two signals whose best report is one story: the second is folded into the first, and as its headline
    # is the same article title, no "also" line repeats it.
    (shown,) = digest.top
    assert shown.signal_id == "exp" and shown.also == ()
    assert digest.changes == ()  # and "what changed" does not repeat what the top shows


def test_a_signal_whose_every_report_the_top_already_shows_is_folded_into_it():
    listing = "Commerce added DeepSeek to the Entity List."
    members = [
        event("1", "export_control", "asserted", ["Department of Commerce", "DeepSeek"], "Ledger",
              signal="exp", story="st-listing", evidence=listing, conf=0.95, title="US lists DeepSeek"),
        event("2", "export_control", "asserted", ["Department of Commerce", "DeepSeek"], "Stack",
              signal="exp", story="st-beijing", evidence="Beijing vowed a response to the listing.",
              conf=0.9, title="Beijing vows response"),
        # The same listing told as "Washington's decision", in a signal of its own, in the second story.
        event("3", "export_control", "asserted", ["United States", "DeepSeek"], "Stack", signal="wash",
              story="st-beijing", evidence="China opposed Washington's decision to add DeepSeek.", conf=0.9,
              title="Beijing vows response"),
    ]
    members.append(event("4", "export_control", "asserted", ["United States", "DeepSeek"], "Stack",
                         signal="wash2", story="st-beijing", evidence="Washington listed DeepSeek.", conf=0.9,
                         title="Beijing vows response"))  # a second such signal: the same "also" line once
    digest = build_digest(DAY, "UTC", BOUNDS, members, {"export_control": 1.0})
    assert [s.signal_id for s in digest.top] == ["exp"]
    assert len(digest.top[0].also) == 1
