"""SMTP delivery of the digest: STARTTLS, implicit TLS or plain, with login and retries.

The password comes from the environment only and is never logged or stored.
"""

from __future__ import annotations

import logging
import random
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import TYPE_CHECKING

from warehouse.digest import Delivery

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

log = logging.getLogger(__name__)

SECURITY_MODES = ("starttls", "tls", "none")


class MailConfigError(Exception):
    """SMTP settings are missing or wrong; the message names the setting to fix."""


class DeliveryFailed(Exception):
    """Every attempt to hand the digest to the SMTP server failed."""


class DeliveryUncertain(Exception):
    """A send may or may not have arrived: it failed after the message body was transmitted, or a
    previous run stopped mid-send. Never retried automatically; ``--resend`` sends it again."""

    attempts = 0  # attempts used by the send that ended this way (0: refused before sending)


def check_ledger(previous: Delivery | None, day: date) -> bool:
    """True when the digest for ``day`` was sent already; raises DeliveryUncertain when it may have been.

    ``previous`` is the ledger row for this date and recipient list (None: never tried). A failed
    attempt is sent again: it failed before the server had the message.
    """
    if previous is None:
        return False
    if previous.status == "sent":
        return True
    if previous.status == "sending":
        raise DeliveryUncertain(
            f"the digest for {day} was being sent when a previous run stopped, so it may have arrived: "
            "check the inbox, then use --resend to send it again")
    if previous.status == "uncertain":
        raise DeliveryUncertain(
            f"the digest for {day} may have arrived: the SMTP server received it but never confirmed. "
            "Check the inbox, then use --resend to send it again")
    return False


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password: str = field(default="", repr=False)  # never shown in logs or reprs
    sender: str = ""
    recipients: tuple[str, ...] = ()
    timeout_s: float = 30.0
    attempts: int = 3
    retry_base_delay_s: float = 2.0

    def validate(self) -> None:
        if not self.host:
            raise MailConfigError("no SMTP host: set [smtp] host in settings.toml or NEWSIGNAL_SMTP_HOST")
        if self.security not in SECURITY_MODES:
            raise MailConfigError(f"NEWSIGNAL_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, "
                                  f"not {self.security!r}")
        if not self.sender:
            raise MailConfigError("no sender: set [smtp] sender or NEWSIGNAL_DIGEST_FROM")
        if not self.recipients:
            raise MailConfigError(
                "no recipients: set [smtp] recipients or NEWSIGNAL_DIGEST_TO (comma-separated)"
            )
        if self.user and not self.password:
            raise MailConfigError("NEWSIGNAL_SMTP_USER is set but NEWSIGNAL_SMTP_PASSWORD is not")


class _BodyTrackingSMTP(smtplib.SMTP):
    """An SMTP client that notes when the whole message body has gone out.

    smtplib sends the body with one ``send`` right after the server's 354 reply to DATA. From then on the
    server may deliver the message even if its final reply never reaches us, so an error is no longer
    proof that nothing arrived.
    """

    body_sent = False
    _body_next = False

    def getreply(self) -> tuple[int, bytes]:
        code, text = super().getreply()
        self._body_next = code == 354  # only DATA is answered with 354
        return code, text

    def send(self, s: ReadableBuffer | str) -> None:
        super().send(s)  # raises before returning if the terminating "." did not go out
        if self._body_next:
            self._body_next = False
            self.body_sent = True


class _BodyTrackingSMTPSSL(_BodyTrackingSMTP, smtplib.SMTP_SSL):
    """The same for implicit TLS (port 465)."""


def _refused_after_body(exc: Exception) -> bool:
    """A 4xx/5xx answer to the body: the server said it did not take the message."""
    return isinstance(exc, smtplib.SMTPDataError) and 400 <= exc.smtp_code < 600


def _send_once(msg: EmailMessage, smtp: SmtpSettings, context: ssl.SSLContext | None) -> None:
    """One SMTP exchange; raises DeliveryUncertain when it failed after the body was transmitted."""
    context = context or ssl.create_default_context()
    client: _BodyTrackingSMTP
    if smtp.security == "tls":
        client = _BodyTrackingSMTPSSL(smtp.host, smtp.port, timeout=smtp.timeout_s, context=context)
    else:
        client = _BodyTrackingSMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    try:
        client.ehlo()
        if smtp.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if smtp.user:
            client.login(smtp.user, smtp.password)
        refused = client.send_message(msg, from_addr=smtp.sender, to_addrs=list(smtp.recipients))
    except (smtplib.SMTPException, OSError) as exc:
        if client.body_sent and not _refused_after_body(exc):
            raise DeliveryUncertain(
                f"the SMTP server {smtp.host}:{smtp.port} received the whole digest but gave no answer "
                f"({exc}); it may have arrived. Not retried: check the inbox, then use --resend to send it "
                "again") from exc
        raise
    finally:
        _quit(client)
    if refused:
        # The server accepted the message for the others: sending it again would duplicate it for them.
        log.warning("digest accepted for delivery, but %s refused: %s", smtp.host,
                    ", ".join(f"{rcpt} ({code})" for rcpt, (code, _) in sorted(refused.items())))


def _quit(client: smtplib.SMTP) -> None:
    """Say goodbye; once the message was accepted, a server that hangs up rudely changes nothing."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def retry_delay_s(smtp: SmtpSettings, attempt: int) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): exponential backoff with jitter."""
    return smtp.retry_base_delay_s * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)


def worth_retrying(exc: BaseException) -> bool:
    """Whether a failed attempt may be tried again: only when the server cannot have the message.

    DeliveryUncertain (the body went out) and DeliveryFailed (login refused, or the last attempt)
    are final; the policy of both ``send_digest`` and the digest flow's Prefect retries.
    """
    return isinstance(exc, (smtplib.SMTPException, OSError)) and not isinstance(
        exc, smtplib.SMTPAuthenticationError)


def send_attempt(msg: EmailMessage, smtp: SmtpSettings, attempt: int, *,
                 context: ssl.SSLContext | None = None) -> None:
    """Attempt number ``attempt`` (1-based, of ``smtp.attempts``) to send ``msg``.

    Raises DeliveryUncertain (with ``attempts``) when it failed after the message body was
    transmitted: the server may have delivered it, and a retry could deliver it twice.
    Raises DeliveryFailed when the login was refused or this was the last attempt; the
    SMTP or socket error itself when another attempt may follow (``worth_retrying``).
    """
    try:
        _send_once(msg, smtp, context)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryFailed(
            f"SMTP login as {smtp.user!r} refused by {smtp.host}: {exc.smtp_code}"
        ) from exc
    except DeliveryUncertain as exc:
        exc.attempts = attempt
        raise
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("digest delivery attempt %d/%d to %s:%d failed: %s", attempt, smtp.attempts,
                    smtp.host, smtp.port, exc)
        if attempt >= smtp.attempts:
            raise DeliveryFailed(
                f"could not deliver to {smtp.host}:{smtp.port} after {smtp.attempts} attempts: {exc}"
            ) from exc
        raise


def send_digest(msg: EmailMessage, smtp: SmtpSettings, *, context: ssl.SSLContext | None = None) -> int:
    """Send ``msg``, retrying with exponential backoff; returns the attempts used.

    Raises DeliveryFailed after the last attempt (authentication errors are not retried), and
    DeliveryUncertain at once when an attempt failed after the message body was transmitted: the
    server may have delivered it, and a retry could deliver it twice. (The digest flow retries
    through Prefect instead, with the same attempt and policy: flows.daily_digest.)
    """
    smtp.validate()
    attempt = 1
    while True:
        try:
            send_attempt(msg, smtp, attempt, context=context)
            return attempt
        except Exception as exc:
            if not worth_retrying(exc):
                raise
        time.sleep(retry_delay_s(smtp, attempt))
        attempt += 1
