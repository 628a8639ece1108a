"""Control characters never reach storage: escape sequences, NUL, bell, CR and the C1 range go."""

from __future__ import annotations

import unicodedata

from extractors.models import ArticleText, FeedEntry, ParsedFeed
from extractors.text import clean_line, clean_text

# Clears the screen, retitles the terminal window, rings the bell, hides what came before a CR.
HOSTILE = "Acme\x1b[2J\x1b]0;owned\x07 cuts\x00 prices\x08\x7f \x9b31mtoday\rnow\x1bc"


def no_controls(value: str, allowed: str = "") -> bool:
    return all(unicodedata.category(ch) != "Cc" or ch in allowed for ch in value)


def test_a_line_keeps_its_words_and_loses_every_control():
    assert clean_line(HOSTILE) == "Acme cuts prices today now"
    assert clean_line("  Two\r\n  lines\tand\u2028three\x85four ") == "Two lines and three four"


def test_text_keeps_newlines_and_tabs_and_unifies_line_breaks():
    assert clean_text("one\r\ntwo\rthree\u2029four\n\n\tfive\x00") == "one\ntwo\nthree\nfour\n\n\tfive"
    assert clean_text("red \x1b[1;31malert\x1b[0m done") == "red alert done"


def test_a_stray_escape_opener_does_not_swallow_the_text_after_it():
    assert clean_text("before \x1b] after, with no terminator") == "before  after, with no terminator"


def test_no_control_character_survives():
    for ch in map(chr, range(0x250)):
        assert no_controls(clean_text(f"a{ch}b"), "\n\t") and no_controls(clean_line(f"a{ch}b")), hex(ord(ch))


def test_records_are_clean_when_built():
    entry = FeedEntry("k", "guid\x00", None, HOSTILE, HOSTILE, HOSTILE, "Ann\x1b[8m Author", None)
    assert entry.title == "Acme cuts prices today now" and entry.author == "Ann Author"
    assert entry.summary == "Acme cuts prices today\nnow" and entry.guid == "guid"
    article = ArticleText("https://news.example/a", HOSTILE, f"First.\r\n\r\n{HOSTILE}")
    assert article.title == "Acme cuts prices today now"
    assert article.text == "First.\n\nAcme cuts prices today\nnow"
    assert ParsedFeed(f"Feed\n{HOSTILE}", None, "rss20", ()).title == "Feed Acme cuts prices today now"
