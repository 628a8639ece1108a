"""Signals: the actor-overlap rule, the window, independent outlets and the stance roll-up."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from extractors.signals import (
    KnownEvent,
    SignalEvent,
    SignalParams,
    SignalSource,
    independent_outlets,
    linked,
    name_key,
    signal_assignments,
    stance_rollup,
    summarize_signal,
)

GPE = frozenset({"United States", "China", "Netherlands", "European Union"})
GOVERNMENT = frozenset({"Department of Commerce", "European Commission"})
PARAMS = SignalParams(generic_actors=GPE)
STRICT = SignalParams(generic_actors=GPE, weak_actors=GOVERNMENT)
D0 = date(2026, 11, 16)
T0 = datetime(2026, 11, 16, 8, 0)


def ev(event_id: str, actors: tuple[str, ...], *, type_: str = "export_control", stance: str = "asserted",
       day: int = 0, hours: float = 0, article: str | None = None, story: str | None = None,
       source: str = "Circuit Ledger", owner: str | None = None, confidence: float = 0.7,
       evidence: str = "") -> SignalEvent:
    article = article or "art-" + event_id
    return SignalEvent(
        event_id=event_id, event_type=type_, stance=stance, actors=actors,
        event_date=D0 + timedelta(days=day), article_id=article, story_id=story or article, source=source,
        owner=owner, seen_at=T0 + timedelta(days=day, hours=hours), confidence=confidence,
        evidence=evidence or f"{' and '.join(actors)} ({event_id}).", article_title=f"Title {article}",
        article_url=f"https://news.example/{article}",
    )


def rev(event_id: str, initiator: str | None, targets: tuple[str, ...], *, actors: tuple[str, ...] = (),
        **kw) -> SignalEvent:
    """An event read with roles: its actors are the initiator, then the targets, then ``actors``."""
    parties = tuple(dict.fromkeys(((initiator,) if initiator else ()) + targets + actors))
    return replace(ev(event_id, parties, **kw), initiator=initiator, targets=targets)


def groups(assignments) -> set[frozenset[str]]:
    by_signal: dict[str, set[str]] = {}
    for a in assignments:
        by_signal.setdefault(a.signal_id, set()).add(a.event_id)
    return {frozenset(v) for v in by_signal.values()}


# --- the overlap rule -------------------------------------------------------------------------

def test_sharing_only_countries_does_not_link_two_export_controls():
    nvidia = ev("e1", ("United States", "Nvidia", "China"))
    asml = ev("e2", ("Netherlands", "ASML", "China"), article="a2")
    us_only = ev("e3", ("United States", "China"), article="a3")
    us_only_elsewhere = ev("e4", ("United States", "China"), article="a4", day=1)
    assert linked(nvidia, asml, PARAMS) is None
    assert linked(nvidia, us_only, PARAMS) is None
    assert linked(us_only, us_only_elsewhere, PARAMS) is None
    # Without the GPE list, countries would be enough -- which is why the warehouse passes it.
    assert linked(nvidia, us_only, SignalParams()) == ("China", "United States")


def test_copies_in_one_story_link_even_without_a_distinctive_actor():
    a = ev("e1", ("United States", "China"), article="wire", story="wire")
    copy = ev("e2", ("China", "United States"), article="copy", story="wire", hours=3)
    differently_read_copy = ev("e3", ("United States",), article="copy2", story="wire", hours=4)
    assert linked(a, copy, PARAMS) == ()
    assert linked(a, differently_read_copy, PARAMS) is None  # nothing distinctive, and not the same actors


def test_two_named_parties_must_both_match_but_one_named_party_is_enough():
    google_samsung = ev("p1", ("Google", "Samsung"), type_="partnership")
    google_anthropic = ev("p2", ("Google", "Anthropic"), type_="partnership", article="a2")
    anthropic_google = ev("p3", ("Anthropic", "Google"), type_="partnership", article="a3")
    google_only = ev("p4", ("Google",), type_="partnership", article="a4")
    assert linked(google_samsung, google_anthropic, PARAMS) is None
    assert linked(google_anthropic, anthropic_google, PARAMS) == ("Anthropic", "Google")
    assert linked(google_only, google_anthropic, PARAMS) == ("Google",)


def test_a_government_body_alone_does_not_link_but_counts_with_a_company():
    gulf = ev("e1", ("Department of Commerce", "Nvidia", "United Arab Emirates"))
    entity_list = ev("e2", ("Department of Commerce", "China"), article="a2")
    nvidia_reply = ev("e3", ("Nvidia",), article="a3", day=1)
    same_rule = ev("e4", ("Nvidia", "Department of Commerce"), article="a4", day=1)
    copy_read_differently = ev("e5", ("Department of Commerce", "Saudi Arabia"), article="copy",
                               story="art-e1")
    assert linked(gulf, entity_list, PARAMS) == ("Department of Commerce",)  # without the government list
    assert linked(gulf, entity_list, STRICT) is None
    assert linked(gulf, nvidia_reply, STRICT) == ("Nvidia",)
    assert linked(gulf, same_rule, STRICT) == ("Department of Commerce", "Nvidia")
    assert linked(gulf, copy_read_differently, STRICT) == ("Department of Commerce",)  # a copy of one story


def test_government_actors_come_from_gazetteer_kinds():
    from extractors.gazetteer import GazetteerEntry
    from extractors.signals import government_actors

    entries = [GazetteerEntry("Department of Commerce", "ORG", "agency"),
               GazetteerEntry("Nvidia", "ORG", "company"),
               GazetteerEntry("European Commission", "ORG", "regulator"),
               GazetteerEntry("China", "GPE", "country")]
    assert government_actors(entries) == {"Department of Commerce", "European Commission"}


def test_window_and_type_bound_the_link():
    base = ev("e1", ("Department of Commerce", "Nvidia"))
    three_days = ev("e2", ("Nvidia", "Department of Commerce"), day=3, article="a2")
    four_days = ev("e3", ("Nvidia", "Department of Commerce"), day=4, article="a3")
    earlier = ev("e4", ("Nvidia", "Department of Commerce"), day=-3, article="a4")
    other_type = ev("e5", ("Nvidia", "Department of Commerce"), type_="regulation", article="a5")
    assert linked(base, three_days, PARAMS) is not None
    assert linked(base, earlier, PARAMS) is not None
    assert linked(base, four_days, PARAMS) is None
    assert linked(base, four_days, replace(PARAMS, window=timedelta(days=5))) is not None
    assert linked(base, other_type, PARAMS) is None


# --- assignment --------------------------------------------------------------------------------

def test_a_bridge_event_joins_one_signal_and_never_merges_two():
    nvidia = ev("a", ("Department of Commerce", "Nvidia"))
    asml = ev("b", ("Department of Commerce", "ASML"), article="a2", hours=1)
    bridge = ev("c", ("Department of Commerce",), article="a3", day=1)
    got = signal_assignments([bridge, asml, nvidia], params=PARAMS)
    assert groups(got) == {frozenset({"a", "c"}), frozenset({"b"})}  # tie on shared actors -> smaller id
    assert {a.event_id: a.linked_to for a in got} == {"a": None, "b": None, "c": "a"}


def test_signal_grows_while_reports_keep_coming_within_the_window():
    chain = [ev(f"e{i}", ("Moonshot AI", "OpenAI"), type_="distillation_claim", day=2 * i, article=f"a{i}")
             for i in range(4)]
    gap = ev("late", ("Moonshot AI", "OpenAI"), type_="distillation_claim", day=6 + 4, article="late")
    got = signal_assignments([*chain, gap], params=PARAMS)
    assert groups(got) == {frozenset({"e0", "e1", "e2", "e3"}), frozenset({"late"})}
    assert {a.signal_id for a in got if a.event_id != "late"} == {"e0"}


def test_assignment_does_not_depend_on_input_order():
    events = [ev(f"e{i}", actors, day=i % 3, article=f"a{i}")
              for i, actors in enumerate([("Nvidia", "Department of Commerce"), ("ASML", "Netherlands"),
                                          ("Department of Commerce", "Nvidia"), ("ASML",), ("China",),
                                          ("Nvidia",), ("United States", "China")])]
    reference = signal_assignments(events, params=PARAMS)
    for seed in range(5):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        assert signal_assignments(shuffled, params=PARAMS) == reference
    assert groups(reference) == {frozenset({"e0", "e2", "e5"}), frozenset({"e1", "e3"}), frozenset({"e4"}),
                                 frozenset({"e6"})}


def brute_force_signals(events: list[SignalEvent], params: SignalParams) -> dict[str, str]:
    """The placing rule spelled out: compare each event with every event placed before it."""
    placed: list[SignalEvent] = []
    signal_of: dict[str, str] = {}
    for e in sorted(events, key=lambda x: (x.event_date, x.seen_at, x.event_id)):
        ranked = []
        for other in placed:
            reason = linked(e, other, params)
            if reason is None:
                continue
            # The signal's named voices (initiators of its claims and reports) must agree with e's.
            voices = [(v, v.initiator) for v in placed if signal_of[v.event_id] == signal_of[other.event_id]
                      and v.initiator and v.stance != "denied"]
            if e.initiator and e.stance != "denied" and voices and not any(
                    v.story_id == e.story_id or name_key(who) == name_key(e.initiator)
                    or name_key(who) in {name_key(a) for a in e.actors}
                    or name_key(e.initiator) in {name_key(a) for a in v.actors} for v, who in voices if who):
                continue
            ranked.append((-len(reason), other.story_id != e.story_id,
                           abs((other.event_date - e.event_date).days), signal_of[other.event_id]))
        signal_of[e.event_id] = min(ranked)[3] if ranked else e.event_id
        placed.append(e)
    return signal_of


@pytest.mark.parametrize(("seed", "stories"), [(seed, stories) for seed in range(4) for stories in (16, 2)])
def test_crowded_days_place_events_exactly_as_comparing_with_every_earlier_one(seed, stories):
    # Few companies, few stories and few days: many events share date, actors and signal, which
    # is what the index folds together. The signals must come out as the plain rule gives them.
    rng = random.Random(seed)
    names = ["Nvidia", "ASML", "OpenAI", "Department of Commerce", "China", "Anthropic"]
    events = [ev(f"e{i:03d}", tuple(rng.sample(names, rng.randint(1, 3))),
                 type_=rng.choice(["export_control", "pricing"]), day=rng.randint(0, 8),
                 hours=rng.random() * 20, article=f"a{i}", story=f"s{rng.randint(1, stories)}")
              for i in range(250)]
    for params in (PARAMS, STRICT):
        got = {a.event_id: a.signal_id for a in signal_assignments(events, params=params)}
        assert got == brute_force_signals(events, params)


def test_new_events_join_known_signals_and_known_events_keep_theirs():
    known = [KnownEvent(ev("old", ("OpenAI", "Moonshot AI"), type_="distillation_claim"), "sig-old"),
             KnownEvent(ev("other", ("Anthropic",), type_="distillation_claim", article="x"), "sig-other")]
    new = [ev("new", ("Moonshot AI",), type_="distillation_claim", stance="denied", day=1, article="n1"),
           ev("old", ("OpenAI", "Moonshot AI"), type_="distillation_claim")]
    got = {a.event_id: a for a in signal_assignments(new, known, PARAMS)}
    assert got["new"].signal_id == "sig-old" and got["new"].shared == ("Moonshot AI",)
    assert got["old"].signal_id == "sig-old" and got["old"].known


# --- threads: events read with roles -----------------------------------------------------------

def test_a_claim_its_denial_and_a_later_confirmation_are_one_thread():
    claim = rev("c1", "OpenAI", ("Moonshot AI",), type_="distillation_claim", stance="alleged")
    copy = rev("c2", "OpenAI", ("Moonshot AI",), type_="distillation_claim", stance="alleged", hours=3)
    denial = rev("d1", "Moonshot AI", ("Moonshot AI",), type_="distillation_claim", stance="denied", day=1)
    auditor = rev("c3", "Lattice Forensics", ("Moonshot AI",), actors=("OpenAI",), type_="distillation_claim",
                  stance="alleged", day=3)
    other = rev("x1", "Anthropic", ("MiniMax",), type_="distillation_claim", stance="alleged", day=2)
    assert groups(signal_assignments([claim, copy, denial, auditor, other], params=STRICT)) == {
        frozenset({"c1", "c2", "d1", "c3"}), frozenset({"x1"})}


def test_the_accused_denying_joins_the_claim_even_when_its_denial_names_no_target():
    claim = rev("c1", "OpenAI", ("Moonshot AI",), type_="distillation_claim", stance="alleged")
    denial = rev("d1", "Moonshot AI", (), type_="distillation_claim", stance="denied", day=1)
    bystander = rev("d2", "Anthropic", (), type_="distillation_claim", stance="denied", day=1)
    assert linked(claim, denial, STRICT) == ("Moonshot AI",)
    assert linked(claim, bystander, STRICT) is None


def test_two_controls_by_different_authorities_on_different_targets_are_two_threads():
    us = rev("u1", "Department of Commerce", ("DeepSeek", "Moonshot AI"), actors=("United States",))
    japan = rev("j1", "Ministry of Economy, Trade and Industry", ("Kazakhstan",), actors=("Japan",), day=2)
    us_again = rev("u2", "Bureau of Industry and Security", ("DeepSeek",), actors=("Department of Commerce",),
                   day=1)
    # The same target listed by another country's authority is another thread.
    eu = rev("e1", "European Commission", ("DeepSeek",), day=1)
    got = groups(signal_assignments([us, japan, us_again, eu], params=STRICT))
    assert got == {frozenset({"u1", "u2"}), frozenset({"j1"}), frozenset({"e1"})}


def test_two_launches_on_one_day_are_two_threads_and_a_rivals_price_does_not_join():
    mistral = rev("m1", "Mistral AI", ("Codestral 3",), type_="model_launch")
    kairo = rev("k1", "Kairo Labs", ("Kairo-2",), type_="model_launch", hours=2)
    mistral_copy = rev("m2", "Mistral AI", ("Codestral 3",), type_="model_launch", hours=5,
                       source="Tensor Times")
    cut = rev("p1", "DeepSeek", ("DeepSeek-V4",), type_="pricing")
    rival = rev("p2", "OpenAI", ("GPT-5",), actors=("DeepSeek",), type_="pricing", article="art-p1")
    assert groups(signal_assignments([mistral, kairo, mistral_copy], params=STRICT)) == {
        frozenset({"m1", "m2"}), frozenset({"k1"})}
    assert linked(cut, rival, STRICT) is None


def test_a_report_without_a_target_joins_only_its_initiators_thread():
    launch = rev("l1", "Google", ("Gemini 3.5 Pro",), type_="model_launch")
    vague = rev("l2", "Google", (), actors=("Gemini 3.5 Pro",), type_="model_launch", story="art-l1", hours=1)
    other = rev("l3", "Anthropic", (), type_="model_launch", hours=2)
    agency = rev("r1", "Federal Trade Commission", ("Lumora AI",), type_="regulation")
    agency_vague = rev("r2", "Federal Trade Commission", (), type_="regulation", hours=2)
    assert linked(launch, vague, STRICT) == ("Gemini 3.5 Pro",)  # it names the thread's target
    assert linked(launch, other, STRICT) is None
    weak = SignalParams(generic_actors=GPE, weak_actors=frozenset({"Federal Trade Commission"}))
    assert linked(agency, agency_vague, weak) is None  # a government body acts in many unrelated events


def test_a_background_mention_joins_the_thread_whose_targets_it_names():
    listing = rev("l1", "Department of Commerce", ("DeepSeek", "Moonshot AI"))
    mention = rev("m1", "United States", (), actors=("DeepSeek", "Moonshot AI", "China"), day=1)
    half = rev("m2", "United States", (), actors=("DeepSeek", "China"), day=1)
    assert linked(listing, mention, STRICT) == ("DeepSeek", "Moonshot AI")
    assert linked(listing, half, STRICT) is None  # two targets: naming one of them is not enough


@pytest.mark.parametrize("seed", range(4))
def test_crowded_days_with_roles_place_events_exactly_as_comparing_with_every_earlier_one(seed):
    rng = random.Random(seed)
    parties = ["Nvidia", "ASML", "OpenAI", "Department of Commerce", "Moonshot AI", "Anthropic"]
    events = []
    for i in range(250):
        initiator = rng.choice([None, *parties[:4]])
        targets = tuple(rng.sample(parties[2:], rng.randint(0, 2)))
        events.append(rev(f"e{i:03d}", initiator, targets, type_=rng.choice(["export_control", "pricing"]),
                          stance=rng.choice(["asserted", "alleged", "denied"]), day=rng.randint(0, 8),
                          hours=rng.random() * 20, article=f"a{i}", story=f"s{rng.randint(1, 6)}"))
    for params in (PARAMS, STRICT):
        got = {a.event_id: a.signal_id for a in signal_assignments(events, params=params)}
        assert got == brute_force_signals(events, params)


def test_roll_up_names_who_voiced_each_claim_and_denial():
    claim = rev("c1", "OpenAI", ("Moonshot AI",), type_="distillation_claim", stance="alleged")
    denial = rev("d1", "Moonshot AI", ("Moonshot AI",), actors=("Yang Zhilin",), type_="distillation_claim",
                 stance="denied", day=1)
    rollup = stance_rollup([claim, denial])
    assert (rollup.alleged_by, rollup.denied_by) == (("OpenAI",), ("Moonshot AI",))
    assert rollup.status == "contested"


# --- corroboration -----------------------------------------------------------------------------

def test_copies_of_one_story_count_once():
    wire = ev("e1", ("Alibaba",), article="courier", story="wire", source="Compute Courier",
              owner="Courier Holdings")
    copy = ev("e2", ("Alibaba",), article="pacific", story="wire", source="Pacific Stack",
              owner="Harbour Street Media")
    assert independent_outlets([wire, copy]) == 1
    assert independent_outlets([wire, replace(copy, story_id="pacific")]) == 2


def test_outlets_of_one_owner_count_once_and_unowned_outlets_count_by_name():
    ledger = ev("e1", ("Alibaba",), article="a1", source="Circuit Ledger", owner="Ledger Media Group")
    dispatch = ev("e2", ("Alibaba",), article="a2", source="Frontier Dispatch", owner="Ledger Media Group")
    blog = ev("e3", ("Alibaba",), article="a3", source="Some Blog")
    blog_again = ev("e4", ("Alibaba",), article="a4", source="Some Blog")
    other_blog = ev("e5", ("Alibaba",), article="a5", source="Other Blog")
    assert independent_outlets([ledger, dispatch]) == 1
    assert independent_outlets([ledger, dispatch, blog, blog_again, other_blog]) == 3


def test_story_and_owner_rules_combine_transitively():
    # The wire story reaches Courier and Pacific Stack; Pacific's sister site writes its own piece.
    courier = ev("e1", ("Alibaba",), article="a1", story="wire", source="Compute Courier", owner="Courier")
    pacific = ev("e2", ("Alibaba",), article="a2", story="wire", source="Pacific Stack", owner="Harbour")
    sister = ev("e3", ("Alibaba",), article="a3", source="Harbour Tech", owner="Harbour")
    modelwatch = ev("e4", ("Alibaba",), article="a4", source="Modelwatch", owner="Modelwatch Media")
    two_events_one_article = ev("e5", ("Alibaba Cloud",), article="a4", source="Modelwatch",
                                owner="Modelwatch Media")
    assert independent_outlets([courier, pacific, sister, modelwatch, two_events_one_article]) == 2


# --- stance roll-up ----------------------------------------------------------------------------

def claim(event_id, actors, stance, hours, *, article=None, story=None, source="Modelwatch", owner=None):
    return ev(event_id, actors, type_="distillation_claim", stance=stance, hours=hours, article=article,
              story=story, source=source, owner=owner)


def test_alleged_then_denied_then_confirmed():
    events = [
        claim("alleged", ("OpenAI", "Moonshot AI"), "alleged", 0, source="Circuit Ledger"),
        claim("denied", ("Moonshot AI", "OpenAI"), "denied", 5, source="Pacific Stack"),
        claim("fact", ("Moonshot AI", "OpenAI"), "asserted", 30, source="Statecraft Review"),
    ]
    assert stance_rollup(events[:1]).summary == "alleged by OpenAI"
    assert stance_rollup(events[:1]).status == "alleged"
    contested = stance_rollup(events[:2])
    assert (contested.status, contested.summary) == ("contested", "alleged by OpenAI; denied by Moonshot AI")
    full = stance_rollup(list(reversed(events)))
    assert (full.status, full.alleged_by, full.denied_by) == ("confirmed", ("OpenAI",), ("Moonshot AI",))
    # Who confirmed it and when (the outlet here: the confirming report names no initiator).
    assert full.summary == ("alleged by OpenAI; denied by Moonshot AI; "
                            "confirmed by Statecraft Review on 17 Nov")


def test_an_asserted_copy_of_the_allegation_or_an_earlier_report_does_not_confirm():
    alleged = claim("alleged", ("OpenAI", "Moonshot AI"), "alleged", 0, article="wire", story="wire")
    copy_read_as_fact = claim("copy", ("OpenAI", "Moonshot AI"), "asserted", 4, article="copy", story="wire")
    earlier_fact = claim("early", ("OpenAI", "Moonshot AI"), "asserted", -2, article="early")
    for events in ([alleged, copy_read_as_fact], [earlier_fact, alleged]):
        rollup = stance_rollup(events)
        assert rollup.status == "alleged"
        assert rollup.summary == "alleged by OpenAI; reported as fact"


def test_reported_and_denied_only():
    assert stance_rollup([claim("a", ("Nvidia",), "asserted", 0)]).summary == "reported as fact"
    only_denial = stance_rollup([claim("d", ("Moonshot AI",), "denied", 0)])
    assert (only_denial.status, only_denial.summary) == ("denied", "denied by Moonshot AI")


# --- summary -----------------------------------------------------------------------------------

def test_summary_rolls_up_evidence_sources_and_times():
    events = [
        claim("alleged", ("OpenAI", "Moonshot AI"), "alleged", 0, article="a1", source="Circuit Ledger",
              owner="Ledger Media Group"),
        claim("denied", ("Moonshot AI",), "denied", 5, article="a2", source="Frontier Dispatch",
              owner="Ledger Media Group"),
        claim("copy", ("Moonshot AI", "OpenAI"), "alleged", 6, article="a3", story="a1",
              source="Pacific Stack"),
    ]
    s = summarize_signal("alleged", events)
    assert s.actors == ("Moonshot AI", "OpenAI")  # named three times, then twice
    assert (s.first_seen, s.last_seen) == (T0, T0 + timedelta(hours=6))
    assert s.corroboration == 1  # a1/a2 share an owner, a3 is a copy of a1
    assert (s.event_count, s.article_count, s.story_count) == (3, 3, 2)
    assert s.best_event_id == "alleged"  # an allegation outranks a denial; earliest among equals
    assert s.sources[0] == SignalSource("Circuit Ledger", "Title a1", "https://news.example/a1")
    assert [x.source for x in s.sources] == ["Circuit Ledger", "Frontier Dispatch", "Pacific Stack"]
    assert s.stance.summary == "alleged by OpenAI, Moonshot AI; denied by Moonshot AI"


def test_summary_refuses_empty_or_mixed_signals():
    with pytest.raises(ValueError):
        summarize_signal("x", [])
    with pytest.raises(ValueError):
        summarize_signal("x", [ev("a", ("Nvidia",)), ev("b", ("Nvidia",), type_="pricing")])


def test_one_company_written_with_and_without_its_generic_ending_is_one_target():
    short = replace(ev("a", ("Harmonia Records", "Lumora"), type_="legal_action"),
                    initiator="Harmonia Records", targets=("Lumora",))
    full = replace(ev("b", ("Harmonia Records", "Lumora AI"), type_="legal_action", day=1),
                   initiator="Harmonia Records", targets=("Lumora AI",))
    other = replace(ev("c", ("Harmonia Records", "Lumina AI"), type_="legal_action", day=1),
                    initiator="Harmonia Records", targets=("Lumina AI",))
    assert linked(short, full) == ("Lumora",)
    assert linked(full, other) is None
    assert name_key("Lumora AI") == name_key("Lumora") == "lumora"
    assert name_key("AI") == "ai"  # a name that is all ending keeps it


def test_a_claim_read_with_roles_but_no_claimant_is_voiced_by_nobody_not_by_the_accused():
    claim = replace(ev("a", ("OpenAI", "Moonshot AI"), type_="distillation_claim", stance="alleged"),
                    initiator="OpenAI", targets=("Moonshot AI",))
    mention = replace(ev("b", ("Moonshot AI", "OpenAI"), type_="distillation_claim", stance="alleged", day=1),
                      targets=("Moonshot AI",))  # "accusation that Moonshot AI ...": no claimant read
    legacy = ev("c", ("Anthropic", "Moonshot AI"), type_="distillation_claim", stance="alleged", day=2)
    denial = replace(ev("d", ("Moonshot AI",), type_="distillation_claim", stance="denied", day=2),
                     initiator="Moonshot AI", targets=("Moonshot AI",))
    rollup = stance_rollup([claim, mention, legacy, denial])
    assert rollup.alleged_by == ("OpenAI", "Anthropic")
    assert rollup.denied_by == ("Moonshot AI",)


def test_an_event_naming_no_claimant_does_not_chain_two_claimants_into_one_thread():
    openai = replace(ev("a", ("OpenAI", "Moonshot AI"), type_="distillation_claim", stance="alleged"),
                     initiator="OpenAI", targets=("Moonshot AI",))
    vague = replace(ev("b", ("Moonshot AI",), type_="distillation_claim", stance="alleged", day=1),
                    targets=("Moonshot AI",))  # "... citing the accusation that Moonshot AI ..."
    commerce = replace(ev("c", ("Department of Commerce", "DeepSeek", "Moonshot AI"),
                          type_="distillation_claim", stance="alleged", day=2),
                       initiator="Department of Commerce", targets=("DeepSeek", "Moonshot AI"))
    signal = {a.event_id: a.signal_id for a in signal_assignments([openai, vague, commerce])}
    assert signal["a"] == signal["b"]
    assert signal["c"] != signal["a"]



def test_a_denial_that_names_the_claimant_joins_that_claimant_s_thread():
    openai = replace(ev("a", ("OpenAI", "Moonshot AI"), type_="distillation_claim", stance="alleged"),
                     initiator="OpenAI", targets=("Moonshot AI",))
    commerce = replace(ev("b", ("Department of Commerce", "Moonshot AI"), type_="distillation_claim",
                          stance="alleged", day=2),
                       initiator="Department of Commerce", targets=("Moonshot AI",))
    answer = replace(ev("c", ("Moonshot AI", "OpenAI"), type_="distillation_claim", stance="denied", day=2),
                     initiator="Moonshot AI", targets=("Moonshot AI",),
                     roles=(("denier", "Moonshot AI"), ("accused", "Moonshot AI"), ("claimant", "OpenAI")))
    unnamed = replace(answer, event_id="d", roles=(("denier", "Moonshot AI"), ("accused", "Moonshot AI")))
    signal = {a.event_id: a.signal_id for a in signal_assignments([openai, commerce, answer])}
    assert signal["c"] == signal["a"] != signal["b"]  # "rejected OpenAI's accusation"
    signal = {a.event_id: a.signal_id for a in signal_assignments([openai, commerce, unnamed])}
    assert signal["d"] == signal["b"]  # "rejected the accusation": the nearer claim, as before


def test_a_claim_s_headline_says_whose_models_only_as_read():
    from pathlib import Path

    from flows.signal_rules import headline_forms

    forms = headline_forms(Path(__file__).resolve().parents[2] / "config")["distillation_claim"]

    def claim(initiator: str, source: str | None) -> SignalEvent:
        roles: tuple[tuple[str, str], ...] = (("claimant", initiator), ("accused", "Moonshot AI"))
        roles += (("source", source),) if source else ()
        return replace(ev("a", (initiator, "Moonshot AI"), type_="distillation_claim", stance="alleged"),
                       initiator=initiator, targets=("Moonshot AI",), roles=roles)

    def headline(e):
        return summarize_signal("s", [e], forms).headline

    assert headline(claim("OpenAI", "OpenAI")) == "OpenAI accuses Moonshot AI of distilling its models"
    assert headline(claim("Department of Commerce", "OpenAI")) == (
        "Department of Commerce accuses Moonshot AI of distilling OpenAI's models")
    assert headline(claim("Department of Commerce", None)) == (
        "Department of Commerce accuses Moonshot AI of model distillation")
