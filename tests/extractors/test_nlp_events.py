"""Typed events: triggers, non-events, stance, actors, dates, merging and evidence offsets."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.nlp import EXTRACTOR_VERSION, annotate

PUBLISHED = date(2025, 6, 12)  # a Thursday


def pairs(ann):
    return {(e.event_type, e.stance) for e in ann.events}


def test_launch_is_asserted_with_company_as_actor(annotate_one):
    ann = annotate_one("Mistral AI released Magistral, its first reasoning model, on Tuesday.", PUBLISHED)
    [event] = ann.events
    assert (event.event_type, event.stance) == ("model_launch", "asserted")
    assert event.actors[0] == "Mistral AI"
    assert event.event_date == date(2025, 6, 10)


def test_plans_and_upcoming_releases_are_not_launches(annotate_one):
    text = (
        "OpenAI plans to release a new open model next month. "
        "Google is expected to unveil Gemini 4 at its conference. "
        "Will Anthropic launch Claude 6 this year? "
        "If approved, the startup could launch the chatbot in Europe."
    )
    assert annotate_one(text, PUBLISHED).events == ()


def test_accusation_is_alleged_and_denial_is_a_separate_record(annotate_one):
    text = (
        "Anthropic accused Zhipu AI of distilling Claude to train its GLM models. "
        "Zhipu AI denied the accusations on Friday."
    )
    ann = annotate_one(text, PUBLISHED)
    assert pairs(ann) == {("distillation_claim", "alleged"), ("distillation_claim", "denied")}
    denied = next(e for e in ann.events if e.stance == "denied")
    assert denied.actors[0] == "Zhipu AI"
    assert denied.event_date == date(2025, 6, 6)


def test_no_comment_is_not_a_denial(annotate_one):
    text = (
        "OpenAI alleged that DeepSeek trained on ChatGPT outputs. "
        "DeepSeek did not respond to a request for comment."
    )
    assert pairs(annotate_one(text, PUBLISHED)) == {("distillation_claim", "alleged")}


def test_uninvolved_commentator_rebuttal_is_not_a_denial(annotate_one):
    text = (
        "Anthropic accused Moonshot AI of distilling its models. "
        "Gary Marcus rejected the claims in a blog post."
    )
    assert pairs(annotate_one(text, PUBLISHED)) == {("distillation_claim", "alleged")}


def test_indictment_is_legal_action_and_charged_theft_is_alleged(annotate_one):
    text = "Prosecutors charged a former xAI engineer with stealing trade secrets from xAI."
    assert pairs(annotate_one(text, PUBLISHED)) == {
        ("legal_action", "asserted"), ("security_incident", "alleged"),
    }


def test_conviction_makes_the_theft_asserted(annotate_one):
    text = "A jury convicted Wenhao Li of stealing trade secrets from Google in San Francisco."
    assert ("security_incident", "asserted") in pairs(annotate_one(text, PUBLISHED))


def test_government_ban_is_regulation_provider_ban_is_access_restriction(annotate_one):
    gov = annotate_one("The Garante banned DeepSeek from processing Italian users' data.", PUBLISHED)
    provider = annotate_one("OpenAI cut off API access for accounts linked to Chinese groups.", PUBLISHED)
    assert {e.event_type for e in gov.events} == {"regulation"}
    assert {e.event_type for e in provider.events} == {"access_restriction"}


def test_company_investigation_is_not_regulation(annotate_one):
    ann = annotate_one("Microsoft is investigating whether the accounts belonged to a rival.", PUBLISHED)
    assert "regulation" not in {e.event_type for e in ann.events}


def test_background_and_attributes_are_not_events(annotate_one):
    text = (
        "Amid export controls, Chinese labs trained smaller models. "
        "The Amazon-backed startup, valued at $61 billion, hired engineers."
    )
    assert annotate_one(text, PUBLISHED).events == ()


def test_comparison_price_is_not_pricing(annotate_one):
    text = "By comparison, Gemini 2.5 Pro costs $1.25 per million input tokens."
    assert annotate_one(text, PUBLISHED).events == ()


def test_price_cut_and_funding_and_partnership(annotate_one):
    text = (
        "ByteDance cut the price of Doubao Pro by 85%. "
        "Moonshot AI raised $1 billion from Alibaba and Tencent. "
        "Samsung and Naver formed a partnership to build chips for AI."
    )
    types = {e.event_type for e in annotate_one(text, PUBLISHED).events}
    assert types == {"pricing", "funding_investment", "partnership"}


def test_pronoun_subject_resolves_through_previous_sentence(annotate_one):
    text = "Anthropic published a report on Monday. The company said it raised $13 billion in new funding."
    funding = [e for e in annotate_one(text, PUBLISHED).events if e.event_type == "funding_investment"]
    assert funding and funding[0].actors[0] == "Anthropic"


def test_event_date_on_weekday_resolves_against_published(annotate_one):
    ann = annotate_one("Alibaba launched Qwen3 on Thursday.", date(2025, 4, 30))  # a Wednesday
    assert ann.events[0].event_date == date(2025, 4, 24)


def test_event_date_falls_back_to_published(annotate_one):
    ann = annotate_one("Alibaba launched Qwen3 for developers.", date(2025, 4, 30))
    assert ann.events[0].event_date == date(2025, 4, 30)


def test_repeats_merge_into_one_event_with_several_evidence(annotate_one):
    text = (
        "Google launched Gemini 3 on Tuesday. Analysts praised the model. "
        "Google also launched Gemini 3 in its search app."
    )
    ann = annotate_one(text, PUBLISHED)
    [event] = ann.events
    assert len(event.evidence) == 2
    assert event.confidence >= max(0.0, min(1.0, event.confidence))


def test_evidence_offsets_slice_the_input(annotate_one):
    text = ("Intro line without events.\n\n"
            "Nvidia said the Commerce Department imposed new export controls on Monday.")
    ann = annotate_one(text, PUBLISHED)
    assert ann.events
    for event in ann.events:
        assert 0.0 <= event.confidence <= 1.0
        assert event.extractor_version == EXTRACTOR_VERSION
        for ev in event.evidence:
            assert text[ev.start:ev.end] == ev.sentence


def test_annotate_streams_in_order(nlp):
    texts = [("Alibaba launched Qwen3.", None), ("", None), ("Nothing happened here.", PUBLISHED)] * 5
    results = list(annotate(nlp, texts, batch_size=4))
    assert len(results) == len(texts)
    assert [bool(r.events) for r in results[:3]] == [True, False, False]
    assert results[1].warnings == ("empty text",)


def _pairs(ann):
    return {(e.event_type, e.stance) for e in ann.events}


def test_indirect_denial_by_the_accused_lawyer(annotate_one):
    ann = annotate_one(
        "Prosecutors charged Dara Voss with stealing AI chip trade secrets from Kestrel Compute. "
        "Her lawyer, Ian Moll, said his client had done nothing wrong."
    )
    expected = {("legal_action", "asserted"), ("security_incident", "alleged"),
                ("security_incident", "denied")}
    assert expected <= _pairs(ann)


def test_open_question_and_advocacy_are_not_events(annotate_one):
    ann = annotate_one(
        "Anthropic has not said when Claude Mythos will be released. "
        "The company has argued for tighter U.S. export controls on chips."
    )
    assert ann.events == ()


def test_provider_terms_are_a_standing_rule_not_an_event(annotate_one):
    ann = annotate_one(
        "Anthropic's commercial terms bar customers from using Claude to build competing models."
    )
    assert ann.events == ()


def test_governor_ban_on_state_devices_is_regulation(annotate_one):
    ann = annotate_one(
        "Texas Governor Greg Abbott banned state employees from using DeepSeek on government devices."
    )
    assert _pairs(ann) == {("regulation", "asserted")}


def test_provisional_agreement_on_a_law_is_regulation(annotate_one):
    ann = annotate_one("Negotiators from the European Parliament and EU member states reached a provisional "
                       "agreement on the AI Act.")
    assert ("regulation", "asserted") in _pairs(ann)


def test_party_rejecting_a_reported_raise_is_a_denial(annotate_one):
    ann = annotate_one(
        "Elon Musk's xAI is raising $10 billion at a $200 billion valuation, CNBC reported. "
        "Musk dismissed the report on Friday."
    )
    assert {("funding_investment", "asserted"), ("funding_investment", "denied")} <= _pairs(ann)


@pytest.mark.parametrize("text", [
    "After the merger, Corliss Analytics will include its Wren-2 model at no additional cost in every plan.",
    "Harlow Systems said its Finch 2 Mini model is free until the end of March for new developers.",
    "Harlow Systems said its Finch 2 Mini model is free for up to 500 requests a day.",
    "Harlow Systems will offer the Finch 2 Pro assistant at 12.50 euros per month from June.",
])
def test_free_periods_no_cost_inclusion_and_monthly_prices_are_pricing_news(annotate_one, text):
    assert "pricing" in {e.event_type for e in annotate_one(text).events}


def test_an_amount_a_year_and_a_month_after_something_are_no_price(annotate_one):
    text = ("A month after the deal, people familiar with the matter said Vantor pays Quell Systems about "
            "$2 billion a year for access to its models.")
    assert "pricing" not in {e.event_type for e in annotate_one(text).events}


def test_open_sourced_after_the_lab_or_an_unknown_name_is_a_release(annotate_one):
    text = ("Harrowby Zhiyuan is a small lab in Beijing. The four-year-old lab open-sourced Quill-Lan 3 72B "
            "on Monday, publishing the weights under a permissive licence.")
    assert "model_launch" in {e.event_type for e in annotate_one(text, PUBLISHED).events}


def test_the_name_before_a_verb_the_parser_hangs_on_its_object_acts(annotate_one):
    text = ("Around the same time, Anthropic barred companies controlled from certain countries from using "
            "its models.")
    ann = annotate_one(text, PUBLISHED)
    bans = [e for e in ann.events if e.event_type == "access_restriction"]
    assert bans and bans[0].initiator == "Anthropic"


@pytest.mark.parametrize(("text", "kind"), [
    ("Nvidia and Kestrel Trucks are jointly developing a driver-assistance system, the companies said.",
     "partnership"),
    (("On Thursday a patient, Mara Ekwe, filed a proposed class action against Brindle Health in federal "
     "court, accusing it of negligence."), "legal_action"),
    (("Arvelle Systems said in July it withheld the image features of its Nacre-2 model from users in the "
     "European Union."), "access_restriction"),
])
def test_joint_development_a_proposed_class_action_and_withholding_from_users(annotate_one, text, kind):
    assert kind in {e.event_type for e in annotate_one(text, PUBLISHED).events}


def test_co_developing_is_a_partnership(annotate_one):
    text = "Nvidia and Siemens are co-developing networking parts for AI data centres."
    assert "partnership" in {e.event_type for e in annotate_one(text, PUBLISHED).events}


@pytest.mark.parametrize("text", [
    ("Analysts say the dispute could slow talks, but so far there is no sign of a concrete sanction from "
    "the United States."),
    "North Korea's foreign ministry said Washington was using such claims to justify new sanctions.",
])
def test_an_absent_act_or_one_named_as_a_motive_is_no_event(annotate_one, text):
    assert "regulation" not in {e.event_type for e in annotate_one(text, PUBLISHED).events}
