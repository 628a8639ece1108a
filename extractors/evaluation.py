"""Score the NLP extractor against labeled passages (gold JSONL in the gold-dev format). Pure: no I/O but
reading the gold file.

Metric (the one the project is measured with):
- events: per passage, the set of event types found vs labeled; precision/recall/F1 micro-averaged over
  passages, and per type;
- stance: for each gold (type, stance) record whose type was found, correct when the prediction has the
  same (type, stance);
- (type, stance): per passage, the set of (type, stance) pairs found vs labeled, micro-averaged;
- entities: per passage and label (ORG/PERSON/GPE/MODEL), the set of canonical names found vs labeled,
  compared case- and punctuation-insensitively; per label and micro over all labels;
- actors: per passage and event type found in both, the union of the records' actors found vs labeled
  (names compared as for entities; model names never count as actors), micro-averaged;
- initiator: per (type, stance) found in both whose gold record has actors, correct when the predicted
  event's initiator is the record's first actor (the guide lists the initiator first) or holds its first role;
- stance confusion: for each gold record whose type was found, its stance against the predicted one
  (the same stance when predicted, else the type's other predicted stance, else "none").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from spacy.language import Language

from extractors.models import ENTITY_LABELS, EVENT_TYPES, STANCES, Event
from extractors.nlp import annotate

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalise_name(name: str) -> str:
    """Case- and punctuation-insensitive form used to compare names ("U.S. Attorney's" ~ "us attorneys")."""
    return _NON_WORD.sub("", name.replace("’", "'").lower())


@dataclass(frozen=True)
class GoldEvent:
    event_type: str
    stance: str
    actors: tuple[str, ...] = ()
    salience: str = "main"
    roles: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (role, names) in the type's role order

    def role(self, name: str) -> tuple[str, ...]:
        return next((names for r, names in self.roles if r == name), ())


@dataclass(frozen=True)
class GoldArticle:
    id: str
    text: str
    published: date | None
    events: tuple[GoldEvent, ...]
    entities: dict[str, tuple[str, ...]]


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, predicted: set[str], gold: set[str]) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)


@dataclass
class ArticleDiff:
    """What one passage got wrong (for reading the report, not for scoring)."""

    id: str
    missed_types: tuple[str, ...] = ()
    extra_types: tuple[str, ...] = ()
    wrong_stances: tuple[str, ...] = ()
    missed_entities: tuple[str, ...] = ()
    extra_entities: tuple[str, ...] = ()
    wrong_actors: tuple[str, ...] = ()


@dataclass
class EvalReport:
    articles: int = 0
    event_types: dict[str, PRF] = field(default_factory=lambda: {t: PRF() for t in EVENT_TYPES})
    event_micro: PRF = field(default_factory=PRF)
    stance_matched: int = 0
    stance_correct: int = 0
    entity_labels: dict[str, PRF] = field(default_factory=lambda: {lab: PRF() for lab in ENTITY_LABELS})
    entity_micro: PRF = field(default_factory=PRF)
    type_stance_micro: PRF = field(default_factory=PRF)
    actors_micro: PRF = field(default_factory=PRF)
    initiator_matched: int = 0
    initiator_correct: int = 0
    stance_confusion: dict[tuple[str, str], int] = field(default_factory=dict)  # (gold, predicted) -> count
    diffs: list[ArticleDiff] = field(default_factory=list)

    @property
    def initiator_accuracy(self) -> float:
        return self.initiator_correct / self.initiator_matched if self.initiator_matched else 1.0

    @property
    def stance_accuracy(self) -> float:
        return self.stance_correct / self.stance_matched if self.stance_matched else 1.0


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_gold(path: Path | str) -> list[GoldArticle]:
    """Read a gold JSONL file (fields: id, text, published, events[{type, stance, actors}], entities)."""
    articles = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            events = tuple(
                GoldEvent(e["type"], e["stance"], tuple(e.get("actors", ())), e.get("salience", "main"),
                          tuple((role, tuple(names)) for role, names in e.get("roles", {}).items()))
                for e in rec.get("events", ())
            )
            entities = {lab: tuple(rec.get("entities", {}).get(lab, ())) for lab in ENTITY_LABELS}
            articles.append(
                GoldArticle(rec["id"], rec["text"], _parse_date(rec.get("published")), events, entities)
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}:{number}: bad gold record: {exc}") from exc
    return articles


def evaluate(nlp: Language, gold: Iterable[GoldArticle], *, batch_size: int = 16) -> EvalReport:
    """Annotate every gold passage with ``nlp`` and score events, stances and entities."""
    gold = list(gold)
    report = EvalReport()
    items = ((g.text, g.published) for g in gold)
    for article, ann in zip(gold, annotate(nlp, items, batch_size=batch_size), strict=True):
        report.articles += 1
        pred_pairs = {(e.event_type, e.stance) for e in ann.events}
        pred_types = {t for t, _ in pred_pairs}
        gold_types = {e.event_type for e in article.events}
        report.event_micro.add(pred_types, gold_types)
        for etype in pred_types | gold_types:
            report.event_types.setdefault(etype, PRF()).add(pred_types & {etype}, gold_types & {etype})
        wrong = []
        for ev in article.events:
            if ev.event_type in pred_types:
                report.stance_matched += 1
                if (ev.event_type, ev.stance) in pred_pairs:
                    report.stance_correct += 1
                else:
                    wrong.append(f"{ev.event_type}:{ev.stance}")
        report.type_stance_micro.add({f"{a}:{b}" for a, b in pred_pairs},
                                     {f"{e.event_type}:{e.stance}" for e in article.events})
        wrong_actors = _score_roles(report, article, ann.events, {normalise_name(m.name) for m in ann.mentions
                                                                  if m.label == "MODEL"})
        missed_ents, extra_ents = [], []
        for label in ENTITY_LABELS:
            predicted = {normalise_name(m.name): m.name for m in ann.mentions if m.label == label}
            labeled = {normalise_name(n): n for n in article.entities.get(label, ())}
            report.entity_labels[label].add(set(predicted), set(labeled))
            report.entity_micro.add({f"{label}:{k}" for k in predicted}, {f"{label}:{k}" for k in labeled})
            missed_ents += [f"{label}:{labeled[k]}" for k in sorted(set(labeled) - set(predicted))]
            extra_ents += [f"{label}:{predicted[k]}" for k in sorted(set(predicted) - set(labeled))]
        report.diffs.append(
            ArticleDiff(
                article.id, tuple(sorted(gold_types - pred_types)), tuple(sorted(pred_types - gold_types)),
                tuple(wrong), tuple(missed_ents), tuple(extra_ents), tuple(wrong_actors),
            )
        )
    return report


def _score_roles(
    report: EvalReport, article: GoldArticle, events: Iterable[Event], model_names: set[str]
) -> list[str]:
    """Actors per (passage, type) found in both, initiators per (type, stance), the stance confusion."""
    events = list(events)
    wrong: list[str] = []
    for etype in sorted({e.event_type for e in article.events} & {e.event_type for e in events}):
        gold_actors = {normalise_name(a) for e in article.events if e.event_type == etype for a in e.actors}
        found = {normalise_name(a) for e in events if e.event_type == etype for a in e.actors} - model_names
        report.actors_micro.add(found, gold_actors)
        if found != gold_actors:
            wrong.append(f"{etype}: +{sorted(found - gold_actors)} -{sorted(gold_actors - found)}")
        predicted = {e.stance: e for e in events if e.event_type == etype}
        gold_stances = {e.stance for e in article.events if e.event_type == etype}
        for g in (e for e in article.events if e.event_type == etype):
            spare = [s for s in predicted if s not in gold_stances]
            got = g.stance if g.stance in predicted else (spare[0] if spare else "none")
            report.stance_confusion[(g.stance, got)] = report.stance_confusion.get((g.stance, got), 0) + 1
            # The labeled actors list the initiator first (ROLES.md "From roles to actors"); any holder of
            # the record's first role (authority, claimant, denier ...) is its initiator too.
            initiators = {normalise_name(g.actors[0])} if g.actors else set()
            if g.roles:
                initiators |= {normalise_name(n) for n in g.roles[0][1]}
            if initiators and g.stance in predicted:
                report.initiator_matched += 1
                pred = predicted[g.stance].initiator
                report.initiator_correct += bool(pred and normalise_name(pred) in initiators)
    return wrong


def _row(name: str, prf: PRF) -> str:
    return (f"  {name:<22} {prf.precision:6.3f} {prf.recall:6.3f} {prf.f1:6.3f}   "
            f"{prf.tp:4d} {prf.fp:4d} {prf.fn:4d}")


def format_report(report: EvalReport, *, details: bool = True) -> str:
    """A plain-text table: event types, stance accuracy, entity labels, then per-passage errors."""
    header = f"  {'':<22} {'P':>6} {'R':>6} {'F1':>6}   {'TP':>4} {'FP':>4} {'FN':>4}"
    lines = [f"passages: {report.articles}", "", "event types", header]
    lines += [_row(t, prf) for t, prf in report.event_types.items() if prf.tp + prf.fp + prf.fn]
    lines.append(_row("micro", report.event_micro))
    lines.append(_row("(type, stance) micro", report.type_stance_micro))
    lines += [
        "",
        (f"stance accuracy on matched events: {report.stance_accuracy:.3f} "
        f"({report.stance_correct}/{report.stance_matched})"),
        "stance confusion (rows gold, columns predicted):",
        "  " + " " * 10 + "".join(f"{s:>10}" for s in (*STANCES, "none")),
    ]
    lines += ["  " + f"{g:<10}"
              + "".join(f"{report.stance_confusion.get((g, p), 0):>10}" for p in (*STANCES, "none"))
              for g in STANCES]
    lines += [
        "",
        "actors on (passage, type) found in both",
        header,
        _row("actors", report.actors_micro),
        (f"  initiator accuracy: {report.initiator_accuracy:.3f} "
         f"({report.initiator_correct}/{report.initiator_matched})"),
        "",
        "entities",
        header,
    ]
    lines += [_row(lab, prf) for lab, prf in report.entity_labels.items()]
    lines.append(_row("micro", report.entity_micro))
    if details:
        errors = [d for d in report.diffs if d.missed_types or d.extra_types or d.wrong_stances
                  or d.missed_entities or d.extra_entities or d.wrong_actors]
        if errors:
            lines += ["", "errors by passage"]
        for d in errors:
            parts = [
                ("missed events", d.missed_types), ("extra events", d.extra_types),
                ("wrong stance", d.wrong_stances), ("missed entities", d.missed_entities),
                ("extra entities", d.extra_entities), ("actors", d.wrong_actors),
            ]
            lines.append(f"  {d.id}: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in parts if v))
    return "\n".join(lines)
