"""Resolve a DATE phrase from an event sentence against the article's publication date.

Deliberately small and deterministic (no dateparser): news sentences name dates in a handful of shapes
("on Thursday", "Jan. 13", "December 11, 2025", "last month", "in September", "2025-02-26").
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_ISO_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_DAY_RE = re.compile(_MONTH_RE + r"\s+(\d{1,2})(?!\d)(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?", re.I)
_DAY_MONTH_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r"(?:,?\s+(\d{4}))?",
                           re.I)
_MONTH_YEAR_RE = re.compile(_MONTH_RE + r"\s+(\d{4})\b", re.I)
_MONTH_ONLY_RE = re.compile(r"^(?:in |early |late |mid-?)?" + _MONTH_RE + r"$", re.I)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_number(word: str) -> int:
    return _MONTHS.get(word.lower().rstrip(".")[:4], 0) or _MONTHS.get(word.lower().rstrip(".")[:3], 0)


def _year_for(month: int, day: int, published: date, future: bool) -> int:
    """A month/day without a year: the occurrence nearest the publication date in the right direction."""
    candidate = _safe_date(published.year, month, day)
    if candidate is None:
        return published.year
    if not future and candidate > published + timedelta(days=7):
        return published.year - 1
    if future and candidate < published - timedelta(days=7):
        return published.year + 1
    return published.year


def _relative(text: str, published: date, future: bool) -> date | None:
    if text in ("today", "this week", "this month", "this year", "now"):
        return published
    if text == "yesterday":
        return published - timedelta(days=1)
    if text == "tomorrow":
        return published + timedelta(days=1)
    if text == "last week":
        return published - timedelta(days=7)
    if text == "next week":
        return published + timedelta(days=7)
    if text == "last month":
        year, month = (
            (published.year, published.month - 1) if published.month > 1 else (published.year - 1, 12)
        )
        return date(year, month, min(published.day, calendar.monthrange(year, month)[1]))
    if text == "last year":
        return _safe_date(published.year - 1, published.month, min(published.day, 28))
    weekday = _WEEKDAYS.get(text.removesuffix(" morning").removesuffix(" night").removesuffix(" evening"))
    if weekday is not None:
        delta = (weekday - published.weekday()) % 7
        if future:
            return published + timedelta(days=delta or 7)
        return published - timedelta(days=(published.weekday() - weekday) % 7)
    return None


def resolve_date(phrase: str, published: date | None, *, future: bool = False) -> date | None:
    """The calendar date a DATE phrase names, or None when it cannot be pinned to a day.

    ``future`` (the event verb has "will") picks the next rather than the last weekday/occurrence.
    Phrases without a year need ``published``; absolute dates with a year resolve without it.
    """
    text = " ".join(phrase.lower().split()).strip(" ,.")
    for prefix in ("on ", "since ", "from ", "by ", "until ", "this past ", "the ", "last ", "earlier "):
        if text.startswith(prefix) and _WEEKDAYS.get(text[len(prefix):]) is not None:
            text = text[len(prefix):]
    if m := _ISO_RE.search(text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _MONTH_DAY_RE.search(text):
        month, day = _month_number(m[1]), int(m[2])
        if m[3]:
            return _safe_date(int(m[3]), month, day)
        return _safe_date(_year_for(month, day, published, future), month, day) if published else None
    if m := _DAY_MONTH_RE.search(text):
        day, month = int(m[1]), _month_number(m[2])
        if m[3]:
            return _safe_date(int(m[3]), month, day)
        return _safe_date(_year_for(month, day, published, future), month, day) if published else None
    if m := _MONTH_YEAR_RE.search(text):
        return _safe_date(int(m[2]), _month_number(m[1]), 1)
    if published is None:
        return None
    if m := _MONTH_ONLY_RE.match(text):
        month = _month_number(m[1])
        return _safe_date(_year_for(month, 1, published, future), month, 1)
    return _relative(text, published, future)
