"""Signals: events of one type about the same actors, reported within days, with all their evidence.

Pure: event records in, signal assignments and summaries out (no DB, no network).

When two events belong to one signal (``linked``)
--------------------------------------------------
Both have the same ``event_type``, their ``event_date`` values are at most ``window`` apart
(3 days by default), and either

* they share enough *distinctive* actors: at least one, and two when both events name two
  or more; and at least one shared actor must be *strong*. Actors in ``generic_actors`` are
  not distinctive at all -- the caller passes the GPE names (countries, cities, the EU),
  because sharing "United States" or "China" says nothing about whether two export-control
  events are the same. Actors in ``weak_actors`` count towards the two but are not enough on
  their own -- the caller passes government bodies (agencies, regulators, courts), which act
  in many unrelated events a day: "Commerce adds firms to the Entity List" and "Commerce
  revokes the Gulf licence exception" share only the Department of Commerce. Requiring two
  shared actors when both events name two keeps "Google partners with Samsung" apart from
  "Google partners with Anthropic", and "Commerce restricts Nvidia" apart from "Commerce
  restricts ASML"; or
* they come from one story (copies of one article) and share a distinctive actor or name
  exactly the same actors -- the only way events with no distinctive actor ("US curbs exports
  to China") ever link.

A new event joins the signal of the linked event it shares most actors with (ties: same story,
then nearest date, then smallest signal id). Signals are never merged with each other, so one
event naming two actors cannot chain two unrelated signals together, and a signal's id -- the
event_id of its first member -- stays stable as events arrive. A signal keeps growing while
reports keep coming within ``window`` of a linked member.

Corroboration counts independent outlets: articles in one story count once (syndicated copy
is one report), and outlets with one owner count once (``owner``; an outlet without an owner
is its own). Both rules are transitive: the count is the number of connected groups of
member articles.

Stance roll-up: who alleged (first actor of each alleged event), who denied (first actor of
each denial), and ``confirmed`` when an asserted report appears after the first allegation
in a different story (a copy of the allegation confirms nothing).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from extractors.taxonomy import DENIAL_ROLES

__all__ = [
    "GOVERNMENT_KINDS",
    "HeadlineForms",
    "KnownEvent",
    "SignalAssignment",
    "SignalEvent",
    "SignalParams",
    "SignalSource",
    "SignalSummary",
    "StanceRollup",
    "government_actors",
    "independent_outlets",
    "join_names",
    "linked",
    "name_key",
    "role_headline",
    "signal_assignments",
    "stance_rollup",
    "summarize_signal",
]

_STANCE_RANK = {"asserted": 2, "alleged": 1, "denied": 0}


@dataclass(frozen=True)
class SignalEvent:
    """One event with what signals need to know about its article."""

    event_id: str
    event_type: str
    stance: str  # asserted | alleged | denied
    actors: tuple[str, ...]  # canonical names, initiator first
    event_date: date
    article_id: str
    story_id: str  # the article's story; its own article_id when it has none yet
    source: str  # outlet name
    owner: str | None  # feeds.owner; None when the outlet is its own owner
    seen_at: datetime  # article published_at, else first_seen_at
    confidence: float = 0.0
    evidence: str = ""
    article_title: str = ""
    article_url: str = ""
    initiator: str | None = None  # who acts: the authority, claimant, developer ... (the denier of a denial)
    targets: tuple[str, ...] = ()  # whom or what it is done to or about (the accused of a denial)
    # (role, name) pairs as read (a denial's name whom it answers; a claim's, whose model was copied).
    roles: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class KnownEvent:
    """An event already placed in a signal."""

    event: SignalEvent
    signal_id: str


@dataclass(frozen=True)
class SignalParams:
    window: timedelta = timedelta(days=3)
    generic_actors: frozenset[str] = field(default_factory=frozenset)  # places: never count
    weak_actors: frozenset[str] = field(default_factory=frozenset)  # governments: count, never suffice
    headlines: Mapping[str, HeadlineForms] = field(default_factory=dict)  # per event type, from config
    denial_roles: tuple[str, ...] = DENIAL_ROLES  # a denial's own roles; any other names whom it answers


# Gazetteer kinds (config/gazetteer/government.jsonl) of bodies that act in many unrelated events.
GOVERNMENT_KINDS = frozenset({
    "agency", "regulator", "executive", "legislature", "committee", "court", "intl_body", "military",
    "embassy", "party",
})


def government_actors(entries: Iterable[Any]) -> frozenset[str]:
    """Names of gazetteer entries (anything with ``.name`` and ``.kind``) of a government kind."""
    return frozenset(e.name for e in entries if getattr(e, "kind", "") in GOVERNMENT_KINDS)


@dataclass(frozen=True)
class SignalAssignment:
    """Which signal an event joined; ``linked_to`` is None when it starts a new one."""

    event_id: str
    signal_id: str
    linked_to: str | None = None
    shared: tuple[str, ...] = ()  # the distinctive actors shared with ``linked_to``
    known: bool = False  # already placed before this run


@dataclass(frozen=True)
class SignalSource:
    source: str
    title: str
    url: str


@dataclass(frozen=True)
class StanceRollup:
    status: str  # confirmed | contested | alleged | denied | reported
    alleged_by: tuple[str, ...]
    denied_by: tuple[str, ...]
    summary: str  # e.g. "alleged by OpenAI; denied by Moonshot AI; confirmed"


@dataclass(frozen=True)
class SignalSummary:
    signal_id: str
    event_type: str
    actors: tuple[str, ...]  # most often named first
    first_seen: datetime
    last_seen: datetime
    corroboration: int  # independent outlets
    stance: StanceRollup
    best_event_id: str
    best_evidence: str
    sources: tuple[SignalSource, ...]  # one per article, oldest first
    event_count: int
    article_count: int
    story_count: int
    headline: str = ""  # written from the thread's roles (``role_headline``), else the best article's title


# Words that end many company names and say nothing about which company: "Lumora" in one outlet is
# "Lumora AI" in another. Only the comparison of names drops them; stored names stay as written.
_GENERIC_NAME_ENDINGS = {"ai", "labs", "lab", "inc", "corp", "corporation", "ltd", "technologies", "group"}


def name_key(name: str) -> str:
    """The part of a party's name that tells it apart: lowercased, generic company endings dropped."""
    words = re.sub(r"[.,]", " ", name.lower()).split()
    while len(words) > 1 and words[-1] in _GENERIC_NAME_ENDINGS:
        words.pop()
    return " ".join(words)


def _keys(names: Iterable[str]) -> dict[str, str]:
    return {name_key(n): n for n in names}


def _has_roles(e: SignalEvent) -> bool:
    return e.initiator is not None or bool(e.targets)


def _distinctive(e: SignalEvent, params: SignalParams) -> dict[str, str]:
    """The event's parties that are not mere places, by name key (``name_key``)."""
    return _keys(a for a in e.actors if a not in params.generic_actors)


def _compatible(a: SignalEvent, b: SignalEvent) -> bool:
    """Initiators that can be one party's: unnamed on either side, the same, or named among the other's
    actors ("the Commerce Department" and its "Bureau of Industry and Security" both acting)."""
    if a.initiator is None or b.initiator is None or name_key(a.initiator) == name_key(b.initiator):
        return True
    return name_key(a.initiator) in _keys(b.actors) or name_key(b.initiator) in _keys(a.actors)


def _thread_link(a: SignalEvent, b: SignalEvent, params: SignalParams) -> tuple[str, ...] | None:
    """Events read with roles: one thread when they share a target and their initiators agree. A denial
    answers a claim whoever voiced it, so it needs the shared target only."""
    a_targets, b_targets = _keys(a.targets), _keys(b.targets)
    shared = {a_targets[k] for k in a_targets.keys() & b_targets.keys()}
    for x, y in ((a, b), (b, a)):
        if x.stance == "denied" and x.initiator and name_key(x.initiator) in _keys(y.targets):
            shared.add(x.initiator)  # the accused denies: "Moonshot AI rejected the claims"
    if shared:
        # A denial answers a claim whoever voiced it; one story's sentences are one report.
        if "denied" in (a.stance, b.stance) or a.story_id == b.story_id or _compatible(a, b):
            return tuple(sorted(shared))
        return None
    if a.targets and b.targets:
        return None  # different targets: two launches, two listings, a rival's price
    # One report names no target (a background mention, an unusual sentence): it joins a thread whose targets
    # it names -- two of them when the thread has two or more ("the listing of DeepSeek and Moonshot AI").
    for vague, clear in ((a, b), (b, a)):
        if not vague.targets and clear.targets:
            clear_targets = _keys(clear.targets)
            named = {clear_targets[k] for k in _distinctive(vague, params).keys() & clear_targets.keys()}
            if named and len(named) >= min(2, len(clear_targets)):
                return tuple(sorted(named))
    # Or the same initiator (not a government body, which acts in many unrelated events a day) in a copy
    # of the same story, or sharing another distinctive party.
    who = a.initiator
    if (who is None or b.initiator is None or name_key(who) != name_key(b.initiator)
            or who in params.weak_actors or who in params.generic_actors):
        return None
    others = (_distinctive(a, params).keys() & _distinctive(b, params).keys()) - {name_key(who)}
    if a.story_id == b.story_id or others:
        return (who,)
    return None


def linked(a: SignalEvent, b: SignalEvent, params: SignalParams = SignalParams()) -> tuple[str, ...] | None:
    """The reason ``a`` and ``b`` belong to one signal (the shared targets or actors, sorted), or None.

    Events read with roles (an initiator or targets) link as threads (``_thread_link``); events stored
    before roles existed link by shared actors. Copies in one story with no distinctive actor but identical
    actors link with ``()``.
    """
    if a.event_type != b.event_type or abs(a.event_date - b.event_date) > params.window:
        return None
    if _has_roles(a) and _has_roles(b):
        return _thread_link(a, b, params)
    da, db = _distinctive(a, params), _distinctive(b, params)
    shared = {da[k] for k in da.keys() & db.keys()}
    if shared - params.weak_actors and len(shared) >= min(2, len(da), len(db)):
        return tuple(sorted(shared))
    if a.story_id == b.story_id and (shared or set(a.actors) == set(b.actors)):
        return tuple(sorted(shared))
    return None


class _Index:
    """Events by (type, distinctive actor) and by (type, story), each list kept in date order.

    Events of one signal with the same date and actors link (or not) and rank alike for any
    newcomer from another story, so an actor key keeps only the first of them; a story key
    keeps the first of them per story, which is where the same-story preference is found. On
    a big day, hundreds of reports naming one company (or copies of one story) would otherwise
    each be compared with every earlier one.
    """

    def __init__(self, params: SignalParams) -> None:
        self.params = params
        self.keys: dict[tuple[str, str, str], list[tuple[date, str]]] = defaultdict(list)
        self.events: dict[str, SignalEvent] = {}
        self.signal_of: dict[str, str] = {}
        self.voices: dict[str, list[SignalEvent]] = {}  # per signal, its events with a named initiator
        self._profiles: set[tuple[Any, ...]] = set()

    def _actor_keys(self, e: SignalEvent) -> list[tuple[str, str, str]]:
        names = set(_distinctive(e, self.params)) | _keys(e.targets).keys()
        names |= {name_key(e.initiator)} if e.initiator else set()
        return [(e.event_type, "actor", a) for a in sorted(names)]

    def _story_key(self, e: SignalEvent) -> tuple[str, str, str]:
        return (e.event_type, "story", e.story_id)

    def add(self, e: SignalEvent, signal_id: str) -> None:
        self.events[e.event_id] = e
        self.signal_of[e.event_id] = signal_id
        if e.initiator and e.stance != "denied":
            self.voices.setdefault(signal_id, []).append(e)
        profile = (e.event_type, e.event_date, frozenset(e.actors), e.initiator, frozenset(e.targets),
                   e.stance == "denied", signal_id, "")
        in_story = (*profile[:-1], e.story_id)
        if in_story not in self._profiles:
            self._profiles.add(in_story)
            bisect.insort(self.keys[self._story_key(e)], (e.event_date, e.event_id))
        if profile not in self._profiles:
            self._profiles.add(profile)
            for key in self._actor_keys(e):
                bisect.insort(self.keys[key], (e.event_date, e.event_id))

    def near(self, e: SignalEvent) -> set[str]:
        lo, hi = e.event_date - self.params.window, e.event_date + self.params.window
        found: set[str] = set()
        for key in [*self._actor_keys(e), self._story_key(e)]:
            members = self.keys.get(key)
            if not members:
                continue
            start = bisect.bisect_left(members, (lo, ""))
            for d, event_id in members[start:]:
                if d > hi:
                    break
                found.add(event_id)
        return found


def _agrees_with_signal(e: SignalEvent, voices: Sequence[SignalEvent], params: SignalParams) -> bool:
    """Whether ``e``'s initiator can act in a signal whose named initiators are ``voices``: a denial answers
    whoever claimed (or, when it names them, those it answers); otherwise one of them must be compatible (or
    told in the same story). Pairs alone would
    let an event that names nobody chain OpenAI's claim and the Commerce Department's into one thread."""
    if not e.initiator or not voices:
        return True
    if e.stance == "denied":
        # A denial answers whoever claimed, unless it names whom ("rejected OpenAI's accusation").
        answered = {name_key(n) for r, n in e.roles if r not in params.denial_roles}
        return not answered or any(name_key(v.initiator or "") in answered for v in voices)
    return any(_compatible(e, v) or v.story_id == e.story_id for v in voices)


def _order(e: SignalEvent) -> tuple[date, datetime, str]:
    return (e.event_date, e.seen_at, e.event_id)


def signal_assignments(
    new_events: Sequence[SignalEvent],
    known: Sequence[KnownEvent] = (),
    params: SignalParams = SignalParams(),
) -> list[SignalAssignment]:
    """Place each new event in a signal; one assignment per event, in (date, seen_at, id) order.

    ``known`` holds events already placed (the caller passes those within ``window`` of the new
    ones; others cannot link anyway, but every member of their signals that names an initiator
    counts, see ``_agrees_with_signal``). An event already known keeps its signal. The result does
    not depend on the order of ``new_events`` or of ``known``.
    """
    index = _Index(params)
    # In the order they were placed in, whatever order the caller read them in: the index keeps the first
    # of like events, and which one it keeps is the one a newcomer links to.
    for k in sorted(known, key=lambda k: _order(k.event)):
        if k.event.event_id not in index.events:
            index.add(k.event, k.signal_id)
    out: list[SignalAssignment] = []
    for e in sorted(new_events, key=_order):
        if e.event_id in index.signal_of:
            out.append(SignalAssignment(e.event_id, index.signal_of[e.event_id], known=True))
            continue
        best: tuple[tuple[int, int, int, str, str], str, tuple[str, ...]] | None = None
        for other_id in index.near(e):
            other = index.events[other_id]
            reason = linked(e, other, params)
            if reason is None:
                continue
            signal_id = index.signal_of[other_id]
            if not _agrees_with_signal(e, index.voices.get(signal_id, ()), params):
                continue  # linked through an event that names no claimant, to another party's claim
            # More shared actors, then the same story, then the nearer date, then the smaller ids.
            rank = (-len(reason), other.story_id != e.story_id, abs((other.event_date - e.event_date).days),
                    signal_id, other_id)
            if best is None or rank < best[0]:
                best = (rank, other_id, reason)
        if best is None:
            index.add(e, e.event_id)
            out.append(SignalAssignment(e.event_id, e.event_id))
        else:
            signal_id = index.signal_of[best[1]]
            index.add(e, signal_id)
            out.append(SignalAssignment(e.event_id, signal_id, linked_to=best[1], shared=best[2]))
    return out


def independent_outlets(events: Iterable[SignalEvent]) -> int:
    """Groups of articles that are not independent: one story, or outlets of one owner, count once."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: str, y: str) -> None:
        parent[find(x)] = find(y)

    for e in events:
        # Each article is tied to its story and to its owner (the outlet itself when unowned).
        article = "a:" + e.article_id
        union(article, "s:" + e.story_id)
        union(article, "o:" + (e.owner or "outlet:" + e.source))
    return len({find(x) for x in parent if x.startswith("a:")})


def _voice(e: SignalEvent) -> str | None:
    """Who voiced an event: its initiator (the claimant, the denier). An event read with roles but no
    initiator has nobody named ("OpenAI's accusation that Moonshot AI ..." names the accused first); only
    an event stored before roles existed falls back to its first actor."""
    if e.initiator:
        return e.initiator
    if e.targets or not e.actors:
        return None
    return e.actors[0]


def _first_actors(events: Sequence[SignalEvent]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for e in events if (v := _voice(e)) is not None))


def stance_rollup(events: Sequence[SignalEvent]) -> StanceRollup:
    """Who alleged, who denied, and whether a later independent report confirmed it."""
    ordered = sorted(events, key=lambda e: (e.seen_at, e.event_id))
    alleged = [e for e in ordered if e.stance == "alleged"]
    denied = [e for e in ordered if e.stance == "denied"]
    asserted = [e for e in ordered if e.stance == "asserted"]
    confirming: SignalEvent | None = None
    if alleged:
        first = alleged[0].seen_at
        alleged_stories = {e.story_id for e in alleged}
        confirming = next((e for e in asserted if e.seen_at > first and e.story_id not in alleged_stories),
                          None)
    confirmed = confirming is not None
    alleged_by, denied_by = _first_actors(alleged), _first_actors(denied)
    parts = []
    if alleged:
        parts.append("alleged by " + (", ".join(alleged_by) or "unnamed parties"))
    if denied:
        parts.append("denied by " + (", ".join(denied_by) or "unnamed parties"))
    if confirming is not None:
        # Who confirmed it and when: the report's initiator when named, else the outlet that reported it.
        by = confirming.initiator or confirming.source
        parts.append(f"confirmed by {by} on {confirming.seen_at:%d %b}" if by else "confirmed")
    elif asserted:
        parts.append("reported as fact")
    if confirmed:
        status = "confirmed"
    elif alleged and denied:
        status = "contested"
    elif alleged:
        status = "alleged"
    elif denied:
        status = "denied"
    else:
        status = "reported"
    return StanceRollup(status, alleged_by, denied_by, "; ".join(parts))


@dataclass(frozen=True)
class HeadlineForms:
    """An event type's headline forms from config/event_types.toml, tried in order."""

    reported: tuple[str, ...] = ()
    alleged: tuple[str, ...] = ()


def join_names(names: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def _fill(forms: Sequence[str], initiator: str | None, targets: Sequence[str],
          whose: str = "") -> str | None:
    fields = {"initiator": initiator or "", "targets": join_names(list(targets)), "whose": whose}
    for form in forms:
        if all(fields.get(name) for name in re.findall(r"{(\w+)}", form)):
            return form.format(**fields)
    return None


def role_headline(events: Sequence[SignalEvent], status: str, denied_by: Sequence[str],
                  forms: HeadlineForms) -> str | None:
    """One line from the thread's roles: those of its first report read with both an initiator and a target
    (the report that started the thread; claims and reports before denials), the type's forms for a claim
    or a report, and who denies it."""
    ordered = sorted(events, key=lambda e: (e.stance == "denied", e.seen_at, e.event_id))
    first = next((e for e in ordered if e.initiator and e.targets), None) or next(
        (e for e in ordered if e.initiator or e.targets), None)
    if first is None:
        return None
    initiator = first.initiator
    targets = [t for t in first.targets if t != initiator][:3]
    claim = status in ("alleged", "contested", "denied")
    # {whose}: the owner of what the event is done with, from the report's "source" role ("its" when the
    # initiator owns it, "OpenAI's" otherwise); a form that needs it is skipped when none is named.
    sources = [n for r, n in first.roles if r == "source"]
    whose = "its" if initiator in sources else (f"{sources[0]}'s" if sources else "")
    line = _fill(forms.alleged if claim and forms.alleged else forms.reported, initiator, targets, whose)
    if line is None:
        return None
    if denied_by:
        line += f"; {join_names(list(denied_by))} {'denies' if len(denied_by) == 1 else 'deny'} it"
    return line


def summarize_signal(
    signal_id: str, events: Sequence[SignalEvent], forms: HeadlineForms | None = None
) -> SignalSummary:
    """Roll the member events of one signal up into one row. Raises ValueError when empty."""
    if not events:
        raise ValueError(f"signal {signal_id} has no events")
    ordered = sorted(events, key=lambda e: (e.seen_at, e.event_id))
    counts = Counter(a for e in ordered for a in e.actors)
    first_pos: dict[str, int] = {}
    for e in ordered:
        for a in e.actors:
            first_pos.setdefault(a, len(first_pos))
    actors = tuple(sorted(counts, key=lambda a: (-counts[a], first_pos[a])))
    # Best evidence: a report of fact over an allegation over a denial, then confidence, then earliest.
    best = min(ordered, key=lambda e: (-_STANCE_RANK.get(e.stance, 0), -e.confidence, e.seen_at, e.event_id))
    sources = tuple(dict.fromkeys(SignalSource(e.source, e.article_title, e.article_url)
                                  for e in ordered))
    types = {e.event_type for e in ordered}
    if len(types) != 1:
        raise ValueError(f"signal {signal_id} mixes event types {sorted(types)}")
    stance = stance_rollup(ordered)
    headline = role_headline(ordered, stance.status, stance.denied_by, forms or HeadlineForms())
    return SignalSummary(
        signal_id=signal_id, event_type=ordered[0].event_type, actors=actors,
        first_seen=ordered[0].seen_at, last_seen=ordered[-1].seen_at,
        corroboration=independent_outlets(ordered), stance=stance,
        best_event_id=best.event_id, best_evidence=best.evidence, sources=sources,
        event_count=len(ordered), article_count=len({e.article_id for e in ordered}),
        story_count=len({e.story_id for e in ordered}), headline=headline or best.article_title,
    )
