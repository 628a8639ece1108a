"""Errors classed by what the caller should do about them.

TransientError: try again later (timeouts, resets, 429, 5xx).
PermanentError: record it and move on; retrying the same input gives the same answer.
Every error carries a short machine-readable ``reason`` that is stored in the
database (feed health, article failure) next to the human message.
"""

from __future__ import annotations

# Every reason a TransientError may carry: failures worth another try on a later poll. The one list (an
# entry that failed for one of these is fetched again; tests/extractors/test_errors.py checks that every
# TransientError raised in the code names one).
TRANSIENT_REASONS = frozenset({
    "transient", "timeout", "server_error", "rate_limited", "connection", "decoding", "robots_unavailable",
})


class NewsignalError(Exception):
    """Base class; ``reason`` is a short snake_case code, ``str(exc)`` the human message."""

    reason = "error"
    # Set by the fetcher on errors made from an HTTP response, and absent otherwise (read with getattr).
    status: int
    retry_after: float | None

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class TransientError(NewsignalError):
    reason = "transient"


class PermanentError(NewsignalError):
    reason = "permanent"


class NotAFeed(PermanentError):
    reason = "not_a_feed"


class MalformedFeed(PermanentError):
    """A feed whose XML broke before any entry could be read (truncated, cut off, not well-formed)."""

    reason = "malformed_feed"


class EmptyContent(PermanentError):
    """A page yielded no usable main text; ``reason`` says why (too_short, no_text, ...)."""

    reason = "empty_content"
