"""Hand-made signal events for digest tests (no database, no NLP)."""

from __future__ import annotations

from datetime import date, datetime

from extractors.signals import SignalEvent

DAY = date(2026, 11, 20)
BOUNDS = (datetime(2026, 11, 20), datetime(2026, 11, 21))


def event(eid: str, etype: str, stance: str, actors: list[str], source: str, *, signal: str = "s1",
          story: str | None = None, owner: str | None = None, seen: datetime = datetime(2026, 11, 20, 9),
          title: str = "Headline", conf: float = 0.8, evidence: str | None = None) -> tuple[str, SignalEvent]:
    return signal, SignalEvent(
        event_id=eid, event_type=etype, stance=stance, actors=tuple(actors), event_date=seen.date(),
        article_id="a" + eid, story_id=story or "st" + eid, source=source, owner=owner, seen_at=seen,
        confidence=conf, evidence=evidence or f"{actors[0]} did something notable.", article_title=title,
        article_url=f"https://{source.lower().replace(' ', '')}.example/{eid}",
    )
