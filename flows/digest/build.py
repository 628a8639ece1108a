"""The digest's content for one day, from stored signals (pure: records in, model out).

A signal is active on day D when one of its events was read from an article
published on D. Its ranking score (README "Digest"):

    score = type_weight x (0.5 + 0.5 x best_confidence) x (1 + 0.5 x (independent_outlets - 1))
            x novelty x change

novelty is 1.0 for a signal first seen on D and 0.7 for one seen before; change
is 1.3 when on D the signal was newly denied, confirmed or corroborated, else 1.0.
Independent outlets count copies of one story, and outlets of one owner, once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from extractors.signals import (
    HeadlineForms,
    SignalEvent,
    independent_outlets,
    join_names,
    stance_rollup,
    summarize_signal,
)
from warehouse.digest import ArticleLink

DEFAULT_TYPE_WEIGHT = 0.5
NOVELTY_SEEN_BEFORE = 0.7
CHANGE_BONUS = 1.3
MAX_ACTORS_SHOWN = 6
MAX_TIMELINE_LINES = 3  # per entity: one line per signal and sentence, the latest ones, oldest first


@dataclass(frozen=True)
class SourceLink:
    source: str
    title: str
    url: str


@dataclass(frozen=True)
class Signal:
    signal_id: str
    event_type: str
    actors: tuple[str, ...]
    headline: str  # written from the signal's roles, type and stance; the best title when roles are unknown
    title: str  # the best article's title
    summary: str  # one sentence built from the signal's data
    evidence: str
    evidence_source: SourceLink
    stance_summary: str
    status: str  # confirmed | contested | alleged | denied | reported
    sources: tuple[SourceLink, ...]
    corroboration: int  # independent outlets
    confidence: float
    score: float
    first_seen: datetime
    new: bool
    changes: tuple[str, ...]  # what changed on the day: "newly denied", "newly corroborated (1 -> 3 outlets)"
    stories: frozenset[str] = frozenset()  # the stories its events were read from
    best_story: str = ""
    also: tuple[str, ...] = ()  # headlines of other signals of the same story, folded into this one


@dataclass(frozen=True)
class Change:
    kind: str  # new | denied | confirmed | corroborated
    signal: Signal
    detail: str


@dataclass(frozen=True)
class TimelineLine:
    day: date
    event_type: str
    stance: str
    evidence: str
    source: str
    url: str


@dataclass(frozen=True)
class EntityTimeline:
    name: str
    events: int  # all of them; ``lines`` holds the latest MAX_TIMELINE_LINES
    lines: tuple[TimelineLine, ...]


@dataclass(frozen=True)
class Digest:
    day: date
    timezone: str
    top: tuple[Signal, ...]
    more: tuple[Signal, ...]
    changes: tuple[tuple[str, tuple[Change, ...]], ...]  # by event type
    entity_timelines: tuple[EntityTimeline, ...]
    events_by_type: tuple[tuple[str, int], ...]
    sources: tuple[ArticleLink, ...]
    failing_feeds: tuple[tuple[str, str], ...]  # (feed name, last error)
    generated_at: datetime  # naive UTC

    @property
    def empty(self) -> bool:
        return not self.top

    @property
    def subject(self) -> str:
        lead = self.top[0].headline if self.top else "no new signals"
        return f"newsignal digest {self.day.isoformat()}: {lead}"


def _label(event_type: str) -> str:
    return event_type.replace("_", " ")


def one_sentence(event_type: str, actors: Sequence[str], status: str, stance_summary: str, outlets: int,
                 first_seen: datetime) -> str:
    """A plain summary built from the signal's fields, e.g. "Export control involving X and Y: reported
    as fact by 3 independent outlets since 20 Nov." """
    who = join_names(list(actors[:3])) or "unnamed parties"
    how = stance_summary or "reported"
    return (f"{_label(event_type).capitalize()} involving {who}: {how}, by {outlets} independent "
            f"outlet{'s' if outlets != 1 else ''} since {first_seen:%d %b}.")


def _signal(
    signal_id: str, events: Sequence[SignalEvent], start: datetime, weights: Mapping[str, float],
    headlines: Mapping[str, HeadlineForms] | None = None,
) -> Signal:
    forms = (headlines or {}).get(events[0].event_type, HeadlineForms()) if events else HeadlineForms()
    summary = summarize_signal(signal_id, events, forms)
    before = [e for e in events if e.seen_at < start]
    new = not before
    changes: list[str] = []
    if before:
        was, now = stance_rollup(before), summary.stance
        if now.denied_by and not was.denied_by:
            changes.append("newly denied by " + ", ".join(now.denied_by))
        if now.status == "confirmed" and was.status != "confirmed":
            changes.append("newly confirmed")
        outlets_before = independent_outlets(before)
        if summary.corroboration > outlets_before:
            changes.append(f"newly corroborated ({outlets_before} -> {summary.corroboration} outlets)")
    best = next(e for e in events if e.event_id == summary.best_event_id)
    score = (weights.get(summary.event_type, DEFAULT_TYPE_WEIGHT) * (0.5 + 0.5 * best.confidence)
             * (1 + 0.5 * (summary.corroboration - 1)) * (1.0 if new else NOVELTY_SEEN_BEFORE)
             * (CHANGE_BONUS if changes else 1.0))
    actors = summary.actors[:MAX_ACTORS_SHOWN]
    return Signal(
        signal_id=signal_id, event_type=summary.event_type, actors=actors,
        headline=summary.headline or best.evidence, title=best.article_title,
        summary=one_sentence(summary.event_type, actors, summary.stance.status, summary.stance.summary,
                             summary.corroboration, summary.first_seen),
        evidence=" ".join(best.evidence.split()),
        evidence_source=SourceLink(best.source, best.article_title, best.article_url),
        stance_summary=summary.stance.summary, status=summary.stance.status,
        sources=tuple(SourceLink(s.source, s.title, s.url) for s in summary.sources),
        corroboration=summary.corroboration, confidence=round(best.confidence, 2), score=round(score, 3),
        first_seen=summary.first_seen, new=new, changes=tuple(changes),
        stories=frozenset(e.story_id for e in events), best_story=best.story_id,
    )


def rank_signals(
    members: Sequence[tuple[str, SignalEvent]], start: datetime, end: datetime, weights: Mapping[str, float],
    headlines: Mapping[str, HeadlineForms] | None = None,
) -> list[Signal]:
    """Signals with an event seen in [start, end), best first."""
    by_signal: dict[str, list[SignalEvent]] = defaultdict(list)
    for signal_id, event in members:
        if event.seen_at < end:
            by_signal[signal_id].append(event)
    active = {sid: evs for sid, evs in by_signal.items() if any(start <= e.seen_at < end for e in evs)}
    signals = [_signal(sid, evs, start, weights, headlines) for sid, evs in active.items()]
    signals.sort(key=lambda s: (-s.score, s.headline, s.signal_id))
    return signals


def fold_stories(signals: Sequence[Signal], top_n: int) -> tuple[list[Signal], list[Signal]]:
    """The top ``top_n`` signals of distinct stories, and the rest. A signal whose best report is the same
    story as an earlier pick's, or whose every report is one the pick already shows, would show the same news
    twice: it is folded into the pick as "also: ..." and leaves the list."""
    top: list[Signal] = []
    rest: list[Signal] = []
    for s in signals:
        host = next((i for i, t in enumerate(top)
                     if s.best_story == t.best_story or (s.stories and s.stories <= t.stories)), None)
        if host is not None:
            if s.headline not in top[host].also and s.headline != top[host].headline:
                top[host] = replace(top[host], also=(*top[host].also, s.headline))
        elif len(top) < top_n:
            top.append(s)
        else:
            rest.append(s)
    return top, rest


def what_changed(
    signals: Sequence[Signal], shown: Sequence[Signal] = ()
) -> tuple[tuple[str, tuple[Change, ...]], ...]:
    """New signals, and signals newly denied, confirmed or corroborated on the day, by event type: one line
    per signal, none for a signal the top of the digest already shows (or folded into one of them)."""
    hidden = {s.signal_id for s in shown} | {s.best_story for s in shown} | {
        st for s in shown for st in s.stories}
    by_type: dict[str, dict[str, Change]] = defaultdict(dict)
    for s in signals:
        if s.signal_id in hidden or s.best_story in hidden:
            continue
        details = ["new"] if s.new else list(s.changes)
        if not details:
            continue
        first = details[0]
        kind = ("new" if first == "new" else "denied" if first.startswith("newly denied")
                else "confirmed" if first == "newly confirmed" else "corroborated")
        by_type[s.event_type].setdefault(s.signal_id, Change(kind, s, "; ".join(details)))
    return tuple((t, tuple(by_type[t].values())) for t in sorted(by_type))


def entity_timelines(
    members: Sequence[tuple[str, SignalEvent]], start: datetime, end: datetime, *, top: int = 3,
    generic: frozenset[str] = frozenset(),
) -> tuple[EntityTimeline, ...]:
    """Dated evidence lines for the ``top`` entities named in the most events seen in [start, end)."""
    signal_of = {e.event_id: sid for sid, e in members}
    events = {e.event_id: e for _, e in members if start <= e.seen_at < end}
    counts = Counter(a for e in events.values() for a in set(e.actors) if a not in generic)
    out = []
    for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        # One line per signal: its latest report naming the entity.
        latest: dict[str, SignalEvent] = {}
        naming = sorted((e for e in events.values() if name in e.actors),
                        key=lambda e: (e.seen_at, e.event_id))
        for e in naming:
            latest[signal_of[e.event_id]] = e
        # One sentence read as two events (two types) is one line: the later signal's is dropped.
        by_sentence: dict[str, SignalEvent] = {}
        for e in sorted(latest.values(), key=lambda e: (e.seen_at, e.event_id)):
            by_sentence.setdefault(" ".join(e.evidence.split()), e)
        mine = sorted(by_sentence.values(), key=lambda e: (e.seen_at, e.event_id))[-MAX_TIMELINE_LINES:]
        lines = tuple(TimelineLine(e.seen_at.date(), e.event_type, e.stance, " ".join(e.evidence.split()),
                                   e.source, e.article_url) for e in mine)
        out.append(EntityTimeline(name, n, lines))
    return tuple(out)


def build_digest(
    day: date, timezone: str, bounds: tuple[datetime, datetime], members: Sequence[tuple[str, SignalEvent]],
    weights: Mapping[str, float], *, articles: Sequence[ArticleLink] = (),
    failing_feeds: Sequence[tuple[str, str]] = (), top_n: int = 5,
    generic_actors: frozenset[str] = frozenset(), headlines: Mapping[str, HeadlineForms] | None = None,
    generated_at: datetime | None = None,
) -> Digest:
    """``bounds`` are the day's [start, end) in the warehouse's clock (naive UTC); ``members``
    holds the events of every signal active in the week up to the day's end."""
    start, end = bounds
    signals = rank_signals(members, start, end, weights, headlines)
    top, rest = fold_stories(signals, top_n)
    day_events = {e.event_id: e for _, e in members if start <= e.seen_at < end}
    by_type = Counter(e.event_type for e in day_events.values())
    return Digest(
        day=day, timezone=timezone, top=tuple(top), more=tuple(rest),
        changes=what_changed(signals, top),
        generated_at=generated_at or datetime.now(UTC).replace(tzinfo=None),
        entity_timelines=entity_timelines(members, end - timedelta(days=7), end, top=2,
                                          generic=generic_actors),
        events_by_type=tuple(sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))),
        sources=tuple(articles), failing_feeds=tuple(failing_feeds),
    )
