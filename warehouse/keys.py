"""Stable keys and the warehouse clock: ids derived from content, so a rerun finds the same rows."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime


def article_id_for(url: str) -> str:
    """Stable article key derived from its canonical URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:20]


def event_id_for(article_url: str, event_type: str, stance: str, actors: Sequence[str]) -> str:
    """Stable event key: the same reading of the same article keeps its id across reprocessing."""
    key = "\x1f".join([article_url, event_type, stance, *sorted(actors)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)

