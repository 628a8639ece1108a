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
        "The lawsuit says Mirabel Health marketed its symptom checker, Vellacare Assist, as clinically "
        "validated, and that Vellacare Assist gave unsafe advice."
    )
    assert "Vellacare Assist" in names(ann, "MODEL")
    assert "Mirabel Health" in names(ann, "ORG")


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
