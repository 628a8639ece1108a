"""The evaluation metric, and the quality floors reached on the labeled corpora."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from extractors.evaluation import GoldArticle, GoldEvent, evaluate, format_report, load_gold, normalise_name

from .conftest import CORPORA_DIR, REPO_ROOT

FLOORS = json.loads((Path(__file__).parent / "eval_floors.json").read_text())
GOLD_SETS = {
    "gold-dev": CORPORA_DIR / "gold-dev" / "articles.jsonl",
    "demo": REPO_ROOT / "flows" / "demo" / "corpus" / "gold.jsonl",
    # Passages written for newsignal and labeled by the guides (events, roles, entities) before the rules
    # were tuned on them; the rules have been tuned on them since. The round's held-out set is bench/heldout/.
    "written": Path(__file__).parent / "fixtures" / "passages.jsonl",
    "written-2": Path(__file__).parent / "fixtures" / "passages_more.jsonl",
    # The first held-out set: measured once (0.857 / 0.781 / 0.896 / 0.778), then read: now tuned on.
    "held-out-1": Path(__file__).parent / "fixtures" / "passages_heldout1.jsonl",
    # The second: measured once (0.870 / 0.827 / 0.937 / 0.850), then read.
    "held-out-2": Path(__file__).parent / "fixtures" / "passages_heldout2.jsonl",
    # The third: measured once (0.920 / 0.888 / 0.933 / 0.860), then read.
    "held-out-3": Path(__file__).parent / "fixtures" / "passages_heldout3.jsonl",
    # The fourth: measured once (0.906 / 0.867 / 0.929 / 0.846), then read.
    "held-out-4": Path(__file__).parent / "fixtures" / "passages_heldout4.jsonl",
    # The fifth (96 passages): measured once (0.903 / 0.883 / 0.945 / 0.841), then read.
    "held-out-5": Path(__file__).parent / "fixtures" / "passages_heldout5.jsonl",
    # The sixth (96): measured once at the end (0.928 / 0.906 / 0.931 / 0.864); floors pin what it reached.
    "held-out-6": Path(__file__).parent / "fixtures" / "passages_heldout6.jsonl",
}


def test_names_compare_case_and_punctuation_insensitively():
    assert normalise_name("U.S. Attorney’s Office") == normalise_name("us attorney's office")
    assert normalise_name("GPT-4") != normalise_name("GPT-4o")


def test_load_gold_reads_fields(tmp_path):
    path = tmp_path / "gold.jsonl"
    rec = {
        "id": "t-1", "text": "x", "published": "2025-01-02",
        "events": [{"type": "pricing", "stance": "asserted", "actors": ["DeepSeek"], "salience": "main"}],
        "entities": {"ORG": ["DeepSeek"], "PERSON": [], "GPE": [], "MODEL": []},
    }
    path.write_text(json.dumps(rec) + "\n\n")
    [article] = load_gold(path)
    assert article.published == date(2025, 1, 2)
    assert article.events == (GoldEvent("pricing", "asserted", ("DeepSeek",), "main"),)
    assert article.entities["ORG"] == ("DeepSeek",)


def test_load_gold_rejects_bad_records(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "x"}\n')
    with pytest.raises(ValueError, match=r"gold\.jsonl:1"):
        load_gold(path)


def test_evaluate_scores_types_stances_and_entities(nlp):
    gold = [
        GoldArticle(
            id="a", text="OpenAI accused DeepSeek of distilling its models.", published=None,
            events=(GoldEvent("distillation_claim", "asserted"), GoldEvent("pricing", "asserted")),
            entities={"ORG": ("OpenAI", "deepseek"), "PERSON": ("Sam Altman",), "GPE": (), "MODEL": ()},
        )
    ]
    report = evaluate(nlp, gold)
    assert (report.event_micro.tp, report.event_micro.fp, report.event_micro.fn) == (1, 0, 1)
    assert report.stance_matched == 1 and report.stance_correct == 0  # predicted alleged, gold asserted
    assert report.entity_labels["ORG"].f1 == 1.0
    assert report.entity_labels["PERSON"].fn == 1
    text = format_report(report)
    assert "micro" in text and "stance accuracy" in text and "missed events: pricing" in text


def test_evaluate_scores_actors_initiators_and_the_stance_confusion(nlp):
    text = ("OpenAI accused DeepSeek of distilling its models, lawyer Dana Reyes said in Washington. "
            "DeepSeek rejected the accusation.")
    roles_alleged = (("claimant", ("OpenAI",)), ("accused", ("DeepSeek",)), ("source", ("OpenAI",)))
    gold = [
        GoldArticle(
            id="a", text=text, published=None,
            events=(GoldEvent("distillation_claim", "alleged", ("OpenAI", "DeepSeek"), "main", roles_alleged),
                    GoldEvent("distillation_claim", "denied", ("DeepSeek",), "main",
                              (("denier", ("DeepSeek",)), ("accused", ("DeepSeek",)))),
                    GoldEvent("pricing", "asserted", ("OpenAI",))),
            entities={"ORG": ("OpenAI", "DeepSeek"), "PERSON": ("Dana Reyes",), "GPE": ("Washington",),
                      "MODEL": ()},
        )
    ]
    report = evaluate(nlp, gold)
    # Actors per (passage, type) found in both: the lawyer and the city where she spoke are no actors.
    assert (report.actors_micro.tp, report.actors_micro.fp, report.actors_micro.fn) == (2, 0, 0)
    # Initiators: OpenAI claims, DeepSeek denies.
    assert (report.initiator_correct, report.initiator_matched) == (2, 2)
    # (type, stance) pairs: both distillation records found, pricing missed.
    pairs = report.type_stance_micro
    assert (pairs.tp, pairs.fp, pairs.fn) == (2, 0, 1)
    assert report.stance_confusion == {("alleged", "alleged"): 1, ("denied", "denied"): 1}
    out = format_report(report)
    assert "initiator accuracy: 1.000 (2/2)" in out and "stance confusion" in out


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(GOLD_SETS))
def test_quality_floor(nlp, name):
    path = GOLD_SETS[name]
    if not path.exists():
        pytest.skip(f"{path} is absent (needs ../shared/corpora beside the repo, or the demo corpus)")
    report = evaluate(nlp, load_gold(path))
    floors = FLOORS[name]
    reached = {
        "event_micro_f1": report.event_micro.f1,
        "type_stance_f1": report.type_stance_micro.f1,
        "actor_f1": report.actors_micro.f1,
        "initiator_accuracy": report.initiator_accuracy,
        "stance_accuracy": report.stance_accuracy,
        "entity_micro_f1": report.entity_micro.f1,
        **{f"entity_{lab}_f1": prf.f1 for lab, prf in report.entity_labels.items()},
    }
    below = {k: (round(reached[k], 3), v) for k, v in floors.items() if reached[k] + 1e-9 < v}
    assert not below, f"below floor (reached, floor): {below}\n{format_report(report)}"
