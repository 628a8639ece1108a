"""Score signals against labeled threads: is "same signal" the same as "same thread"?

A thread set is JSON lines, one article each: ``id``, ``outlet``, ``owner``, ``url``, ``title``,
``published``, ``text`` and ``events`` (each with ``type``, ``stance``, ``actors``, ``roles``, ``thread``
and the ``evidence`` sentence). Two ways to score, both pairwise over events:

- ``gold_events``: the labeled events themselves (their roles give initiator and targets), so the linking
  rule is measured apart from extraction;
- ``match_events``: events the extractor read from the same texts, each matched to the labeled record of its
  article with the same type and stance (by evidence sentence, then by target, when an article has two).

``pairwise`` counts, over every pair of scored events, "same signal" against "same thread", and the signals
that mix two threads. Pure apart from reading the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from extractors.models import Event
from extractors.signals import SignalEvent
from extractors.taxonomy import EventRules


@dataclass(frozen=True)
class ThreadScore:
    pairs: int
    true_positive: int  # same signal, same thread
    false_positive: int  # same signal, different threads
    false_negative: int  # different signals, same thread
    mixed_signals: tuple[str, ...]  # signals holding events of two or more threads
    events: int  # events scored
    unmatched: int  # extracted events no labeled record matched

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_threads(path: Path | str) -> list[dict[str, Any]]:
    """The thread set's articles, in file order; raises ValueError naming the line of a bad record."""
    articles = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            date.fromisoformat(record["published"])
            for e in record["events"]:
                e["type"], e["stance"], e["thread"], e["roles"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}:{number}: bad thread record: {exc}") from exc
        articles.append(record)
    return articles


def _signal_event(article: Mapping[str, Any], event_id: str, event_type: str, stance: str,
                  actors: Sequence[str], initiator: str | None, targets: Sequence[str],
                  evidence: str, confidence: float = 0.8) -> SignalEvent:
    day = date.fromisoformat(article["published"])
    return SignalEvent(
        event_id=event_id, event_type=event_type, stance=stance, actors=tuple(actors), event_date=day,
        article_id=article["id"], story_id=article["id"], source=article["outlet"],
        owner=article.get("owner"), seen_at=datetime.combine(day, datetime.min.time()), confidence=confidence,
        evidence=evidence, article_title=article["title"], article_url=article["url"], initiator=initiator,
        targets=tuple(targets),
    )


def _gold_roles(record: Mapping[str, Any], rules: EventRules) -> tuple[str | None, tuple[str, ...]]:
    roles = record["roles"]
    first, target = (rules.denial_roles[0], rules.denial_roles[-1]) if record["stance"] == "denied" else (
        rules.types[record["type"]].initiator_role, rules.types[record["type"]].target_role)
    initiator = next(iter(roles.get(first, ())), None) or next(iter(record["actors"]), None)
    return initiator, tuple(roles.get(target, ()))


def gold_events(articles: Sequence[Mapping[str, Any]], rules: EventRules) -> list[tuple[SignalEvent, str]]:
    """Every labeled event as a signal event, with its thread."""
    out = []
    for a in articles:
        for i, record in enumerate(a["events"]):
            initiator, targets = _gold_roles(record, rules)
            e = _signal_event(a, f"{a['id']}#{i}", record["type"], record["stance"], record["actors"],
                              initiator, targets, record.get("evidence", ""))
            out.append((e, record["thread"]))
    return out


def _match(event: Event, records: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    same = [r for r in records if r["type"] == event.event_type and r["stance"] == event.stance]
    if len(same) <= 1:
        return same[0] if same else None
    sentences = {ev.sentence.strip() for ev in event.evidence}
    by_evidence = [r for r in same if r.get("evidence", "").strip() in sentences]
    if len(by_evidence) == 1:
        return by_evidence[0]
    by_target = [r for r in same if set(event.targets) & {n for ns in r["roles"].values() for n in ns}]
    return by_target[0] if len(by_target) == 1 else None


def match_events(
    articles: Sequence[Mapping[str, Any]], extracted: Sequence[Sequence[Event]]
) -> tuple[list[tuple[SignalEvent, str]], int]:
    """Extracted events (one sequence per article, in the same order) matched to labeled threads;
    returns the matched events with their threads and the number left unmatched."""
    out, unmatched = [], 0
    for a, events in zip(articles, extracted, strict=True):
        for i, event in enumerate(events):
            record = _match(event, a["events"])
            if record is None:
                unmatched += 1
                continue
            evidence = event.evidence[0].sentence if event.evidence else ""
            se = _signal_event(a, f"{a['id']}~{i}", event.event_type, event.stance, event.actors,
                               event.initiator, event.targets, evidence, event.confidence)
            out.append((se, record["thread"]))
    return out, unmatched


def pairwise(signal_of: Mapping[str, str], thread_of: Mapping[str, str], unmatched: int = 0) -> ThreadScore:
    """Pairwise agreement of "same signal" with "same thread" over the events in ``thread_of``."""
    ids = sorted(thread_of)
    tp = fp = fn = 0
    for x, y in combinations(ids, 2):
        same_signal, same_thread = signal_of[x] == signal_of[y], thread_of[x] == thread_of[y]
        tp += same_signal and same_thread
        fp += same_signal and not same_thread
        fn += same_thread and not same_signal
    threads_in: dict[str, set[str]] = {}
    for event_id in ids:
        threads_in.setdefault(signal_of[event_id], set()).add(thread_of[event_id])
    mixed = tuple(sorted(s for s, threads in threads_in.items() if len(threads) > 1))
    return ThreadScore(len(ids) * (len(ids) - 1) // 2, tp, fp, fn, mixed, len(ids), unmatched)
