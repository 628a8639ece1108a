"""Event taxonomy, trigger patterns and stance/non-event cue lexicons, read from config data.

``config/event_types.toml`` defines the types, their argument rules and the cue word lists;
``config/event_patterns.jsonl`` holds the spaCy Matcher token patterns (and DependencyMatcher parse patterns,
``dep_pattern``) that trigger each type.
Everything is validated here once, so the matcher component can trust what it gets.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from extractors.models import EVENT_TYPES, STANCES, Stance

KNOWN_REQUIREMENTS = frozenset(
    {"actor", "org_or_person_actor", "government_actor", "two_orgs", "money_or_percent", "model_object",
     "initiator"}
)


# The roles of a denial row when config names none ([roles] denial): who denies, and whom the claim is about.
DENIAL_ROLES = ("denier", "accused")


@dataclass(frozen=True)
class EventTypeSpec:
    name: str
    description: str
    weight: float
    default_stance: Stance
    fixed_stance: bool = False
    prefer_alleged: bool = False
    # True: a doer described by an attribution ("a group linked to Russia", "hackers believed to be ...")
    # makes the event a claim about who did it, not a reported fact.
    attribution_is_alleged: bool = False
    # Verbs that state a standing fact ("Google charges $2 per million tokens"): in the present tense, with
    # nothing new about it (no date, "new", "now", "will", "from"), a quoted comparison, not an event.
    standing_verbs: frozenset[str] = frozenset()
    requires: frozenset[str] = frozenset()
    allow_without_actor: bool = False
    reroute_if_government: str | None = None
    suppressed_by: frozenset[str] = frozenset()
    blocked_preps: frozenset[str] = frozenset()
    blocked_lemmas: frozenset[str] = frozenset()
    blocked_phrases: tuple[str, ...] = ()
    block_attributes: bool = False
    generic_plural_is_background: bool = False
    object_nouns: frozenset[str] = frozenset()
    background_governors: frozenset[str] = frozenset()  # lemmas above the trigger that make it background
    blocked_subjects: frozenset[str] = frozenset()  # "its terms bar customers from ...": a standing rule
    blocked_objects: frozenset[str] = frozenset()  # "announced a partnership": the verb announces another act
    block_adjective_triggers: bool = False  # "open-source models": an adjective is an attribute
    excluded_initiator_kinds: frozenset[str] = frozenset()  # a court ordering something is no regulator
    suppressed_by_trigger: frozenset[str] = frozenset()  # any trigger of these types in the sentence
    roles: tuple[str, ...] = ()  # who plays which part; the first is the initiator
    object_roles: frozenset[str] = frozenset()  # roles holding things (models, items), never parties
    subject_roles: dict[str, str] = field(default_factory=dict)  # trigger lemma -> the role its subject plays
    prep_roles: dict[str, str] = field(default_factory=dict)  # preposition -> the role of a party under it
    passive_subject_role: str | None = None  # the role of a passive subject with no agent ("X was valued")
    staff_employer_role: str | None = None  # the role of the employer of "a former Meta engineer"
    announced_by_government: bool = False  # a state body saying so acts ("..., its ministry said")
    target_role: str = ""  # who or what the event is done to or about
    refers_back: frozenset[str] = frozenset()  # definite nouns that point back at the article's event
    continued_by: frozenset[str] = frozenset()  # verbs that with "also" add parties to that event
    initiator_labels: frozenset[str] = frozenset({"ORG", "PERSON", "GPE"})  # who may hold the first role
    deniable: bool = True  # False for official acts (a rule, a filed suit): contested, never denied
    jurisdiction: bool = False  # a place possessing the initiator acts with it ("Spain's AESIA")
    party_place_preps: frozenset[str] = frozenset()  # places under these are parties ("users in Russia")
    places_from_sentence: bool = True  # a place outside the trigger's arguments may be a party
    conduct_subject_role: str | None = None  # the role of who does what the trigger says ("distilled")
    sponsor_role: str | None = None  # the role of who stands behind a party ("China-backed hackers")
    # The role of the country of whoever the act benefits ("stole designs for a start-up in China").
    beneficiary_role: str | None = None
    # True: who confirms or discloses it ("X confirmed that a database had been left open") holds the first
    # role (a breach's victim owning up)
    admitted_by_first_role: bool = False
    headlines: tuple[str, ...] = ()  # the digest's headline forms ({initiator}, {targets}), tried in order
    headlines_alleged: tuple[str, ...] = ()  # the same for a claim (alleged, contested)

    @property
    def initiator_role(self) -> str:
        return self.roles[0]

    @property
    def party_roles(self) -> tuple[str, ...]:
        return tuple(r for r in self.roles if r not in self.object_roles)


@dataclass(frozen=True)
class TriggerPattern:
    pattern_id: str
    event_type: str
    strength: float
    pattern: tuple[dict[str, Any], ...]
    # True: ``pattern`` is a spaCy DependencyMatcher pattern (its first node is the trigger), which finds a
    # construction whatever the words between its parts ("trained its new model on outputs harvested ...").
    on_parse: bool = False
    standalone: bool = False  # satisfies "money_or_percent" by itself ("funding round", "free tier")
    # True: the construction only ever denies a claim of its type, negated by the accused ("had not used
    # OpenAI outputs"); said plainly it is no event ("used open data").
    denial_only: bool = False
    object_labels: frozenset[str] = frozenset()  # with object_nouns: what the trigger's arguments must hold
    object_nouns: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EventRules:
    """Everything the event matcher reads from config."""

    extractor_version: str
    types: dict[str, EventTypeSpec]
    patterns: tuple[TriggerPattern, ...]
    cues: dict[str, frozenset[str]] = field(default_factory=dict)
    # A denied record's roles: who rejects the claim, and whom the claim is about.
    denial_roles: tuple[str, ...] = DENIAL_ROLES

    def roles_of(self, event_type: str, stance: str) -> tuple[str, ...]:
        """The roles a record of this type and stance has (a denial has the denial roles)."""
        return self.denial_roles if stance == "denied" else self.types[event_type].roles

    def cue(self, name: str) -> frozenset[str]:
        return self.cues.get(name, frozenset())


def _cue_sets(doc: dict[str, Any]) -> dict[str, frozenset[str]]:
    cues: dict[str, frozenset[str]] = {}
    for section in ("stance", "non_event"):
        for key, words in doc.get(section, {}).items():
            cues[key] = frozenset(w.lower() for w in words)
    return cues


_HEADLINE_FIELDS = frozenset({"initiator", "targets", "whose"})


def _headline_forms(name: str, forms: Any) -> tuple[str, ...]:
    out = tuple(str(f) for f in forms)
    for form in out:
        unknown = set(re.findall(r"{(\w+)}", form)) - _HEADLINE_FIELDS
        if unknown:
            raise ValueError(f"event type {name!r}: headline {form!r} uses unknown fields {sorted(unknown)}; "
                             f"use {{initiator}} and {{targets}}")
    return out


def _type_spec(raw: dict[str, Any]) -> EventTypeSpec:
    name = raw["name"]
    if name not in EVENT_TYPES:
        raise ValueError(f"event type {name!r} is not one of {EVENT_TYPES}")
    requires = frozenset(raw.get("requires", ()))
    unknown = requires - KNOWN_REQUIREMENTS
    if unknown:
        raise ValueError(f"event type {name!r}: unknown requirements {sorted(unknown)}")
    if raw.get("default_stance", "asserted") not in STANCES:
        raise ValueError(f"event type {name!r}: bad default_stance")
    roles = tuple(raw.get("roles", ()))
    object_roles = frozenset(raw.get("object_roles", ()))
    if raw.get("target_role", roles[-1] if roles else None) not in roles:
        raise ValueError(f"event type {name!r}: target_role must be one of its roles")
    for key in ("subject_roles", "prep_roles"):
        if not set(raw.get(key, {}).values()) <= set(roles):
            raise ValueError(f"event type {name!r}: {key} must name roles of the type")
    for key in ("staff_employer_role", "passive_subject_role"):
        if raw.get(key, roles[0] if roles else None) not in roles:
            raise ValueError(f"event type {name!r}: {key} must be one of its roles")
    if (not roles or len(set(roles)) != len(roles) or not object_roles <= set(roles)
            or roles[0] in object_roles):
        raise ValueError(f"event type {name!r}: roles must list distinct role names, the initiator first, "
                         f"and object_roles must be some of the others "
                         f"(got {list(roles)}, {sorted(object_roles)})")
    return EventTypeSpec(
        name=name,
        description=" ".join(raw.get("description", "").split()),
        weight=float(raw.get("weight", 0.5)),
        default_stance=cast(Stance, raw.get("default_stance", "asserted")),  # checked above
        fixed_stance=bool(raw.get("fixed_stance", False)),
        prefer_alleged=bool(raw.get("prefer_alleged", False)),
        attribution_is_alleged=bool(raw.get("attribution_is_alleged", False)),
        standing_verbs=frozenset(raw.get("standing_verbs", ())),
        requires=requires,
        allow_without_actor=bool(raw.get("allow_without_actor", False)),
        reroute_if_government=raw.get("reroute_if_government"),
        suppressed_by=frozenset(raw.get("suppressed_by", ())),
        blocked_preps=frozenset(raw.get("blocked_preps", ())),
        blocked_lemmas=frozenset(raw.get("blocked_lemmas", ())),
        blocked_phrases=tuple(p.lower() for p in raw.get("blocked_phrases", ())),
        block_attributes=bool(raw.get("block_attributes", False)),
        generic_plural_is_background=bool(raw.get("generic_plural_is_background", False)),
        object_nouns=frozenset(raw.get("object_nouns", ())),
        background_governors=frozenset(raw.get("background_governors", ())),
        blocked_subjects=frozenset(raw.get("blocked_subjects", ())),
        blocked_objects=frozenset(raw.get("blocked_objects", ())),
        block_adjective_triggers=bool(raw.get("block_adjective_triggers", False)),
        excluded_initiator_kinds=frozenset(raw.get("excluded_initiator_kinds", ())),
        suppressed_by_trigger=frozenset(raw.get("suppressed_by_trigger", ())),
        roles=roles,
        object_roles=object_roles,
        subject_roles=dict(raw.get("subject_roles", {})),
        prep_roles={k.lower(): v for k, v in raw.get("prep_roles", {}).items()},
        staff_employer_role=raw.get("staff_employer_role"),
        passive_subject_role=raw.get("passive_subject_role"),
        announced_by_government=bool(raw.get("announced_by_government", False)),
        target_role=raw.get("target_role", roles[1] if len(roles) > 1 else roles[0]),
        refers_back=frozenset(w.lower() for w in raw.get("refers_back", ())),
        continued_by=frozenset(w.lower() for w in raw.get("continued_by", ())),
        initiator_labels=frozenset(raw.get("initiator_labels", ("ORG", "PERSON", "GPE"))),
        deniable=bool(raw.get("deniable", True)),
        jurisdiction=bool(raw.get("jurisdiction", False)),
        party_place_preps=frozenset(raw.get("party_place_preps", ())),
        beneficiary_role=raw.get("beneficiary_role"),
        admitted_by_first_role=bool(raw.get("admitted_by_first_role", False)),
        places_from_sentence=bool(raw.get("places_from_sentence", True)),
        conduct_subject_role=raw.get("conduct_subject_role"),
        sponsor_role=raw.get("sponsor_role"),
        headlines=_headline_forms(name, raw.get("headline", ())),
        headlines_alleged=_headline_forms(name, raw.get("headline_alleged", ())),
    )


def load_event_rules(config_dir: Path) -> EventRules:
    """Read and validate ``event_types.toml`` and ``event_patterns.jsonl`` under ``config_dir``."""
    with (config_dir / "event_types.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    types = {spec.name: spec for spec in map(_type_spec, doc.get("event_type", ()))}
    for spec in types.values():
        targets = (set(spec.suppressed_by) | set(spec.suppressed_by_trigger)
                   | ({spec.reroute_if_government} - {None}))
        if not targets <= set(types):
            raise ValueError(f"event type {spec.name!r} refers to undefined types {targets - set(types)}")
    patterns = []
    seen: set[str] = set()
    path = config_dir / "event_patterns.jsonl"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        rec = json.loads(line)
        if rec["event_type"] not in types or rec["id"] in seen:
            raise ValueError(f"{path}:{number}: unknown event_type or duplicate id in {rec.get('id')!r}")
        seen.add(rec["id"])
        if ("pattern" in rec) == ("dep_pattern" in rec):
            raise ValueError(f"{path}:{number}: give either 'pattern' (tokens) or 'dep_pattern' (parse), "
                             "not both")
        patterns.append(
            TriggerPattern(
                pattern_id=rec["id"],
                event_type=rec["event_type"],
                strength=float(rec.get("strength", 0.6)),
                pattern=tuple(rec.get("pattern") or rec["dep_pattern"]),
                on_parse="dep_pattern" in rec,
                standalone=bool(rec.get("standalone", False)),
                denial_only=bool(rec.get("denial_only", False)),
                object_labels=frozenset(rec.get("needs_object", {}).get("labels", ())),
                object_nouns=frozenset(rec.get("needs_object", {}).get("nouns", ())),
            )
        )
    return EventRules(
        extractor_version=str(doc.get("extractor_version", "rules-unknown")),
        types=types,
        patterns=tuple(patterns),
        cues=_cue_sets(doc),
        denial_roles=tuple(doc.get("roles", {}).get("denial", DENIAL_ROLES)),
    )
