"""Turn one day's event rows into the digest's content (pure: rows in, model out).

Ranking score of a signal (documented in README "Digest"):
    score = type_weight x best_confidence x (1 + 0.5 x (independent_outlets - 1)) x stance_factor
where independent outlets count outlets of one owner once, and stance_factor is
1.1 when the signal is contested (alleged and denied), else 1.0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from warehouse.digest_queries import EntityCount, EventRow, SourceCount

DEFAULT_TYPE_WEIGHT = 0.5


@dataclass(frozen=True)
class SourceLink:
    source: str
    title: str
    url: str


@dataclass(frozen=True)
class Signal:
    event_type: str
    actors: tuple[str, ...]
    headline: str
    evidence: str
    stance_summary: str
    sources: tuple[SourceLink, ...]
    corroboration: int  # independent outlets
    confidence: float
    score: float


@dataclass(frozen=True)
class Digest:
    day: date
    timezone: str
    top: tuple[Signal, ...]
    more: tuple[Signal, ...]
    events_by_type: tuple[tuple[str, int], ...]
    entities: tuple[EntityCount, ...]
    sources: tuple[SourceCount, ...]
    failing_feeds: tuple[tuple[str, str], ...]  # (feed name, last error)

    @property
    def empty(self) -> bool:
        return not self.top

    @property
    def subject(self) -> str:
        lead = self.top[0].headline if self.top else "no new signals"
        return f"newsignal digest {self.day.isoformat()}: {lead}"


def _stance_summary(rows: Sequence[EventRow]) -> str:
    parts = []
    alleged = [r for r in rows if r.stance == "alleged"]
    denied = [r for r in rows if r.stance == "denied"]
    if alleged:
        parts.append("alleged by " + _join_first_actors(alleged))
    if denied:
        parts.append("denied by " + _join_first_actors(denied))
    if any(r.stance == "asserted" for r in rows):
        parts.append("confirmed" if alleged else "reported as fact")
    return "; ".join(parts)


def _join_first_actors(rows: Sequence[EventRow]) -> str:
    names = list(dict.fromkeys(r.actors[0] for r in rows if r.actors))
    return ", ".join(names) or "unnamed parties"


def group_signals(rows: Sequence[EventRow], weights: Mapping[str, float]) -> list[Signal]:
    """Events of one type that share their initiator (or, failing that, an actor) form one signal."""
    groups: list[list[EventRow]] = []
    index: dict[tuple[str, str], int] = {}
    for r in rows:
        keys = [(r.event_type, a) for a in r.actors] or [(r.event_type, "#" + r.event_id)]
        hit = next((index[k] for k in keys if k in index), None)
        if hit is None:
            hit = len(groups)
            groups.append([])
        groups[hit].append(r)
        for k in keys:
            index.setdefault(k, hit)
    signals = []
    for g in groups:
        best = max(g, key=lambda r: (r.stance != "denied", r.confidence, -len(r.evidence)))
        actors = tuple(dict.fromkeys(a for r in g for a in r.actors))
        sources = tuple(dict.fromkeys(SourceLink(r.source, r.article_title, r.article_url) for r in g))
        independent = len({r.owner or r.source for r in g})
        contested = any(r.stance == "denied" for r in g) and any(r.stance == "alleged" for r in g)
        confidence = max(r.confidence for r in g)
        score = (weights.get(best.event_type, DEFAULT_TYPE_WEIGHT) * confidence
                 * (1 + 0.5 * (independent - 1)) * (1.1 if contested else 1.0))
        signals.append(Signal(
            event_type=best.event_type, actors=actors, headline=best.article_title or best.evidence,
            evidence=best.evidence, stance_summary=_stance_summary(g), sources=sources,
            corroboration=independent, confidence=round(confidence, 2), score=round(score, 3),
        ))
    signals.sort(key=lambda s: (-s.score, s.headline))
    return signals


def build_digest(
    day: date, timezone: str, rows: Sequence[EventRow], weights: Mapping[str, float], *,
    entities: Sequence[EntityCount] = (), sources: Sequence[SourceCount] = (),
    failing_feeds: Sequence[tuple[str, str]] = (), top_n: int = 5,
) -> Digest:
    signals = group_signals(rows, weights)
    by_type: dict[str, int] = defaultdict(int)
    for r in rows:
        by_type[r.event_type] += 1
    return Digest(
        day=day, timezone=timezone, top=tuple(signals[:top_n]), more=tuple(signals[top_n:]),
        events_by_type=tuple(sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))),
        entities=tuple(entities), sources=tuple(sources), failing_feeds=tuple(failing_feeds),
    )
