"""What text from outside may look like once stored: no control characters.

Titles, article text and error messages come from strangers and end up on terminals (``query --format
csv``, ``status``) and in mail. An ESC sequence there can rewrite the screen or the window title, a NUL
can cut a line short, a lone CR can hide what came before it. The records that carry text into the
warehouse clean it with these two functions when they are built (``extractors.models``,
``warehouse.records``), so everything downstream (NLP offsets included) sees the clean text.
"""

from __future__ import annotations

import re

# Whole terminal escape sequences go, not just their ESC: "\x1b[2J" would otherwise leave "[2J" behind.
# CSI (ESC [ or the 8-bit U+009B) with its parameters; OSC/DCS/APC/PM/SOS strings when they end (BEL or
# ST) within a short stretch, so a stray opener never swallows the text after it; any other ESC with the
# one character it takes.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]{0,32}[ -/]{0,8}[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,256}(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -~]?"
)
# Line breaks in all their spellings: CRLF, CR, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.
_LINE_BREAK = re.compile(r"\r\n?|[\x85\u2028\u2029]")
# Every C0 control but TAB and LF, DEL, and every C1 control (what unicodedata calls Cc).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BREAK_AND_SPACE = re.compile(r"[ \t]*[\n\t][ \t\n]*")
# Anything clean_text would change: most text has none, and one scan for it is cheap.
_UNCLEAN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clean_text(value: str) -> str:
    """Body text: line breaks become ``\\n``; escape sequences and other control characters go (tab stays)."""
    if not _UNCLEAN.search(value):
        return value
    value = _LINE_BREAK.sub("\n", value)
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", value))


def clean_line(value: str) -> str:
    """A title, name or message: one line, no control characters, no spaces at either end."""
    return _BREAK_AND_SPACE.sub(" ", clean_text(value)).strip()


def clean_fields(record: object, *, lines: tuple[str, ...] = (), texts: tuple[str, ...] = ()) -> None:
    """Clean the named str fields of a frozen dataclass in place (call it from ``__post_init__``).

    ``lines`` become one line (titles, names, messages); ``texts`` keep their line breaks and tabs.
    None stays None.
    """
    for names, clean in ((lines, clean_line), (texts, clean_text)):
        for name in names:
            value = getattr(record, name)
            if isinstance(value, str):
                object.__setattr__(record, name, clean(value))  # frozen: the dataclass-sanctioned way in
