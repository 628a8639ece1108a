"""Who plays which role: parties added by a sentence that continues an event, names that only qualify."""

from __future__ import annotations

from datetime import date

import pytest

PUBLISHED = date(2026, 3, 5)


def roles_of(ann, event_type):
    return {(r.role, r.name) for e in ann.events if e.event_type == event_type for r in e.roles}


def test_a_sentence_that_continues_a_round_adds_every_named_investor(annotate_one):
    text = (
        "Velmora Robotics raised $120 million in a round led by Harbor Peak Capital, the company said. "
        "Kestrel Partners, Ardent Ventures and Lumen Capital also took part, as did Orchard Fund. "
        "Nvidia also invested, alongside existing backers Sequoia Capital and Index Ventures."
    )
    roles = roles_of(annotate_one(text, PUBLISHED), "funding_investment")
    assert {n for r, n in roles if r == "investor"} >= {
        "Harbor Peak Capital", "Kestrel Partners", "Ardent Ventures", "Lumen Capital", "Orchard Fund",
        "Nvidia", "Sequoia Capital", "Index Ventures"}
    assert {n for r, n in roles if r == "recipient"} == {"Velmora Robotics"}


def test_without_also_a_later_sentence_adds_nobody(annotate_one):
    text = (
        "Velmora Robotics raised $120 million in a round led by Harbor Peak Capital, the company said. "
        "Kestrel Partners took part in a different deal last year."
    )
    names = {n for _r, n in roles_of(annotate_one(text, PUBLISHED), "funding_investment")}
    assert "Kestrel Partners" not in names


def test_a_company_named_as_owner_of_something_else_is_no_party(annotate_one):
    text = ("Quillon AI raised $40 million from Harbor Peak Capital on Tuesday, a deal that makes the "
            "startup one of Nexora's closest rivals.")
    names = {n for _r, n in roles_of(annotate_one(text, PUBLISHED), "funding_investment")}
    assert {"Quillon AI", "Harbor Peak Capital"} <= names
    assert "Nexora" not in names


def test_a_backer_named_to_describe_the_company_is_no_investor(annotate_one):
    text = "Nexora-backed Quillon AI raised $40 million from Harbor Peak Capital on Tuesday."
    names = {n for _r, n in roles_of(annotate_one(text, PUBLISHED), "funding_investment")}
    assert {"Quillon AI", "Harbor Peak Capital"} <= names
    assert "Nexora" not in names


def test_a_court_that_orders_damages_is_no_party(annotate_one):
    text = ("The Hangzhou Internet Court has ordered a local AI video service to pay 20,000 yuan in damages "
            "for generating clips of a famous cartoon character, in what lawyers call Zhejiang's first "
            "such ruling.")
    names = {n for _r, n in roles_of(annotate_one(text, PUBLISHED), "legal_action")}
    assert not names & {"Hangzhou Internet Court", "Zhejiang"}


def test_a_destination_country_is_no_defendant(annotate_one):
    text = ("Two Singapore residents were charged on Tuesday with smuggling accelerators worth $40 million "
            "to China, the Justice Department said.")
    names = {n for _r, n in roles_of(annotate_one(text, PUBLISHED), "legal_action")}
    assert "China" not in names


def test_who_did_the_copying_is_accused_and_who_reports_it_claims(annotate_one):
    text = ("Engineers at Harrow Labs examined Finch-7B, a model released by Velmora Robotics. Last week the "
            "lab published its conclusion: that Velmora had trained its model on responses harvested from "
            "Harrow's chatbot.")
    [claim] = [e for e in annotate_one(text, PUBLISHED).events if e.event_type == "distillation_claim"]
    roles = {(r.role, r.name) for r in claim.roles}
    assert ("accused", "Velmora Robotics") in roles
    assert ("claimant", "Harrow Labs") in roles
    assert claim.initiator == "Harrow Labs"


def test_the_companies_stands_for_the_organisations_named_together_before_it(annotate_one):
    text = ("Microsoft said on Monday that it had stopped serving Zhipu AI, MiniMax and their subsidiaries, "
            "a day after the Commerce Department added the companies to the Entity List.")
    [control] = [e for e in annotate_one(text, PUBLISHED).events if e.event_type == "export_control"]
    assert set(control.targets) == {"Zhipu AI", "MiniMax"}  # a plural never stands for Microsoft alone


def test_what_someone_says_of_existing_controls_is_no_new_control(annotate_one):
    text = "Officials in Beijing have repeatedly described US export controls as economic coercion."
    assert not [e for e in annotate_one(text, PUBLISHED).events if e.event_type == "export_control"]


def test_a_listing_that_only_dates_the_main_clause_keeps_the_main_clause_s_company_out(annotate_one):
    text = ("Amazon said on Tuesday that it had suspended access to its cloud AI services for DeepSeek, "
            "Moonshot AI and their affiliates, hours after the US Commerce Department added the companies "
            "to the Entity List.")
    [control] = [e for e in annotate_one(text, PUBLISHED).events if e.event_type == "export_control"]
    assert set(control.actors) == {"Department of Commerce", "DeepSeek", "Moonshot AI"}


def test_a_rejected_accusation_names_its_claimant_and_the_accused(annotate_one):
    text = ("Zhipu AI on Tuesday rejected Anthropic's accusation that it had used Anthropic's models to "
            "train GLM-5.")
    events = {e.stance: e for e in annotate_one(text, PUBLISHED).events
              if e.event_type == "distillation_claim"}
    claim = {(r.role, r.name) for r in events["alleged"].roles}
    assert {("claimant", "Anthropic"), ("accused", "Zhipu AI"), ("source", "Anthropic")} <= claim
    assert ("claimant", "Zhipu AI") not in claim and ("source", "Zhipu AI") not in claim
    assert events["denied"].initiator == "Zhipu AI"


def test_background_talk_of_distillation_and_what_a_list_does_are_no_events(annotate_one):
    text = ("The launch ends a week dominated by disputes over distillation and access to American models. "
            "The Entity List restricts exports of items subject to US export rules to listed companies.")
    assert annotate_one(text, PUBLISHED).events == ()


def test_they_and_the_companies_stand_for_every_company_listed_before(annotate_one):
    text = ("The Commerce Department added Zhipu AI, its affiliate Z Labs and MiniMax to the Entity List on "
            "Monday. The Bureau of Industry and Security said the three companies had acquired the "
            "capabilities of American models through distillation.")
    [claim] = [e for e in annotate_one(text, PUBLISHED).events if e.event_type == "distillation_claim"]
    assert {"Zhipu AI", "MiniMax"} <= set(claim.targets)
    assert claim.initiator == "Bureau of Industry and Security"


def test_a_denial_names_whom_it_answers_and_the_accused_is_never_the_source(annotate_one):
    text = ("Anthropic accused Zhipu AI on Monday of distilling its models to build GLM-5. "
            "Zhipu AI has rejected Anthropic's accusation.")
    events = {e.stance: e for e in annotate_one(text, PUBLISHED).events
              if e.event_type == "distillation_claim"}
    assert ("claimant", "Anthropic") in {(r.role, r.name) for r in events["denied"].roles}
    assert ("source", "Zhipu AI") not in {(r.role, r.name) for r in events["alleged"].roles}


def test_a_denial_that_names_the_claimant_answers_that_claim_not_the_latest(annotate_one):
    text = ("Anthropic accused Zhipu AI on Monday of distilling its models. The Commerce Department said "
            "MiniMax and Zhipu AI had copied American models. Zhipu AI has rejected Anthropic's accusation.")
    claims = [e for e in annotate_one(text, PUBLISHED).events if e.event_type == "distillation_claim"]
    (denial,) = [e for e in claims if e.stance == "denied"]
    roles = {(r.role, r.name) for r in denial.roles}
    assert ("claimant", "Anthropic") in roles and ("accused", "Zhipu AI") in roles
    assert ("accused", "MiniMax") not in roles  # the Commerce Department's claim is not the one rejected
    commerce = next(e for e in claims if e.initiator == "Department of Commerce")
    assert {"MiniMax", "Zhipu AI"} <= set(commerce.targets)


def test_the_listed_companies_named_in_the_next_sentence_are_targets(annotate_one):
    text = ("The Commerce Department added three chip designers to the Entity List on Tuesday. "
            "The listed companies are Zhipu AI, MiniMax and Moonshot AI.")
    [control] = [e for e in annotate_one(text, PUBLISHED).events if e.event_type == "export_control"]
    assert {"Zhipu AI", "MiniMax", "Moonshot AI"} <= set(control.targets)


def test_an_executive_joined_to_the_company_by_and_is_a_party(annotate_one):
    text = "Elon Musk has sued OpenAI and its chief executive, Sam Altman, in federal court in California."
    names = {n for _r, n in roles_of(annotate_one(text, PUBLISHED), "legal_action")}
    assert {"Elon Musk", "OpenAI", "Sam Altman"} <= names


def test_who_stands_behind_the_hackers_is_the_perpetrator_but_a_backer_is_no_investor(annotate_one):
    text = ("Harrow Labs said a North Korea-linked hacking group had breached its servers and stolen model "
            "weights.")
    roles = roles_of(annotate_one(text, PUBLISHED), "security_incident")
    assert ("perpetrator", "North Korea") in roles
    funding = roles_of(annotate_one("Nexora-linked Quillon AI raised $40 million from Harbor Peak Capital.",
                                    PUBLISHED), "funding_investment")
    assert "Nexora" not in {n for _r, n in funding}


def test_the_outlet_that_saw_the_document_is_no_party(annotate_one):
    text = ("Anthropic has accused Zhipu AI of distilling its models, according to a memo seen by Harbor "
            "Wire and reviewed by Pacific Ledger.")
    names = {n for _r, n in roles_of(annotate_one(text, PUBLISHED), "distillation_claim")}
    assert {"Anthropic", "Zhipu AI"} <= names
    assert not names & {"Harbor Wire", "Pacific Ledger"}


def test_a_ministry_announcing_licences_is_an_authority_and_destinations_are_targets(annotate_one):
    text = ("Norway will require permits for re-exports of quantum chips to Belarus and Myanmar, its "
            "Ministry of Trade said on Monday.")
    roles = roles_of(annotate_one(text, PUBLISHED), "export_control")
    assert {n for r, n in roles if r == "authority"} >= {"Norway"}
    assert "Ministry of Trade" in {n for r, n in roles if r == "authority"}
    assert {n for r, n in roles if r == "target"} == {"Belarus", "Myanmar"}


def test_barred_exports_is_an_export_control(annotate_one):
    text = ("In May the Export Licensing Office barred exports of K7 accelerators to Vietnam without a "
            "licence.")
    roles = roles_of(annotate_one(text, PUBLISHED), "export_control")
    assert ("authority", "Export Licensing Office") in roles
    assert ("target", "Vietnam") in roles


def test_a_company_told_it_would_need_a_licence_is_the_target(annotate_one):
    # "would" passed on by "told" is the reported "will" of a decision, not a plan; and a cause clause
    # ("after ...") is a fact whatever the main clause expects.
    text = ("Orinoco Semiconductor said it expects a charge of $90 million after the government told the "
            "company it would need a licence to ship its K7 chips to Vietnam.")
    roles = roles_of(annotate_one(text, PUBLISHED), "export_control")
    assert {n for r, n in roles if r == "target"} >= {"Orinoco Semiconductor", "Vietnam"}
    assert "Orinoco Semiconductor" not in {n for r, n in roles if r == "authority"}


def test_an_expected_launch_is_none_but_a_price_said_to_apply_is_announced(annotate_one):
    # "would" under a past verb of saying is the reported "will": announced, flagged as future.
    assert roles_of(annotate_one("Quillion is expected to unveil its Lark-3 model in June.", PUBLISHED),
                    "model_launch") == set()
    text = "Alibaba Cloud said Qwen3.5-Max would cost 2.4 yuan per million input tokens."
    ann = annotate_one(text, PUBLISHED)
    assert ("seller", "Alibaba Cloud") in roles_of(ann, "pricing")


def test_the_authority_stands_for_the_regulator_named_before_not_a_company(annotate_one):
    # "fined" is lemmatised "fin" by the model; the pipeline corrects it.
    text = ("Italy's data protection authority, the Garante, ordered DeepSeek to stop processing local "
            "users' chats on Monday. The authority also fined Mistral AI 2 million euros in May.")
    roles = roles_of(annotate_one(text, PUBLISHED), "regulation")
    assert ("regulated", "Mistral AI") in roles
    assert {n for r, n in roles if r == "regulator"} <= {"Garante", "Italy"}


def test_who_published_a_report_accusing_a_rival_is_the_claimant(annotate_one):
    text = "Anthropic published a report accusing Moonshot AI of distilling its Claude models."
    roles = roles_of(annotate_one(text, PUBLISHED), "distillation_claim")
    assert ("claimant", "Anthropic") in roles
    assert {n for r, n in roles if r == "accused"} == {"Moonshot AI"}


def test_the_employer_of_a_charged_engineer_is_the_victim_not_a_defendant(annotate_one):
    text = ("Prosecutors charged a former Halcyon Compute engineer with stealing chip designs, the Justice "
            "Department said.")
    ann = annotate_one(text, PUBLISHED)
    assert "Halcyon Compute" not in {n for r, n in roles_of(ann, "legal_action") if r == "defendant"}
    assert ("victim", "Halcyon Compute") in roles_of(ann, "security_incident")


def test_a_speaker_s_pledge_is_no_event(annotate_one):
    text = '"We will aggressively investigate any theft of model weights," the Justice Department said.'
    assert roles_of(annotate_one(text, PUBLISHED), "regulation") == set()


def test_the_rules_tightened_after_an_export_control_continue_it(annotate_one):
    text = ("In 2022 the Export Licensing Office barred exports of K7 accelerators to Vietnam. A year later "
            "the office tightened the rules to capture Orinoco Semiconductor's new chips too.")
    ann = annotate_one(text, PUBLISHED)
    assert roles_of(ann, "regulation") == set()
    assert ("authority", "Export Licensing Office") in roles_of(ann, "export_control")


def test_a_sentence_about_what_a_launch_did_or_who_used_the_model_adds_no_developer(annotate_one):
    text = ("Google launched Gemini 3 on Tuesday. The launch wiped $40 billion from Nvidia's market value. "
            "Adobe said it would add the model to its Firefly app.")
    developers = {n for r, n in roles_of(annotate_one(text, PUBLISHED), "model_launch") if r == "developer"}
    assert developers == {"Google"}


def test_who_led_the_round_pointed_back_at_is_an_investor(annotate_one):
    text = ("Mistral AI raised $600 million, the company said on Monday. General Catalyst led the round, "
            "a person familiar with the matter said.")
    assert ("investor", "General Catalyst") in roles_of(annotate_one(text, PUBLISHED), "funding_investment")


def test_what_a_complaint_says_an_engineer_took_is_alleged(annotate_one):
    text = ("The complaint says Pieter Hals downloaded more than 40 gigabytes of internal documents from "
            "Ondine Labs before he resigned.")
    ann = annotate_one(text, PUBLISHED)
    assert {(e.event_type, e.stance) for e in ann.events} == {("security_incident", "alleged")}
    assert ("perpetrator", "Pieter Hals") in roles_of(ann, "security_incident")


def test_a_suit_against_named_in_passing_names_both_sides(annotate_one):
    text = "The New York Times's suit against OpenAI and Microsoft is grinding through discovery."
    roles = roles_of(annotate_one(text, PUBLISHED), "legal_action")
    assert {n for r, n in roles if r == "defendant"} == {"OpenAI", "Microsoft"}
    assert ("plaintiff", "The New York Times") in roles


def test_a_company_valued_in_a_round_led_by_an_investor_is_its_recipient(annotate_one):
    text = "OpenAI was valued at $300 billion in a round led by SoftBank earlier this year."
    ann = annotate_one(text, PUBLISHED)
    assert roles_of(ann, "funding_investment") == {("recipient", "OpenAI"), ("investor", "SoftBank")}
    assert [e.initiator for e in ann.events] == ["OpenAI"]


def test_a_similar_accusation_points_back_at_the_claim(annotate_one):
    text = ("Google said Corvid Intelligence trained its model on answers harvested from Gemini. Daniel "
            "Osei, chief executive of Saltmarsh Systems, which made a similar accusation against Zhipu AI "
            "in January, said Google's evidence was stronger.")
    names = {n for _r, n in roles_of(annotate_one(text, PUBLISHED), "distillation_claim")}
    assert "Zhipu AI" in names


def test_an_embassy_rejecting_accusations_against_its_country_denies_them(annotate_one):
    text = ("The State Department accused China of supporting efforts to copy the capabilities of models "
            "developed by OpenAI and Anthropic. The Chinese Embassy in Washington rejected the accusations.")
    ann = annotate_one(text, PUBLISHED)
    denied = {(r.role, r.name) for e in ann.events if e.stance == "denied" for r in e.roles}
    assert ("denier", "Chinese Embassy") in denied
    alleged = {(r.role, r.name) for e in ann.events if e.stance == "alleged" for r in e.roles}
    assert {n for r, n in alleged if r == "source"} == {"OpenAI", "Anthropic"}
    assert "Chinese Embassy" not in {n for _r, n in alleged}


def test_using_a_rival_s_answers_for_training_is_a_distillation_claim(annotate_one):
    text = ("Saltmarsh Systems says Zhipu AI used answers of its model Brine-3 for training GLM-4.6. "
            "Zhipu AI rejected the accusation of Saltmarsh Systems.")
    ann = annotate_one(text, PUBLISHED)
    assert {(e.event_type, e.stance) for e in ann.events} == {
        ("distillation_claim", "alleged"), ("distillation_claim", "denied")}
    assert ("accused", "Zhipu AI") in roles_of(ann, "distillation_claim")


def test_officials_of_a_state_announcing_controls_name_it_but_their_addressees_do_not(annotate_one):
    text = ("The Export Licensing Office tightened export rules for shipping K7 chips to data centres in "
            "Vietnam and Laos, even as U.S. officials said the restrictions went too far.")
    roles = roles_of(annotate_one(text, PUBLISHED), "export_control")
    assert {n for r, n in roles if r == "target"} >= {"Vietnam", "Laos"}
    assert ("authority", "United States") in roles
    text = "The State Department instructed U.S. diplomats to warn governments about DeepSeek's models."
    assert "United States" not in {n for _r, n in roles_of(annotate_one(text, PUBLISHED), "regulation")}


def test_the_prosecutors_office_telling_a_charge_brings_it_and_is_no_defendant(annotate_one):
    ann = annotate_one(
        "A former research engineer at Quarrow Robotics was charged on Thursday with stealing files "
        "describing the company's unreleased model, the U.S. Attorney's Office for the District of "
        "Massachusetts said."
    )
    legal = next(e for e in ann.events if e.event_type == "legal_action")
    assert any(r.role == "plaintiff" and "Office" in r.name for r in legal.roles)
    assert not any(r.role == "defendant" and "Office" in r.name for r in legal.roles)
    theft = next(e for e in ann.events if e.event_type == "security_incident")
    assert not any("Office" in r.name for r in theft.roles)  # who tells of a theft did not do it


def test_an_outlet_s_own_published_investigation_makes_it_the_claimant(annotate_one):
    ann = annotate_one(
        "An investigation published Monday by The Quire Bulletin, a newsletter on AI supply chains, "
        "concluded that Tessaly Systems built its Wren-7B model by fine-tuning on outputs from Alibaba's "
        "Qwen3."
    )
    claim = next(e for e in ann.events if e.event_type == "distillation_claim")
    assert ("claimant", "The Quire Bulletin") in {(r.role, r.name) for r in claim.roles}


def test_a_scene_setting_clause_telling_another_event_names_none_of_this_one_s_parties(annotate_one):
    ann = annotate_one(
        "Hexin Zhiyun released Pavo 3.5 in December, two months after the Commerce Department added the "
        "company to the Entity List, restricting its access to American chips."
    )
    launch = next(e for e in ann.events if e.event_type == "model_launch")
    assert "Department of Commerce" not in {r.name for r in launch.roles}
    control = next(e for e in ann.events if e.event_type == "export_control")
    assert ("authority", "Department of Commerce") in {(r.role, r.name) for r in control.roles}


def test_the_short_name_before_a_chief_s_title_keeps_the_company_in_mind(annotate_one):
    ann = annotate_one(
        "Temasek said it invested $40 million in Kelora Compute. The chips will be supplied by Nvidia. "
        "Kelora chief executive Tran Van Duc said the country needs its own computing power. The company "
        "released its KeloraLM-13B model last year."
    )
    launch = next(e for e in ann.events if e.event_type == "model_launch")
    assert ("developer", "Kelora Compute") in {(r.role, r.name) for r in launch.roles}
    assert "Nvidia" not in {r.name for r in launch.roles}


def test_the_holder_of_the_first_role_is_the_initiator_when_no_subject_names_one(annotate_one):
    ann = annotate_one(
        "A former research engineer at Quarrow Robotics was charged on Thursday with stealing files "
        "describing the company's unreleased model, the U.S. Attorney's Office for the District of "
        "Massachusetts said."
    )
    legal = next(e for e in ann.events if e.event_type == "legal_action")
    assert legal.initiator == "U.S. Attorney's Office for the District of Massachusetts"
    assert legal.actors[0] == legal.initiator


def test_who_accuses_another_of_a_gerund_s_act_is_its_claimant_and_the_object_its_accused(annotate_one):
    ann = annotate_one(
        "TORONTO — Corvane Systems has accused Singapore-based rival Lumeri of using fraudulent accounts to "
        "harvest answers from its Sabre models."
    )
    claim = next(e for e in ann.events if e.event_type == "distillation_claim")
    roles = {(r.role, r.name) for r in claim.roles}
    assert ("claimant", "Corvane Systems") in roles and ("accused", "Lumeri") in roles
    assert ("accused", "Corvane Systems") not in roles and "Toronto" not in {r.name for r in claim.roles}


def test_the_outlet_that_first_reported_a_leak_is_no_party_to_it(annotate_one):
    ann = annotate_one(
        "Calloway Voice confirmed that a misconfigured database had exposed recordings of customer calls. "
        "404 Media first reported the exposure, which was also reported by Cybernews."
    )
    named = {r.name for e in ann.events for r in e.roles}
    assert "Calloway Voice" in named and not named & {"404 Media", "Cybernews"}


@pytest.mark.parametrize("text", [
    "Corliss Voice reported the breach to the Information Commissioner's Office.",
    "Corliss Voice has notified the Information Commissioner's Office of the breach.",
])
def test_the_authority_told_of_a_breach_is_no_party_and_the_teller_is_its_victim(annotate_one, text):
    ann = annotate_one(text)
    roles = {(r.role, r.name) for e in ann.events if e.event_type == "security_incident" for r in e.roles}
    assert roles == {("victim", "Corliss Voice")}
