"""Stream article texts through the pipeline and turn each Doc into one ``Annotation`` record."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import cast

from spacy.language import Language
from spacy.tokens import Doc

from extractors.models import Annotation, Event, Evidence, Mention, RoleFiller, Stance

from .article_context import EventCandidate
from .components import EVENTS_ATTR, MENTIONS_ATTR, EventMatcherComponent
from .dates import resolve_date
from .role_reading import PARTY_LABELS

# Bump the minor part whenever rules, patterns or the gazetteer change what is extracted.
# (config/event_types.toml carries the same string; the config value wins when present.)
EXTRACTOR_VERSION = "rules-2026.12.3"
_MERGE_BONUS_PER_EVIDENCE = 0.05
_MAX_MERGE_BONUS = 0.15


def _matcher(nlp: Language) -> EventMatcherComponent:
    return cast(EventMatcherComponent, nlp.get_pipe("newsignal_event_matcher"))


def _rules_version(nlp: Language) -> str:
    if "newsignal_event_matcher" in nlp.pipe_names:
        return _matcher(nlp).rules.extractor_version
    return EXTRACTOR_VERSION


def _mentions(doc: Doc) -> tuple[Mention, ...]:
    return tuple(
        Mention(label=m.label, name=m.name, text=m.text, start=m.start_char, end=m.end_char, known=m.known)
        for m in doc._.get(MENTIONS_ATTR) or ()
    )


def _article_stances(
    cands: list[EventCandidate], prefer_alleged: frozenset[str], apart: list[EventCandidate],
) -> dict[str, Stance]:
    """One non-denied stance per type and article (the labelling guide keeps one record per type/stance).

    A verdict wins (asserted); for claim-like types any alleged instance wins; otherwise the stance with
    the larger summed confidence.
    """
    out: dict[str, Stance] = {}
    for etype in {c.event_type for c in cands}:
        group = [c for c in cands if c.event_type == etype and c.stance != "denied"
                 and not any(c is v for v in apart)]
        if not group:
            continue
        if any(c.verdict for c in group):
            out[etype] = "asserted"
        elif etype in prefer_alleged and any(c.stance == "alleged" for c in group):
            out[etype] = "alleged"
        else:
            score: dict[Stance, float] = {}
            for c in group:
                score[c.stance] = score.get(c.stance, 0.0) + c.confidence
            out[etype] = max(score, key=lambda s: score[s])
    return out


def _separate_verdicts(cands: list[EventCandidate]) -> list[EventCandidate]:
    """Verdicts about other parties than the rest of their type: "a jury convicted X of stealing ... last
    year" beside "Y is charged with stealing ...". Each is a happening of its own, told as a fact, and
    does not make the charges against Y a fact."""
    out = []
    for v in cands:
        if not v.verdict or not v.actors:
            continue
        rest = [c for c in cands if c.event_type == v.event_type and c.stance != "denied" and not c.verdict]
        if rest and not any(set(v.actors) & set(c.actors) for c in rest):
            out.append(v)
    return out


def _event_date(c: EventCandidate, published: date | None) -> date:
    """Explicit date in the sentence (resolved against ``published``), else ``published``, else today."""
    if c.date_phrase:
        resolved = resolve_date(c.date_phrase, published, future=c.future)
        if resolved is not None:
            return resolved
    return published if published is not None else date.today()


def merge_candidates(
    cands: list[EventCandidate], published: date | None, version: str,
    prefer_alleged: frozenset[str] = frozenset(), first_roles: Mapping[str, str] | None = None,
) -> tuple[Event, ...]:
    """Merge sentence-level candidates into per-article events.

    Candidates of the same (type, stance) merge when one actor set contains the other (the guide's "same
    event"; an empty set is contained in every set); evidence is ordered best first.
    """
    apart = _separate_verdicts(cands)
    stances = _article_stances(cands, prefer_alleged, apart)
    groups: list[list[EventCandidate]] = []
    for c in sorted(cands, key=lambda c: -c.confidence):
        kept = c.stance == "denied" or any(c is v for v in apart)
        stance = c.stance if kept else stances[c.event_type]
        c = _with_stance(c, stance)
        for group in groups:
            head = group[0]
            a, b = set(head.actors), set(c.actors)
            same = head.event_type == c.event_type and head.stance == c.stance
            if same and (a <= b or b <= a or _union_actors(group) >= b):
                group.append(c)
                break
        else:
            groups.append([c])
    events = []
    for group in groups:
        best = group[0]
        evidence = tuple(
            dict.fromkeys(Evidence(sentence=c.sentence, start=c.start, end=c.end) for c in group)
        )
        bonus = min(_MAX_MERGE_BONUS, _MERGE_BONUS_PER_EVIDENCE * (len(evidence) - 1))
        initiator = _initiator(group, (first_roles or {}).get(best.event_type))
        actors = _ordered_actors(group)
        if initiator in actors:  # the initiator first, as everywhere actors are listed
            actors = [initiator, *(a for a in actors if a != initiator)]
        events.append(
            Event(
                event_type=best.event_type,
                stance=best.stance,
                actors=tuple(actors),
                evidence=evidence,
                event_date=_event_date(best, published),
                confidence=round(min(0.99, best.confidence + bonus), 3),
                extractor_version=version,
                roles=tuple(dict.fromkeys(
                    RoleFiller(r, n, label) for c in group for r, n, label in c.roles.fillers)),
                initiator=initiator,
                targets=tuple(dict.fromkeys(n for c in group for n in c.targets)),
            )
        )
    events.sort(key=lambda e: min(ev.start for ev in e.evidence))
    return tuple(events)


def _initiator(group: list[EventCandidate], first_role: str | None) -> str | None:
    """Who acts: the subject or agent the parse gave, else the named party holding the type's first role
    ("..., the U.S. Attorney's Office said" brings the charge though it is no subject of "charged")."""
    said = next((c.roles.initiator for c in group if c.roles.initiator), None)
    if said is not None or first_role is None or group[0].stance == "denied":
        return said
    return next((n for c in group for r, n, label in c.roles.fillers
                 if r == first_role and label in PARTY_LABELS), None)


def _with_stance(c: EventCandidate, stance: Stance) -> EventCandidate:
    if c.stance == stance:
        return c
    from dataclasses import replace

    return replace(c, stance=stance)


def _union_actors(group: list[EventCandidate]) -> set[str]:
    return {a for c in group for a in c.actors}


def _ordered_actors(group: list[EventCandidate]) -> list[str]:
    # Initiator of the best evidence first, then every other party in order of appearance in the group.
    return list(dict.fromkeys(a for c in group for a in c.actors))


def annotate(
    nlp: Language, items: Iterable[tuple[str, date | None]], *, batch_size: int = 32
) -> Iterator[Annotation]:
    """One ``Annotation`` per ``(text, published)`` item, in input order, streamed batch by batch.

    ``nlp`` comes from ``load_pipeline``. ``nlp.pipe`` processes ``batch_size`` texts at a time and each
    Doc is converted and dropped before the next is read, so memory stays at one batch of Docs.
    Event dates: an explicit date in the event's sentence ("on Thursday", "June 8", "last month") resolved
    against ``published``; else ``published``; else -- only when the article has no publication date and
    the sentence names no absolute date -- ``date.today()`` (the caller should pass ``published`` to keep
    results reproducible).
    """
    version = _rules_version(nlp)
    prefer_alleged: frozenset[str] = frozenset()
    first_roles: dict[str, str] = {}
    if "newsignal_event_matcher" in nlp.pipe_names:
        rules = _matcher(nlp).rules
        prefer_alleged = frozenset(n for n, spec in rules.types.items() if spec.prefer_alleged)
        first_roles = {n: spec.initiator_role for n, spec in rules.types.items()}
    for doc, published in nlp.pipe(((text or "", pub) for text, pub in items), as_tuples=True,
                                   batch_size=batch_size):
        cands = list(doc._.get(EVENTS_ATTR) or ())
        warnings = () if doc.text.strip() else ("empty text",)
        yield Annotation(
            mentions=_mentions(doc),
            events=merge_candidates(cands, published, version, prefer_alleged, first_roles),
            extractor_version=version,
            warnings=warnings,
        )
