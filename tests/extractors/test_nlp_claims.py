"""Claims, denials and whom an event names: distillation in any word order, attributed attacks, regulators."""

from __future__ import annotations

from datetime import date

import pytest

PUBLISHED = date(2026, 4, 14)


def kinds(ann):
    return {(e.event_type, e.stance) for e in ann.events}


def roles_of(ann, event_type, stance):
    return {(r.role, r.name) for e in ann.events if (e.event_type, e.stance) == (event_type, stance)
            for r in e.roles}


def test_training_a_model_on_harvested_outputs_is_a_claim_whatever_lies_between(annotate_one):
    text = ("Brightmoor AI said on Monday that Castellan Systems trained its newest Pellan 2 reasoning model "
            "on transcripts collected from Brightmoor's assistant through hundreds of trial accounts.")
    assert ("distillation_claim", "alleged") in kinds(annotate_one(text, PUBLISHED))


def test_a_training_noun_on_outputs_is_a_claim(annotate_one):
    text = ("A review by the Nordby Institute found phrasing in Castellan Systems' model that it said "
            "pointed to training on Brightmoor AI outputs.")
    assert ("distillation_claim", "alleged") in kinds(annotate_one(text, PUBLISHED))


def test_extracting_reasoning_traces_to_train_a_rival_is_a_claim(annotate_one):
    text = ("Brightmoor AI said it had blocked a campaign by Castellan Systems to extract reasoning traces "
            "from its models in order to train a competing system.")
    assert ("distillation_claim", "alleged") in kinds(annotate_one(text, PUBLISHED))


def test_using_hardware_to_train_one_s_own_models_is_no_claim(annotate_one):
    text = ("Under the deal, Halvard Cloud will supply the servers, and Castellan Systems will use them to "
            "train future versions of its Pellan models.")
    assert not any(t == "distillation_claim" for t, _s in kinds(annotate_one(text, PUBLISHED)))


def test_an_attack_by_a_group_linked_to_a_state_is_alleged(annotate_one):
    text = ("Castellan Systems said on Friday that a hacking group linked to Ruritania's intelligence "
            "service had broken into its research network and stolen source code.")
    assert ("security_incident", "alleged") in kinds(annotate_one(text, PUBLISHED))


def test_an_attack_nobody_attributes_stays_a_reported_fact(annotate_one):
    text = ("Castellan Systems said on Friday that hackers had broken into its research network and stolen "
            "source code.")
    found = kinds(annotate_one(text, PUBLISHED))
    assert ("security_incident", "asserted") in found and ("security_incident", "alleged") not in found


def test_an_embassy_denying_its_country_was_the_attacker_denies_the_attack(annotate_one):
    text = ("Castellan Systems said on Friday that a hacking group linked to Ruritania had broken into its "
            "research network and stolen source code. "
            "The Ruritanian Embassy rejected the accusation.")
    ann = annotate_one(text, PUBLISHED)
    assert ("security_incident", "denied") in kinds(ann)
    assert ("denier", "Ruritanian Embassy") in roles_of(ann, "security_incident", "denied")


def test_a_denial_answers_the_claim_about_the_denier_not_a_later_act(annotate_one):
    # The latest claim (Brightmoor's own finding) does not name Castellan; the denial answers the first one,
    # not the access ban told in between.
    text = ("Brightmoor AI has accused Castellan Systems of using its chatbot's answers to train a rival "
            "model. Brightmoor said the traffic it traced was consistent with distillation. "
            "It said it had blocked Castellan Systems from its developer platform. "
            "Castellan Systems, which is backed by Halvard Capital, denied the claim.")
    found = kinds(annotate_one(text, PUBLISHED))
    assert ("distillation_claim", "denied") in found
    assert ("access_restriction", "denied") not in found


def test_a_body_the_sentence_calls_a_regulator_can_open_an_investigation(annotate_one):
    text = ("Ruritania's data protection authority, the ORDP, said on Monday it had opened an investigation "
            "into Castellan Systems over an exposed chat database.")
    roles = roles_of(annotate_one(text, PUBLISHED), "regulation", "asserted")
    assert ("regulator", "ORDP") in roles and ("regulated", "Castellan Systems") in roles


def test_a_company_s_own_investigation_is_no_regulation(annotate_one):
    text = "Castellan Systems, a Lisbon chatbot maker, said it had opened an investigation into the leak."
    assert not any(t == "regulation" for t, _s in kinds(annotate_one(text, PUBLISHED)))


def test_a_regulator_s_request_for_information_or_examination_is_regulation(annotate_one):
    for text in (
        ("The European Commission has sent Castellan Systems a formal request for information about its "
         "latest models."),
        "The state Department of Justice issued a civil investigative demand to Castellan Systems on Friday.",
        ("Portugal's competition authority has opened an examination of Halvard Capital's stake in "
         "Castellan Systems."),
    ):
        assert ("regulation", "asserted") in kinds(annotate_one(text, PUBLISHED)), text


def test_the_listed_companies_after_a_paragraph_break_are_the_listing_s_targets(annotate_one):
    # After a blank line the tagger reads "listed" as an adjective; it still names whom the listing hit.
    text = ("Three Chinese developers were added to the Entity List on Tuesday by the Commerce Department's "
            "Bureau of Industry and Security, cutting them off from U.S. chips unless their suppliers obtain "
            "a licence.\n\nThe listed companies are Shenzhen-based Pellucid Intelligence, Hefei's "
            "Qingmei Tech and a smaller cloud operator, Baishan Compute.")
    roles = roles_of(annotate_one(text, PUBLISHED), "export_control", "asserted")
    targets = {n for r, n in roles if r == "target"}
    assert targets >= {"Pellucid Intelligence", "Qingmei Tech", "Baishan Compute"}


def test_copying_a_rival_s_proprietary_material_of_any_kind_is_an_alleged_incident_in_a_suit(annotate_one):
    text = ("Pellucid Intelligence has sued Baishan Compute, alleging that the start-up's engineers copied "
            "proprietary inference software during a joint project.")
    found = kinds(annotate_one(text, PUBLISHED))
    assert ("security_incident", "alleged") in found and ("legal_action", "asserted") in found


def test_the_pronoun_of_a_clause_set_off_by_commas_stands_for_its_noun(annotate_one):
    text = ("Pellucid Intelligence closed its chatbot in Italy on Monday. The company, which raised $85 "
            "million last year, has about 3 million users.")
    roles = roles_of(annotate_one(text, PUBLISHED), "funding_investment", "asserted")
    assert ("recipient", "Pellucid Intelligence") in roles


def test_a_restrictive_clause_about_generic_labs_names_nobody(annotate_one):
    text = ("Pellucid Intelligence closed its chatbot in Italy on Monday. The labs that raised the most "
            "money last year have the most users.")
    assert not any(t == "funding_investment" for t, _s in kinds(annotate_one(text, PUBLISHED)))


def test_a_denial_does_not_deny_what_a_clause_about_the_denier_tells(annotate_one):
    text = ("Brightwater AI said Pellucid Intelligence had trained its model on outputs harvested from "
            "Brightwater's assistant. Pellucid Intelligence, whose Pellan-7B model was released in March, "
            "rejected the findings.")
    found = kinds(annotate_one(text, PUBLISHED))
    assert ("model_launch", "asserted") in found and ("model_launch", "denied") not in found
    assert ("distillation_claim", "denied") in found


def test_a_rival_s_price_as_it_stands_is_no_pricing_event(annotate_one):
    for text in ("Halvard Cloud charges $2 per million input tokens for its Pellan-7B model.",
                 "For comparison, Pellan-7B is charging 2 yuan per million input tokens, analysts said."):
        assert not any(t == "pricing" for t, _s in kinds(annotate_one(text, PUBLISHED))), text


def test_a_new_price_told_in_the_present_is_a_pricing_event(annotate_one):
    for text in ("Halvard Cloud now charges $2 per million input tokens for its Pellan-7B model.",
                 "From May 1, Halvard Cloud charges $2 per million input tokens for its Pellan-7B model."):
        assert ("pricing", "asserted") in kinds(annotate_one(text, PUBLISHED)), text


def test_events_an_outside_commentator_mentions_in_a_quote_are_no_events(annotate_one):
    text = ("Pellucid Intelligence released its Pellan-7B model on Monday. \"This is the first time the "
            "Senate has tied export controls to how a model was trained,\" said Mara Quell, a trade lawyer "
            "at Hollin & Drake.")
    ann = annotate_one(text, PUBLISHED)
    assert not any(e.event_type == "export_control" for e in ann.events)


def test_a_quote_from_the_acting_company_s_chief_still_tells_the_event(annotate_one):
    text = ("\"We are cutting the price of Pellan-7B by half from today,\" said Mara Quell, chief "
            "executive of Pellucid Intelligence.")
    assert ("pricing", "asserted") in kinds(annotate_one(text, PUBLISHED))


def test_a_company_in_talks_to_raise_is_the_recipient_not_an_investor(annotate_one):
    text = ("Pellucid Intelligence is in talks to raise about $2 billion in a round led by Brightfold "
            "Capital, according to people familiar with the negotiations.")
    roles = roles_of(annotate_one(text, PUBLISHED), "funding_investment", "asserted")
    assert roles == {("recipient", "Pellucid Intelligence"), ("investor", "Brightfold Capital")}


def test_disputing_that_denies_what_was_just_reported(annotate_one):
    text = ("Pellucid Intelligence is in talks to raise about $2 billion in a round led by Brightfold "
            "Capital. The Information reported last week that Halvard Capital was also in discussions to "
            "take part. Pellucid Intelligence disputed that.")
    ann = annotate_one(text, PUBLISHED)
    assert ("funding_investment", "denied") in kinds(ann)
    assert ("denier", "Pellucid Intelligence") in roles_of(ann, "funding_investment", "denied")


def test_the_filers_named_in_a_later_sentence_are_the_plaintiffs(annotate_one):
    text = ("A group of publishers sued Pellucid Intelligence on Tuesday. The complaint, filed in Manhattan "
            "by Brightline Music Publishing and Kestrel Records Inc., seeks statutory damages.")
    roles = roles_of(annotate_one(text, PUBLISHED), "legal_action", "asserted")
    assert {("plaintiff", "Brightline Music Publishing"), ("plaintiff", "Kestrel Records"),
            ("defendant", "Pellucid Intelligence")} <= roles


def test_an_order_a_party_seeks_has_not_happened(annotate_one):
    text = ("The complaint, filed in the Southern District of New York, seeks statutory damages that could "
            "exceed $1 billion and an order barring Pellucid Intelligence from using the works.")
    assert not any(t == "regulation" for t, _s in kinds(annotate_one(text, PUBLISHED)))


def test_charging_people_named_in_a_long_apposition_is_a_legal_action(annotate_one):
    text = ("The Justice Department charged two men, Colm Hardy and Piotr Lisowski, with conspiring to ship "
            "restricted processors abroad.")
    roles = roles_of(annotate_one(text, PUBLISHED), "legal_action", "asserted")
    assert {("plaintiff", "Department of Justice"), ("defendant", "Colm Hardy"),
            ("defendant", "Piotr Lisowski")} <= roles


def test_a_company_s_own_audit_is_no_regulation_where_a_place_only_locates_it(annotate_one):
    text = ("Seoul-based Pellucid Intelligence said an internal audit found that accounts linked to Halvard "
            "Systems had pulled about 9 million responses from its models and used them to train a rival "
            "system.")
    found = kinds(annotate_one(text, PUBLISHED))
    assert not any(t == "regulation" for t, _s in found)
    assert ("distillation_claim", "alleged") in found


def test_controls_named_as_a_cause_or_a_topic_are_no_new_event(annotate_one):
    for text in (
        ("Because of the export controls of the United States, companies have to rely more on domestic "
         "chips, an engineer at Pellucid Intelligence said."),
        ("Pellucid Intelligence timed the report to coincide with export-control debates in Washington, "
         "critics said."),
    ):
        assert not any(t == "export_control" for t, _s in kinds(annotate_one(text, PUBLISHED))), text


def test_announcing_another_act_or_releasing_a_series_is_no_launch(annotate_one):
    for text in (
        ("Pellucid Intelligence also announced a partnership with Halvard Telecom to resell its Pellan "
         "models to businesses in Brazil."),
        ("The raise caps a busy year for Pellucid Intelligence, which has released a steady stream of models "
         "aimed at coding."),
    ):
        assert not any(t == "model_launch" for t, _s in kinds(annotate_one(text, PUBLISHED))), text


def test_releasing_a_named_model_is_still_a_launch(annotate_one):
    text = "Pellucid Intelligence released Pellan-7B, its new coding model, on Monday."
    assert ("model_launch", "asserted") in kinds(annotate_one(text, PUBLISHED))


def test_a_roundup_heading_before_a_dash_is_not_who_acts(annotate_one):
    text = ("MONEY — Bengaluru's Pellucid Intelligence, which builds speech models for Indian languages, "
            "raised $42 million in a seed round led by Brightfold Capital.")
    roles = roles_of(annotate_one(text, PUBLISHED), "funding_investment", "asserted")
    assert ("recipient", "Pellucid Intelligence") in roles
    assert ("investor", "Pellucid Intelligence") not in roles


def test_barring_users_from_a_service_or_withdrawing_an_app_from_a_country_restricts_access(annotate_one):
    for text in (
        ("Pellucid Intelligence said it will bar users under 18 from open-ended conversations with its "
         "characters starting November 25."),
        "Pellucid Intelligence had withdrawn the app from Italy hours earlier.",
    ):
        assert ("access_restriction", "asserted") in kinds(annotate_one(text, PUBLISHED)), text


def test_two_companies_agreeing_to_build_something_together_are_partners(annotate_one):
    text = "Baidu and Lenovo have agreed to build a training cluster in Guizhou, the two companies said."
    roles = roles_of(annotate_one(text, PUBLISHED), "partnership", "asserted")
    assert roles == {("party", "Baidu"), ("party", "Lenovo")}


def test_two_companies_each_agreeing_to_pay_a_government_are_no_partners(annotate_one):
    text = "Baidu and Lenovo agreed to pay the government 15% of their revenue from such sales."
    assert not any(t == "partnership" for t, _s in kinds(annotate_one(text, PUBLISHED)))


def test_the_accused_saying_it_did_not_do_it_denies_the_claim(annotate_one):
    text = ("Anthropic accused Zhipu AI of using its chatbot's answers to train GLM-5. "
            "\"We did not use outputs from Anthropic's models to train it,\" Zhipu AI said.")
    ann = annotate_one(text, PUBLISHED)
    assert ("distillation_claim", "denied") in kinds(ann)
    assert ("denier", "Zhipu AI") in roles_of(ann, "distillation_claim", "denied")
    assert ("denier", "Anthropic") not in roles_of(ann, "distillation_claim", "denied")


def test_a_negated_claim_by_a_bystander_denies_nothing(annotate_one):
    text = ("Brightwater AI accused Pellucid Intelligence of using its chatbot's answers to train Pellan-7B. "
            "Halvard Systems said it had not used Brightwater's outputs to train its own models.")
    assert ("distillation_claim", "denied") not in kinds(annotate_one(text, PUBLISHED))


def test_an_apposition_the_parser_reads_as_a_second_subject_does_not_hide_who_acts(annotate_one):
    text = ("Thousands of teenagers opened Wisp and found it gone. Brightmoor AI, the Austin-based company "
            "behind Wisp, had withdrawn the app from Italy hours earlier.")
    roles = roles_of(annotate_one(text, PUBLISHED), "access_restriction", "asserted")
    assert ("provider", "Brightmoor AI") in roles and ("restricted", "Italy") in roles


def test_the_country_stolen_material_went_to_did_the_theft(annotate_one):
    text = ("A federal grand jury indicted a former Halvard Systems engineer on Tuesday, accusing him of "
            "stealing trade secrets related to artificial intelligence for companies based in China.")
    roles = roles_of(annotate_one(text, PUBLISHED), "security_incident", "alleged")
    assert ("perpetrator", "China") in roles


def test_a_company_s_base_is_not_whoever_did_the_breach(annotate_one):
    text = ("The exposed server belonged to Pellucid Intelligence, a company based in Austin, Texas, whose "
            "software records video calls, researchers said after the leak.")
    names = {n for _r, n in roles_of(annotate_one(text, PUBLISHED), "security_incident", "asserted")}
    assert "Austin" not in names and "Texas" not in names


def test_a_company_barring_customers_is_no_government_act(annotate_one):
    text = ("Several Valdorian labs already bar customers in Ruritania from using their services, but "
            "enforcement through resellers remains patchy.")
    assert not any(t == "regulation" for t, _s in kinds(annotate_one(text, PUBLISHED)))


def test_officials_ordering_a_ban_act_for_their_state(annotate_one):
    text = "Officials in Ostravia issued orders banning Castellan Systems' chatbot from state devices."
    assert ("regulation", "asserted") in kinds(annotate_one(text, PUBLISHED))


def test_an_internal_audit_is_no_regulator_s_investigation(annotate_one):
    text = ("Brightmoor AI said it had alerted the police in Ruritania after an internal audit flagged the "
            "downloads.")
    assert not any(t == "regulation" for t, _s in kinds(annotate_one(text, PUBLISHED)))


def test_a_law_a_governor_signed_is_a_regulation_by_the_governor(annotate_one):
    text = ("Ostravia's Model Safety Act, which Governor Lena Marsh signed in August, requires developers of "
            "the largest models to report serious incidents within 15 days.")
    ann = annotate_one(text, PUBLISHED)
    assert ("regulation", "asserted") in kinds(ann)
    assert ("regulator", "Lena Marsh") in roles_of(ann, "regulation", "asserted")


def test_fine_tuned_models_are_no_fine(annotate_one):
    text = ("Lawmakers in Ostravia are debating the idea, and some versions would go further, covering "
            "fine-tuned derivatives too.")
    assert not any(t == "regulation" for t, _s in kinds(annotate_one(text, PUBLISHED)))


def test_sanctions_risks_are_a_topic_not_sanctions(annotate_one):
    text = ("Halvard Cloud stopped serving accounts registered in Ruritania after its lawyers in Valdoria "
            "flagged sanctions risks.")
    assert not any(t == "regulation" for t, _s in kinds(annotate_one(text, PUBLISHED)))


def test_what_is_put_off_planned_or_habitual_is_no_launch(annotate_one):
    for text in (
        "Castellan Systems said it has postponed the launch of its Pellan 3 model.",
        ("Chief executive Ana Roth said the company will continue with the launch of its new model planned "
        "for summer."),
        "Halvard AI ships new Pellan checkpoints almost every week.",
        "Halvard AI routinely releases new Pellan models.",
    ):
        assert not any(t == "model_launch" for t, _s in kinds(annotate_one(text, PUBLISHED))), text


def test_announcing_a_price_cut_or_a_strategy_is_no_launch(annotate_one):
    for text in (
        "Koru Dynamics today announced a 60% reduction in API prices for its flagship model Skiff R2.",
        "Ana Roth of Halvard AI said the open-source strategy of Pellan will continue.",
        "In a handful of cases, the Pellan 2 model introduced itself as Claude.",
    ):
        assert not any(t == "model_launch" for t, _s in kinds(annotate_one(text, PUBLISHED))), text


def test_a_launch_told_plainly_is_still_one(annotate_one):
    text = ("Halvard AI released its Pellan 3 model on Tuesday, a week after the company open-sourced "
            "Pellan 2.")
    assert ("model_launch", "asserted") in kinds(annotate_one(text, PUBLISHED))


def test_training_on_a_quantity_of_answers_or_fine_tuning_on_outputs_is_a_claim(annotate_one):
    for text in (
        ("Brightmoor AI has accused Castellan Systems of training its Pellan 2 model on millions of answers "
        "harvested from Brightmoor's assistant."),
        ("A review by the Nordby Institute concluded that Castellan Systems built its Pellan 2 model by "
        "fine-tuning on outputs from Brightmoor AI's assistant."),
        ("Brightmoor AI said accounts of Castellan Systems were used for generating a huge volume of answers "
        "for the training of its Pellan 2 model."),
    ):
        assert ("distillation_claim", "alleged") in kinds(annotate_one(text, PUBLISHED)), text


def test_copying_model_files_is_theft_not_distillation(annotate_one):
    for text in (
        ("According to prosecutors, Ana Roth and Ivo Marsh copied the model files to an external drive and "
        "handed them to Castellan Systems."),
        ("Brightmoor AI has sued Ana Roth, alleging that she copied proprietary model-training code to a "
        "personal drive before she joined Castellan Systems."),
    ):
        assert not any(t == "distillation_claim" for t, _s in kinds(annotate_one(text, PUBLISHED))), text


def test_pleading_not_guilty_or_a_lawyer_denying_for_a_client_denies_the_theft(annotate_one):
    for text, denier in (
        (("Federal prosecutors charged Tomas Lindqvist with stealing trade secrets from Castellan Systems. "
          "Lindqvist has pleaded not guilty."), "Tomas Lindqvist"),
        (("Federal prosecutors charged Ivo Marsh, a former engineer at Castellan Systems, with stealing the "
          "company's chip designs. A lawyer for Marsh said his client denied the charges."), "Ivo Marsh"),
    ):
        ann = annotate_one(text, PUBLISHED)
        assert ("security_incident", "denied") in kinds(ann), text
        assert ("denier", denier) in roles_of(ann, "security_incident", "denied")


def test_disputing_the_account_denies_the_claim(annotate_one):
    text = ("Brightmoor AI said Trellis Mind had trained its model on outputs from Brightmoor's assistant. "
            "Trellis Mind disputed that account, saying its model was trained on licensed text.")
    assert ("distillation_claim", "denied") in kinds(annotate_one(text, PUBLISHED))


def test_the_accused_saying_it_had_not_used_the_outputs_denies_the_claim(annotate_one):
    text = ("Brightmoor AI accused Dorim Soft of training its Pellan model on outputs of Brightmoor's "
            "assistant. Dorim Soft said it had not used Brightmoor outputs and would contest the suit.")
    ann = annotate_one(text, PUBLISHED)
    assert ("distillation_claim", "denied") in kinds(ann)
    assert ("denier", "Dorim Soft") in roles_of(ann, "distillation_claim", "denied")


def test_saying_plainly_what_one_used_is_no_claim(annotate_one):
    text = "Dorim Soft said it used public web data for its Pellan model."
    assert not kinds(annotate_one(text, PUBLISHED))


def test_a_price_in_a_currency_the_ner_misses_is_a_price(annotate_one):
    text = "Cendara priced its Bunga-8B model at 1.20 ringgit per million input tokens for commercial users."
    assert ("pricing", "asserted") in kinds(annotate_one(text, PUBLISHED))


def test_making_a_product_free_or_saying_it_is_free_to_use_is_pricing(annotate_one):
    for text in (
        "Downloads rose after Beiming Tech made the premium version of its Dali app free for all users.",
        "Halvard AI launched Pellan Agent, an assistant for reports, and said it would be free to use.",
    ):
        assert ("pricing", "asserted") in kinds(annotate_one(text, PUBLISHED)), text


def test_the_price_of_a_model_just_released_is_news_though_told_in_the_present(annotate_one):
    text = ("Halvard AI released Pellan Medium 4 on Thursday. "
            "Pellan Medium 4 costs $0.50 per million input tokens through the API.")
    assert ("pricing", "asserted") in kinds(annotate_one(text, PUBLISHED))


def test_a_standing_price_quoted_beside_other_news_is_none(annotate_one):
    text = ("Halvard AI released Pellan Medium 4 on Thursday. "
            "Brightmoor's Orla model costs $2 per million input tokens.")
    assert ("pricing", "asserted") not in kinds(annotate_one(text, PUBLISHED))


def test_information_free_to_access_is_no_price(annotate_one):
    text = "It said the model had claimed to discover information that was free to access."
    assert not kinds(annotate_one(text, PUBLISHED))


def test_a_company_open_sourcing_a_model_is_a_launch_however_the_parser_reads_it(annotate_one):
    text = "Halvard AI open-sourced Pellan-5 Air, a 106-billion-parameter mixture-of-experts model, today."
    assert ("model_launch", "asserted") in kinds(annotate_one(text, PUBLISHED))


def test_open_sourced_models_as_a_kind_are_no_launch(annotate_one):
    text = "Developers at Halvard AI said they prefer open-sourced models for internal tools."
    assert not any(t == "model_launch" for t, _s in kinds(annotate_one(text, PUBLISHED)))


def test_the_court_the_employer_and_the_agency_telling_it_are_no_parties(annotate_one):
    text = ("A former engineer at Pelmora Compute was charged on Thursday with stealing the company's chip "
            "designs, the Justice Department said.")
    ann = annotate_one(text, PUBLISHED)
    holders = {n for e in ann.events for r in e.roles for n in [r.name] if r.role != "victim"}
    assert "Pelmora Compute" not in holders
    assert "Department of Justice" not in {r.name for e in ann.events if e.event_type == "security_incident"
                                           for r in e.roles}
    text = ("Brightmoor AI has sued Ana Roth in the Ontario Superior Court of Justice, alleging that she "
            "took confidential training code to Castellan Systems.")
    ann = annotate_one(text, PUBLISHED)
    assert "Ontario Superior Court of Justice" not in {r.name for e in ann.events for r in e.roles}


def test_hackers_working_for_a_state_are_an_attribution_and_the_teller_lost_its_code(annotate_one):
    text = "Vestra Intelligence said that hackers working for Russia have stolen source code of its models."
    ann = annotate_one(text, PUBLISHED)
    assert ("security_incident", "alleged") in kinds(ann)
    assert ("victim", "Vestra Intelligence") in roles_of(ann, "security_incident", "alleged")


def test_hackers_working_for_a_gang_are_no_state_attribution(annotate_one):
    text = "Vestra Intelligence said that hackers working for a ransomware gang have stolen its source code."
    assert ("security_incident", "asserted") in kinds(annotate_one(text, PUBLISHED))


def test_a_database_left_open_is_an_incident_whose_confirmer_is_the_victim(annotate_one):
    text = ("Kontrel AI, a Berlin-based maker of chatbots, confirmed on Tuesday that a database holding user "
            "conversations had been left publicly accessible for five weeks.")
    ann = annotate_one(text, PUBLISHED)
    assert ("security_incident", "asserted") in kinds(ann)
    assert roles_of(ann, "security_incident", "asserted") == {("victim", "Kontrel AI")}


def test_leaving_the_door_open_is_no_exposure(annotate_one):
    assert not kinds(annotate_one("Kontrel AI left the door open to a sale of its chatbot unit.", PUBLISHED))


def test_a_place_qualifying_rules_owns_them_and_one_qualifying_a_company_is_no_party(annotate_one):
    text = ("The Valdorian Commerce Department added Castellan Systems to the Entity List on Friday. "
            "The Entity List restricts exports of items subject to US export rules to listed companies.")
    ann = annotate_one(text, PUBLISHED)
    assert ("target", "United States") not in roles_of(ann, "export_control", "asserted")
    text = "Halvard Cloud, the first major US cloud provider to act, suspended access for Castellan Systems."
    ann = annotate_one(text, PUBLISHED)
    assert "United States" not in {r.name for e in ann.events for r in e.roles}


def test_where_a_model_is_offered_and_what_it_replaced_are_not_what_was_released_or_priced(annotate_one):
    text = ("Halvard AI released Pellan Opus 5 on Friday. The model is available to paying users of the "
            "Pellan app, in Pellan Code and through Halvard's API. It costs $4 per million input tokens, "
            "down from $5 for Pellan Opus 4.5, Halvard AI said.")
    ann = annotate_one(text, PUBLISHED)
    launch = {("developer", "Halvard AI"), ("model", "Pellan Opus 5")}
    assert roles_of(ann, "model_launch", "asserted") == launch
    assert ("product", "Pellan Opus 5") in roles_of(ann, "pricing", "asserted")
    assert ("product", "Pellan Opus 4.5") not in roles_of(ann, "pricing", "asserted")


def test_a_ministry_opposing_an_export_control_is_no_party_to_it(annotate_one):
    text = ("Valdoria's Ministry of Commerce said on Friday that it firmly opposed Washington's decision to "
            "add Castellan Systems to the US Entity List.")
    ann = annotate_one(text, PUBLISHED)
    held = {n for _r, n in roles_of(ann, "export_control", "asserted")}
    assert "Castellan Systems" in held
    assert not {n for n in held if "Ministry" in n}


def test_an_embassy_answers_for_the_claim_against_its_country_not_the_latest_claim(annotate_one):
    text = ("The State Department has sent a cable which accuses China of an organised effort to copy "
            "American AI models by distillation. According to the cable, companies in China, among them "
            "Castellan Systems, used fake accounts to collect outputs of models made by Brightmoor AI and "
            "trained their own models on them. The Chinese Embassy in Washington rejected the accusation.")
    ann = annotate_one(text, PUBLISHED)
    assert ("distillation_claim", "denied") in kinds(ann)


def test_disputing_findings_does_not_deny_a_release_told_in_the_same_sentence(annotate_one):
    text = ("The group concluded that Tidal-R1 was very likely trained on outputs from Brightmoor AI's "
            "models. Sunwave Technology, which released Tidal-R1 in September, disputed the findings.")
    assert ("model_launch", "denied") not in kinds(annotate_one(text, PUBLISHED))


def test_a_company_saying_its_review_found_no_evidence_denies_the_claim(annotate_one):
    text = ("Brightmoor AI said it had evidence that Nimbro, a Singapore start-up, used Pellan outputs to "
            "train its Nimbro-V2 model. Nimbro said an internal review had found no evidence that any of its "
            "engineers used Pellan outputs for training.")
    ann = annotate_one(text, PUBLISHED)
    assert ("distillation_claim", "denied") in kinds(ann)


def test_calling_an_accusation_a_fabrication_denies_it_and_hijacking_an_agent_is_an_attack(annotate_one):
    text = ("Last month Pelmora, the Austin company behind the coding agent Forgehand, said a group it "
            "links to North Korea had hijacked the agent to plant backdoors in its customers' repositories. "
            "North Korea's Ministry of Foreign Affairs called the accusation 'a fabrication.'")
    ann = annotate_one(text, PUBLISHED)
    assert ("security_incident", "alleged") in kinds(ann)
    assert ("security_incident", "denied") in kinds(ann)


def test_making_a_model_generally_available_or_a_version_free_for_all_is_news(annotate_one):
    text = "Halvard AI made Pellan 3.5 Flash generally available to developers on Tuesday."
    assert ("model_launch", "asserted") in kinds(annotate_one(text, PUBLISHED))
    text = ("A week before, Mingvue had announced that the premium version of its Xiaolan app becomes free "
            "for all users.")
    assert ("pricing", "asserted") in kinds(annotate_one(text, PUBLISHED))


def test_a_company_rejecting_the_article_s_one_accusation_denies_it_though_named_only_by_a_noun(annotate_one):
    text = ("Brightmoor AI said on Tuesday that accounts it traced to the Hangzhou start-up had harvested "
            "millions of answers from its assistant to train a rival model. Yunqiao Tech rejected the "
            "accusation on Wednesday.")
    ann = annotate_one(text, PUBLISHED)
    assert ("distillation_claim", "denied") in kinds(ann)
    assert ("denier", "Yunqiao Tech") in roles_of(ann, "distillation_claim", "denied")


def test_denying_charges_never_denies_a_release(annotate_one):
    text = ("Halvard AI released its Pellan 3 model in May. Prosecutors charged Ivan Sorokin, a former "
            "engineer at Halvard AI, with stealing the model's weights. He denied the charges.")
    assert ("model_launch", "denied") not in kinds(annotate_one(text, PUBLISHED))


def test_denying_that_it_did_what_a_charge_says_denies_it_though_it_names_the_victim(annotate_one):
    text = ("Prosecutors in Busan on Monday charged a former engineer of Sorimbit, Yoon Tae-ho, with "
            "leaking the weights of the company's Gaebi 14B model. Daesan Microsystems, which hired him in "
            "May, denied that it had ever received any files from Sorimbit.")
    ann = annotate_one(text, PUBLISHED)
    assert ("security_incident", "denied") in kinds(ann)
    assert ("denier", "Daesan Microsystems") in roles_of(ann, "security_incident", "denied")


def test_a_state_opposing_all_hacking_reports_no_attack(annotate_one):
    text = ("A spokesperson for the ministry called the report groundless and said Beijing opposes all "
            "hacking.")
    assert "security_incident" not in {t for t, _s in kinds(annotate_one(text, PUBLISHED))}


def test_a_conviction_of_others_does_not_make_a_new_charge_a_fact(annotate_one):
    text = ("Prosecutors charged Milo Varga, a former engineer at Brightfen Robotics, with stealing the "
            "source code of its unreleased grasping model, according to the indictment. In a separate case "
            "last year, a jury convicted Petra Lindqvist of stealing model weights from Ostrell Systems.")
    ann = annotate_one(text, PUBLISHED)
    assert ("security_incident", "alleged") in kinds(ann)
    assert ("security_incident", "asserted") in kinds(ann)


def test_an_unauthorised_party_getting_into_a_repository_is_a_breach(annotate_one):
    text = ("Marrowind disclosed on Tuesday that an unauthorised third party had gained access to an "
            "internal repository holding evaluation code for its next speech model.")
    assert ("security_incident", "asserted") in kinds(annotate_one(text, PUBLISHED))


@pytest.mark.parametrize("text", [
    "Ostrel Labs alleged that Venmark had trained its Lark-3 model using answers of Ostrel's own model.",
    ("Ostrel Labs banned accounts of Venmark, a firm it said had used its models to run spam campaigns "
     "and to collect ChatGPT answers for training a rival chatbot."),
])
def test_training_using_answers_or_collecting_them_for_training_is_distillation(annotate_one, text):
    assert ("distillation_claim", "alleged") in kinds(annotate_one(text, PUBLISHED))


def test_no_lawsuit_filed_is_no_legal_action(annotate_one):
    text = ("Venmark's chief executive said the company would answer in court if needed, but no lawsuit "
            "has been filed so far.")
    assert "legal_action" not in {t for t, _s in kinds(annotate_one(text, PUBLISHED))}


def test_looking_into_whether_a_rival_trained_on_outputs_is_a_claim_but_deciding_whether_is_not(annotate_one):
    text = "In March, Ostrel Labs said it was looking into whether Venmark had trained on its outputs."
    assert ("distillation_claim", "alleged") in kinds(annotate_one(text, PUBLISHED))
    text = "Ostrel Labs said it would decide next year whether to release the model."
    assert kinds(annotate_one(text, PUBLISHED)) == set()


def test_breaking_into_networks_with_a_company_s_own_agent_makes_it_the_victim(annotate_one):
    text = ("Pellan Robotics said a Russia-backed group had used its Wayfarer coding agent to break into the "
            "networks of four shipping companies.")
    ann = annotate_one(text, PUBLISHED)
    assert ("victim", "Pellan Robotics") in roles_of(ann, "security_incident", "alleged")
    text = "Pellan Robotics hopes to break into the European market with a new model."
    assert "security_incident" not in {t for t, _s in kinds(annotate_one(text, PUBLISHED))}


def test_a_definition_of_distillation_tells_no_claim(annotate_one):
    text = ("The practice Ostrel Labs describes, known as distillation, involves training one model on the "
            "outputs of another.")
    assert kinds(annotate_one(text, PUBLISHED)) == set()


def test_what_a_victim_says_a_named_other_did_is_its_claim_but_its_own_loss_is_a_fact(annotate_one):
    text = ("Nebrisk said a former engineer, Tomas Varga, stole source code for its inference scheduler and "
            "sold it to Quillon Systems.")
    ann = annotate_one(text, PUBLISHED)
    assert ("security_incident", "alleged") in kinds(ann)
    roles = roles_of(ann, "security_incident", "alleged")
    assert {("victim", "Nebrisk"), ("perpetrator", "Tomas Varga"),
            ("perpetrator", "Quillon Systems")} <= roles
    text = "Nebrisk said hackers broke into a build server and stole source code for its inference scheduler."
    ann = annotate_one(text, PUBLISHED)
    assert kinds(ann) == {("security_incident", "asserted")}
    assert roles_of(ann, "security_incident", "asserted") == {("victim", "Nebrisk")}
