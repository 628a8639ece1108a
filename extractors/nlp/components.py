"""spaCy registrations (versioned names): config readers and the two newsignal pipeline components.

- ``newsignal.gazetteer.v1`` / ``newsignal.event_rules.v1`` (registry.misc): read config data once per
  directory and process (cached), so several pipelines share one copy.
- ``newsignal_entity_canonicaliser``: doc.ents -> ``doc._.newsignal_mentions`` (canonical MentionSpans).
- ``newsignal_event_matcher``: mentions + parse -> ``doc._.newsignal_events`` (EventCandidates).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry

from extractors.gazetteer import Gazetteer, load_gazetteer
from extractors.taxonomy import EventRules, load_event_rules

from .entities import canonical_mentions
from .events import EventMatcher

MENTIONS_ATTR = "newsignal_mentions"
EVENTS_ATTR = "newsignal_events"

for _attr in (MENTIONS_ATTR, EVENTS_ATTR):
    if not Doc.has_extension(_attr):
        Doc.set_extension(_attr, default=None)


@lru_cache(maxsize=8)
def _gazetteer(config_dir: str) -> Gazetteer:
    return load_gazetteer(Path(config_dir))


@lru_cache(maxsize=8)
def _event_rules(config_dir: str) -> EventRules:
    return load_event_rules(Path(config_dir))


@registry.misc("newsignal.gazetteer.v1")  # type: ignore[untyped-decorator]  # catalogue is untyped
def gazetteer_v1(config_dir: str) -> Gazetteer:
    """The gazetteer read from ``config_dir`` (cached per directory)."""
    return _gazetteer(str(Path(config_dir).resolve()))


@registry.misc("newsignal.event_rules.v1")  # type: ignore[untyped-decorator]  # catalogue is untyped
def event_rules_v1(config_dir: str) -> EventRules:
    """Event taxonomy, trigger patterns and cue words read from ``config_dir`` (cached per directory)."""
    return _event_rules(str(Path(config_dir).resolve()))


class EntityCanonicaliser:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        doc._.set(MENTIONS_ATTR, canonical_mentions(doc, self.gazetteer))
        return doc


class EventMatcherComponent:
    def __init__(self, nlp: Language, rules: EventRules) -> None:
        self.rules = rules
        self.matcher = EventMatcher(nlp.vocab, rules)

    def __call__(self, doc: Doc) -> Doc:
        mentions = doc._.get(MENTIONS_ATTR) or []
        doc._.set(EVENTS_ATTR, self.matcher(doc, mentions))
        return doc


@Language.factory(
    "newsignal_entity_canonicaliser",
    requires=["doc.ents"],
    assigns=[f"doc._.{MENTIONS_ATTR}"],
)
def make_entity_canonicaliser(nlp: Language, name: str, gazetteer: Any) -> EntityCanonicaliser:
    return EntityCanonicaliser(gazetteer)


@Language.factory(
    "newsignal_event_matcher",
    requires=["doc.ents", "token.dep", "token.lemma", f"doc._.{MENTIONS_ATTR}"],
    assigns=[f"doc._.{EVENTS_ATTR}"],
)
def make_event_matcher(nlp: Language, name: str, rules: Any) -> EventMatcherComponent:
    return EventMatcherComponent(nlp, rules)
