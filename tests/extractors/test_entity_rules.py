"""Entity rules that generalise: model-name shapes and context, span boundaries, labels from context.

Every sentence here is invented: names that no gazetteer lists, so only the rule can get them right.
"""

from __future__ import annotations


def names(ann, label):
    return {m.name for m in ann.mentions if m.label == label}


def test_a_name_glued_to_a_code_is_one_model_not_an_org_and_an_alias(annotate_one):
    ann = annotate_one(
        "Brightvale said Halvard Intelligence trained its Halvard-R1 reasoning model on copied outputs. "
        "Developers downloaded the smaller Halvard-R1-Lite-9B within hours, and the Sorrel-Q coding model "
        "followed. Quillon AI's Quillon-Code 2 was released in May."
    )
    assert {"Halvard-R1", "Halvard-R1-Lite-9B", "Sorrel-Q", "Quillon-Code 2"} <= names(ann, "MODEL")
    assert "DeepSeek-R1" not in names(ann, "MODEL")
    assert not {n for n in names(ann, "ORG") if n.endswith("-") or n == "Halvard"}


def test_a_bare_code_alias_is_the_passages_own_model(annotate_one):
    ann = annotate_one(
        "Calder Intelligence released Calder-R2 on Tuesday. According to Calder, the R2 model scored close "
        "to leading American models on mathematics."
    )
    assert names(ann, "MODEL") == {"Calder-R2"}


def test_a_name_before_a_version_number_is_a_model(annotate_one):
    ann = annotate_one(
        "Velltrix AI made Corvina 3.2 and Corvina 3.2 Mini generally available on Tuesday. "
        "Ostrava Labs answered with Pelion 2 Pro, and Mistral AI shipped Magistral Medium 1.4. "
        "Velltrix AI employs 2 400 people and raised 3 billion euros in 2024."
    )
    assert {"Corvina 3.2", "Corvina 3.2 Mini", "Pelion 2 Pro", "Magistral Medium 1.4"} <= names(ann, "MODEL")
    assert not {n for n in names(ann, "MODEL") if "Velltrix" in n or "Ostrava" in n}


def test_model_nouns_after_modifiers_appositions_and_quoted_names_make_models(annotate_one):
    ann = annotate_one(
        "Regulators ordered Hollin Labs to stop processing data through its Marvella companion chatbot. "
        "Tessaly, a voice assistant for drivers, was pulled from stores. The agency also suspended new "
        "downloads of the chatbot app 'Quenby' and examined a model code-named \"Larkspur\"."
    )
    assert {"Marvella", "Tessaly", "Quenby", "Larkspur"} <= names(ann, "MODEL")
    assert not {"Marvella", "Tessaly", "Quenby", "Larkspur"} & (names(ann, "ORG") | names(ann, "PERSON"))


def test_a_name_read_as_a_model_once_is_a_model_everywhere_in_the_passage(annotate_one):
    ann = annotate_one(
        "Ardent Labs, the maker of the Penrith writing assistant, confirmed the leak on Monday. "
        "Penrith had about 9 million monthly users in April. "
        "Ardent Labs plans a new version of Penrith next year."
    )
    assert "Penrith" in names(ann, "MODEL")
    assert "Penrith" not in names(ann, "ORG") | names(ann, "PERSON") | names(ann, "GPE")


def test_a_product_tier_at_the_end_of_an_unknown_name_makes_a_model(annotate_one):
    ann = annotate_one(
        "The lawsuit says Mirabel Health marketed its AI symptom checker, Vellacare Assist, as clinically "
        "validated, and that Vellacare Assist gave unsafe advice."
    )
    assert "Vellacare Assist" in names(ann, "MODEL")
    assert "Mirabel Health" in names(ann, "ORG")


def test_versions_and_tiers_outside_ai_sentences_are_no_models(annotate_one):
    ann = annotate_one(
        "Save $30 on a Nintendo Switch Lite this week. Rockledge beat Palm Bay: Tolliver Grant 25 points, "
        "Baker 6 points. Switzerland beat Gibraltar 6-0, and the showroom at Corso Monforte 15 reopened."
    )
    assert names(ann, "MODEL") == set()


def test_names_stop_at_line_breaks_dashes_and_trailing_function_words(annotate_one):
    ann = annotate_one(
        "Ministry of Ports and Shipping — Press Release\n\nThe ministry tightened rules. "
        "The listed companies are Qorvane Intelligence of Shenzhen and Harlow Data.\n\n"
        "About Fennick Robotics\nFounded in 2021, Fennick Robotics builds warehouse robots."
    )
    orgs = names(ann, "ORG")
    assert {"Ministry of Ports and Shipping", "Qorvane Intelligence", "Fennick Robotics"} <= orgs
    assert not {n for n in orgs if "Press Release" in n or n.endswith(" of") or "Founded" in n}


def test_institution_names_continue_over_of_and_and(annotate_one):
    ann = annotate_one(
        "\"The weights are the product,\" said Helena Marsh, who teaches law at the University of Tartu. "
        "According to officials from Ministry of Transport and Digital Affairs, the plan covers five "
        "sectors. The case was filed in the Ontario Superior Court of Justice."
    )
    orgs = names(ann, "ORG")
    assert {"University of Tartu", "Ministry of Transport and Digital Affairs",
            "Ontario Superior Court of Justice"} <= orgs
    assert not {"University of", "Ministry of Transport", "Digital Affairs"} & orgs


def test_a_court_named_after_its_city_is_one_organisation(annotate_one):
    ann = annotate_one(
        "Korvel AI sued Marden Compute in the Munich Regional Court on Monday. Separately, Linyu Voice was "
        "sued in the Ningbo Intermediate People's Court."
    )
    assert {"Munich Regional Court", "Ningbo Intermediate People's Court"} <= names(ann, "ORG")


def test_a_job_title_before_a_name_makes_a_person(annotate_one):
    ann = annotate_one(
        "The licence was granted last month, company CEO Nguyen Van Hieu confirmed. "
        "Brisk Labs CEO Mariko Sato apologised at a press conference. "
        "Trade lawyer Anong Srisuk said exporters must check their customers."
    )
    people = names(ann, "PERSON")
    assert {"Nguyen Van Hieu", "Mariko Sato", "Anong Srisuk"} <= people
    assert not {n for n in names(ann, "ORG") if "CEO" in n or n in people}


def test_an_apposition_says_person_or_organisation_for_the_whole_passage(annotate_one):
    ann = annotate_one(
        "\"Inference is getting cheap,\" said Marieke van Aalst, an infrastructure analyst at Polder Street "
        "Research. OpenAI banned accounts run by Ferrow Insights, a Lagos-based marketing firm. "
        "Ferrow Insights could not be reached. Cadmus Mind, the Canadian AI lab, said Cadmus Mind's "
        "co-founder would testify."
    )
    assert "Marieke van Aalst" in names(ann, "PERSON")
    assert {"Ferrow Insights", "Cadmus Mind"} <= names(ann, "ORG")
    assert not {"Marieke van Aalst"} & names(ann, "ORG")
    assert not {"Ferrow Insights", "Cadmus Mind"} & names(ann, "PERSON")


def test_datelines_and_places_after_in_are_places(annotate_one):
    ann = annotate_one(
        "DRAMMEN, Norway — Tessvik Compute will build two data centres, in Skien and Larvik, by 2027.\n\n"
        "KRISTIANSUND — Tessvik Compute also bought a stake in Nordvik."
    )
    assert {"Drammen", "Skien", "Larvik", "Kristiansund"} <= names(ann, "GPE")
    assert not {"Skien", "Larvik"} & names(ann, "ORG")


def test_a_model_familys_word_alone_is_the_family(annotate_one):
    ann = annotate_one(
        "Merrow Data used copied answers to train its Tolvik-34B model. \"Tolvik was trained on our own "
        "data,\" the company said."
    )
    assert {"Tolvik-34B", "Tolvik"} <= names(ann, "MODEL")
    assert "Tolvik" not in names(ann, "ORG") | names(ann, "PERSON")


def test_organisations_ner_misses_or_takes_for_a_building(annotate_one):
    ann = annotate_one(
        "On Monday, two actors sued Quellix AI, the Ottawa-based start-up behind a speech model. "
        "The first sign of trouble at Darrow AI was a billing anomaly. "
        "Existing investors Creandum and Brightfen Capital joined the round, and analysts of Tonghai "
        "Securities expect more deals."
    )
    assert {"Quellix AI", "Darrow AI", "Brightfen Capital", "Tonghai Securities"} <= names(ann, "ORG")


def test_a_first_word_left_out_of_a_name_belongs_to_it(annotate_one):
    ann = annotate_one(
        "Kestrel Intelligence, a Toronto company, sued him in October. "
        "A group of songwriters led by Dolores Vance filed a lawsuit. "
        "Its chief executive, Nurul Aina Zakaria, said the company would grow. "
        "Chief Technology Officer Jonas Albrecht and Attorney General Marcus Bell spoke."
    )
    people = names(ann, "PERSON")
    assert "Kestrel Intelligence" in names(ann, "ORG")
    assert {"Dolores Vance", "Nurul Aina Zakaria", "Jonas Albrecht", "Marcus Bell"} <= people
    assert not {"JD Vance", "Officer Jonas Albrecht", "General Marcus Bell"} & people


def test_a_capitalised_job_title_after_a_name_makes_a_person(annotate_one):
    ann = annotate_one(
        "The state sued Mirabel Health on Tuesday. The Department runs a hotline.\n\n"
        "Media contact: Brenna Solis, Communications Director"
    )
    assert "Brenna Solis" in names(ann, "PERSON")
    assert "Brenna Solis" not in names(ann, "ORG")


def test_an_internal_team_is_no_organisation(annotate_one):
    ann = annotate_one(
        "\"It was a curriculum,\" wrote Priya Natarajan, who leads Vellum's Threat Analysis group. "
        "There is a Preparedness team here and a Responsible Scaling office there."
    )
    assert not {"Threat Analysis", "Preparedness", "Responsible Scaling"} & names(ann, "ORG")


def test_a_states_own_institution_is_not_the_federal_one(annotate_one):
    ann = annotate_one(
        "SALEM, Ore. — The Oregon Department of Justice today sued Mirabel Health, which sells its app "
        "to Oregon consumers."
    )
    assert "Oregon Department of Justice" in names(ann, "ORG")
    assert "Department of Justice" not in names(ann, "ORG")
    assert names(ann, "GPE") == {"Salem", "Oregon"}


def test_a_place_that_starts_an_organisations_name_is_that_organisation(annotate_one):
    ann = annotate_one(
        "The listed companies are Harbin Yuntu Computing and Greyfen Security. "
        "Harbin Yuntu did not respond, said Oren Malka, Greyfen's head of research."
    )
    assert {"Harbin Yuntu Computing", "Greyfen Security"} <= names(ann, "ORG")
    assert not {"Harbin", "Greyfen"} & names(ann, "GPE")


def test_names_set_off_after_a_noun_phrase_are_what_the_noun_says(annotate_one):
    ann = annotate_one(
        "The regulator named two services. The apps, Lanternfly and Quiet Harbour, let users chat with "
        "virtual characters. Its chief executive, Sefa Okonkwo-Brandt, told staff the company had "
        "cooperated."
    )
    assert {"Lanternfly", "Quiet Harbour"} <= names(ann, "MODEL")
    assert "Sefa Okonkwo-Brandt" in names(ann, "PERSON")
    assert not {"Lanternfly", "Quiet Harbour", "Sefa Okonkwo-Brandt"} & names(ann, "ORG")


def test_place_based_names_and_units_of_known_companies_are_organisations(annotate_one):
    ann = annotate_one(
        "OpenAI revoked API access for Shanghai-based Hexin Zhisuan on Thursday. Hexin Zhisuan rejected "
        "the accusation. Nvidia and Adobe invested alongside existing backers Sequoia and Salesforce "
        "Ventures."
    )
    orgs = names(ann, "ORG")
    assert {"Hexin Zhisuan", "Salesforce Ventures"} <= orgs
    assert "Salesforce" not in orgs and "Hexin Zhisuan" not in names(ann, "PERSON")


def test_version_codes_code_names_and_models_taken_for_laws(annotate_one):
    ann = annotate_one(
        "Tencent released Hunyuan T2, a reasoning model. The engineer copied schedules for Ondine's "
        "unreleased Ondine 4 model, and the files mention a system referred to by the code name Sparrowhawk. "
        "Article 5 of the law applies, and a startup called Tokenwise named Dana Reyes its chief."
    )
    models = names(ann, "MODEL")
    assert {"Hunyuan T2", "Ondine 4", "Sparrowhawk"} <= models
    assert not {"Article 5", "Tokenwise", "Dana Reyes"} & models


def test_the_last_noun_heads_an_apposition(annotate_one):
    ann = annotate_one(
        "The fair hosts the Harrow Valley Medal Final, a family fun day with pony rides. "
        "\"The rule is clear,\" said Laurel Ashdown-Pike, a former deputy assistant secretary of state."
    )
    assert names(ann, "MODEL") == set()
    assert "Laurel Ashdown-Pike" in names(ann, "PERSON")


def test_an_organisation_noun_before_called_names_an_organisation(annotate_one):
    ann = annotate_one(
        "In March a startup called Tokenwise raised $12 million, and a lab named Quillmark followed."
    )
    assert {"Tokenwise", "Quillmark"} <= names(ann, "ORG")
    assert not {"Tokenwise", "Quillmark"} & names(ann, "GPE")


def test_a_bare_code_after_a_name_of_its_own_is_that_name_s_version(annotate_one):
    ann = annotate_one(
        "Koru Dynamics cut the price of its flagship reasoning model Skiff R2 by 60%. "
        "Analysts compared it with DeepSeek's R1."
    )
    assert "Skiff R2" in names(ann, "MODEL")
    assert "DeepSeek-R2" not in names(ann, "MODEL")
    assert "DeepSeek-R1" in names(ann, "MODEL")


def test_a_hyphenated_company_noun_in_an_apposition_makes_an_organisation(annotate_one):
    ann = annotate_one(
        "Brightmoor AI said that Tessaly Mind, a Toronto start-up, had used reseller accounts. "
        "Aleph Alpha and Rennhof Energie, a utility based in Cologne, signed an agreement."
    )
    assert {"Tessaly Mind", "Rennhof Energie"} <= names(ann, "ORG")
    assert not {"Tessaly Mind", "Rennhof Energie"} & names(ann, "PERSON")


def test_a_company_noun_before_a_name_makes_it_an_organisation(annotate_one):
    ann = annotate_one("said Hugo Lemaire, a partner at the consultancy Ostrevan Advisory in Lyon.")
    assert "Ostrevan Advisory" in names(ann, "ORG")
    assert "Hugo Lemaire" in names(ann, "PERSON")


def test_a_company_word_ending_a_name_makes_an_organisation(annotate_one):
    ann = annotate_one("Stellmark Works raised $25 million last year in a round led by Greyfield Capital.")
    assert "Stellmark Works" in names(ann, "ORG")


def test_a_capital_the_inside_a_sentence_belongs_to_the_name(annotate_one):
    ann = annotate_one("An investigation published on Monday by The Harbor Dispatch found the same phrasing.")
    assert "The Harbor Dispatch" in names(ann, "ORG")


def test_a_known_family_s_tier_after_a_name_of_its_own_is_that_name_s_model(annotate_one):
    ann = annotate_one("Halvard AI released Pellan Opus 5 on Friday. Anthropic answered with Opus 5.")
    assert "Pellan Opus 5" in names(ann, "MODEL")
    assert "Claude Opus 5" in names(ann, "MODEL")


def test_a_version_after_a_tier_and_a_tier_after_a_misread_name_stay_in_the_model_name(annotate_one):
    ann = annotate_one("Mistral AI released Magistral Pro 1.2 on Monday. Corvane trained Orrin 3.5 Turbo on "
                       "licensed data.")
    assert {"Magistral Pro 1.2", "Orrin 3.5 Turbo"} <= names(ann, "MODEL")
