"""The mention record the entity rules pass between them, and the span helpers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc

_DETERMINERS = ("the ", "a ", "an ")
_POSSESSIVE_RE = re.compile(r"(?:'s|’s|'|’)$")
# Legal forms after a company's name ("Corvanta AS", "Fernhollow Ltd"): the words before one are a company,
# and an unknown name is written without it.
LEGAL_FORMS = frozenset({
    "Inc", "Corp", "Ltd", "LLC", "plc", "PLC", "GmbH", "AG", "AS", "ASA", "AB", "Oy", "Oyj", "SpA", "BV",
    "NV",
})
# ("Co" and "S.A" end a name too, but alone they are no sign of one.)
_CORP_SUFFIX_RE = re.compile(
    r",?\s+(?:" + "|".join(re.escape(f) for f in sorted(LEGAL_FORMS | {"Co", "S.A"})) + r")\.?$")
_QUOTES = "\"'“”‘’«»"


@dataclass(frozen=True)
class MentionSpan:
    """A canonical mention plus the token offsets the event rules need."""

    label: str
    name: str
    text: str
    start_char: int
    end_char: int
    start: int  # token offsets into the Doc
    end: int
    known: bool
    kind: str = ""
    owner: str | None = None


def tidy_surface(text: str) -> str:
    """Strip quotes, determiners, possessives and corporate suffixes from an unknown name."""
    text = " ".join(text.split()).strip(_QUOTES + " ")
    lowered = text.lower()
    for det in _DETERMINERS:
        if lowered.startswith(det):
            text = text[len(det):]
            break
    text = _POSSESSIVE_RE.sub("", text).strip()
    text = _CORP_SUFFIX_RE.sub("", text).strip()
    return text.strip(_QUOTES + " ,.;:")


def span_mention(
    doc: Doc, label: str, start: int, end: int, name: str | None = None, **kw: Any
) -> MentionSpan:
    span = doc[start:end]
    return MentionSpan(label, name or tidy_surface(span.text), span.text, span.start_char, span.end_char,
                       start, end, known=kw.pop("known", False), **kw)


def replace_region(mentions: list[MentionSpan], new: MentionSpan) -> list[MentionSpan]:
    kept = [m for m in mentions if m.end <= new.start or m.start >= new.end]
    return sorted([*kept, new], key=lambda m: m.start)


