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
from email.message import EmailMessage

log = logging.getLogger(__name__)

SECURITY_MODES = ("starttls", "tls", "none")


class MailConfigError(Exception):
    """SMTP settings are missing or wrong; the message names the setting to fix."""


class DeliveryFailed(Exception):
    """Every attempt to hand the digest to the SMTP server failed."""


class DeliveryUncertain(Exception):
    """A previous send was interrupted after it started: it may or may not have arrived."""


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


def _send_once(msg: EmailMessage, smtp: SmtpSettings, context: ssl.SSLContext | None) -> None:
    context = context or ssl.create_default_context()
    client: smtplib.SMTP
    if smtp.security == "tls":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_s, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    with client:
        client.ehlo()
        if smtp.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if smtp.user:
            client.login(smtp.user, smtp.password)
        refused = client.send_message(msg, from_addr=smtp.sender, to_addrs=list(smtp.recipients))
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


def send_digest(msg: EmailMessage, smtp: SmtpSettings, *, context: ssl.SSLContext | None = None) -> int:
    """Send ``msg``, retrying with exponential backoff; returns the attempts used.

    Raises DeliveryFailed after the last attempt (authentication errors are not retried).
    """
    smtp.validate()
    last: Exception | None = None
    for attempt in range(1, smtp.attempts + 1):
        try:
            _send_once(msg, smtp, context)
            return attempt
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailed(
                f"SMTP login as {smtp.user!r} refused by {smtp.host}: {exc.smtp_code}"
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            last = exc
            log.warning("digest delivery attempt %d/%d to %s:%d failed: %s", attempt, smtp.attempts,
                        smtp.host, smtp.port, exc)
            if attempt < smtp.attempts:
                time.sleep(smtp.retry_base_delay_s * 2 ** (attempt - 1) * random.uniform(0.8, 1.2))
    raise DeliveryFailed(
        f"could not deliver to {smtp.host}:{smtp.port} after {smtp.attempts} attempts: {last}"
    )
