"""Digest delivery against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import os
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from flows.daily_digest import deliver
from flows.digest.build import build_digest
from flows.digest.mailer import DeliveryFailed, DeliveryUncertain, SmtpSettings
from tests.flows.digest.factory import BOUNDS, event
from warehouse.digest import delivery, record_delivery
from warehouse.writer import writer

DAY = dt.date(2026, 11, 20)
RECIPIENTS = ("analyst@example.org", "desk@example.org")


def free_port() -> int:
    # Controller(port=0) leaves .port at 0, so pick a free port first.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def digest():
    member = event("1", "export_control", "asserted", ["Bureau of Industry and Security", "China"],
                   "Circuit Ledger", title="US adds 12 Chinese AI firms to Entity List", conf=0.9,
                   evidence=("The Bureau of Industry and Security added 12 Chinese AI firms "
                             "to the Entity List."))
    return build_digest(DAY, "UTC", BOUNDS, [member], {"export_control": 1.0})


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def settings(port: int, **kw) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security=kw.pop("security", "none"),
                        sender="newsignal@example.org", recipients=RECIPIENTS, retry_base_delay_s=0.01,
                        timeout_s=kw.pop("timeout_s", 5), **kw)


def test_digest_is_delivered_once_as_multipart_alternative(db_path: Path, smtp_server):
    inbox, port = smtp_server
    assert deliver(db_path, digest(), settings(port)) == "sent"
    assert deliver(db_path, digest(), settings(port)) == "already sent"
    assert len(inbox.messages) == 1
    sender, rcpts, raw = inbox.messages[0]
    assert sender == "newsignal@example.org" and sorted(rcpts) == sorted(RECIPIENTS)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "newsignal digest 2026-11-20: US adds 12 Chinese AI firms to Entity List"
    assert msg.get_content_type() == "multipart/alternative"
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    assert "Entity List" in text.get_content() and "https://circuitledger.example/1" in text.get_content()
    assert '<a href="https://circuitledger.example/1"' in html.get_content()
    with writer(db_path) as con:
        sent = delivery(con, DAY, list(reversed(RECIPIENTS)))  # the order does not matter
    assert sent is not None and sent.status == "sent"
    assert deliver(db_path, digest(), settings(port), resend=True) == "sent"
    assert len(inbox.messages) == 2


def test_an_unreachable_server_is_retried_recorded_and_never_marked_sent(db_path: Path):
    port = free_port()  # nothing listens here
    with pytest.raises(DeliveryFailed, match="after 3 attempts"):
        deliver(db_path, digest(), settings(port, attempts=3))
    with writer(db_path) as con:
        state = delivery(con, DAY, RECIPIENTS)
    assert state is not None
    assert state.status == "failed" and state.sent_at is None and state.attempts == 3


def test_an_interrupted_send_is_not_repeated_silently(db_path: Path, smtp_server):
    inbox, port = smtp_server
    with writer(db_path) as con:
        record_delivery(con, DAY, RECIPIENTS, status="sending", subject="s", now=dt.datetime(2026, 11, 20, 7))
    with pytest.raises(DeliveryUncertain, match="--resend"):
        deliver(db_path, digest(), settings(port))
    assert inbox.messages == []


class StallAfterData(Inbox):
    """Takes the whole message, then says nothing for ``stall_s``: the client cannot tell if it arrived."""

    def __init__(self, stall_s: float) -> None:
        super().__init__()
        self.stall_s = stall_s

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        await asyncio.sleep(self.stall_s)  # cancelled by controller.stop()
        return "250 Message accepted for delivery"


class StallBeforeData(Inbox):
    """Stalls at MAIL FROM on the first connection only; later connections go through."""

    def __init__(self, stall_s: float) -> None:
        super().__init__()
        self.stall_s = stall_s
        self.mail_commands = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        self.mail_commands += 1
        if self.mail_commands == 1:
            await asyncio.sleep(self.stall_s)
        envelope.mail_from = address
        return "250 OK"


def test_a_timeout_after_data_is_uncertain_never_retried_and_sent_again_only_on_resend(db_path: Path):
    inbox = StallAfterData(stall_s=30)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp = settings(controller.port, attempts=3, timeout_s=1)
        with pytest.raises(DeliveryUncertain, match="--resend"):
            deliver(db_path, digest(), smtp)
        assert len(inbox.messages) == 1  # not retried: the server had the whole message
        with writer(db_path) as con:
            state = delivery(con, DAY, RECIPIENTS)
        assert state is not None
        assert state.status == "uncertain" and state.sent_at is None and state.attempts == 1
        assert state.last_error and "may have arrived" in state.last_error

        with pytest.raises(DeliveryUncertain, match="--resend"):  # a later --send refuses
            deliver(db_path, digest(), smtp)
        assert len(inbox.messages) == 1

        inbox.stall_s = 0
        assert deliver(db_path, digest(), smtp, resend=True) == "sent"
        assert len(inbox.messages) == 2
        with writer(db_path) as con:
            state = delivery(con, DAY, RECIPIENTS)
        assert state is not None and state.status == "sent" and state.sent_at is not None
    finally:
        controller.stop()


def test_a_timeout_before_data_is_still_retried(db_path: Path):
    inbox = StallBeforeData(stall_s=30)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        assert deliver(db_path, digest(), settings(controller.port, attempts=3, timeout_s=1)) == "sent"
        assert len(inbox.messages) == 1 and inbox.mail_commands == 2
        with writer(db_path) as con:
            state = delivery(con, DAY, RECIPIENTS)
        assert state is not None and state.status == "sent" and state.attempts == 2
    finally:
        controller.stop()


def test_send_refuses_an_uncertain_digest_in_one_line(db_path: Path, smtp_server):
    inbox, port = smtp_server
    with writer(db_path) as con:
        record_delivery(con, DAY, RECIPIENTS, status="uncertain", subject="s", attempts=1,
                        error="timed out after DATA", now=dt.datetime(2026, 11, 21, 7))
    env = {**os.environ, "NEWSIGNAL_SMTP_HOST": "127.0.0.1", "NEWSIGNAL_SMTP_PORT": str(port),
           "NEWSIGNAL_SMTP_SECURITY": "none", "NEWSIGNAL_DIGEST_FROM": "newsignal@example.org",
           "NEWSIGNAL_DIGEST_TO": ",".join(RECIPIENTS)}
    result = subprocess.run([sys.executable, "-m", "flows.cli", "digest", "--db", str(db_path), "--date",
                             DAY.isoformat(), "--send"], capture_output=True, text=True, env=env, timeout=300)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert lines[0].startswith("error: the digest for 2026-11-20 may have arrived") and "--resend" in lines[0]
    assert inbox.messages == []


def test_refused_recipients_do_not_make_the_others_a_second_copy(db_path: Path):
    class RefusesOne(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            if address == RECIPIENTS[1]:
                return "550 no such user here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    inbox = RefusesOne()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        assert deliver(db_path, digest(), settings(controller.port, attempts=3)) == "sent"
        assert [rcpts for _, rcpts, _ in inbox.messages] == [[RECIPIENTS[0]]]
    finally:
        controller.stop()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address(
                "127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_starttls_with_login(db_path: Path, tmp_path: Path):
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    seen_logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        seen_logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=server_ctx,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    controller.start()
    try:
        client_ctx = ssl.create_default_context(cafile=str(cert))
        smtp = settings(controller.port, security="starttls", user="digest", password="s3cret")
        assert deliver(db_path, digest(), smtp, context=client_ctx) == "sent"
        assert len(inbox.messages) == 1 and seen_logins and all(ok for _, ok in seen_logins)
        assert "s3cret" not in repr(smtp)
        with pytest.raises(DeliveryFailed, match="login"):
            deliver(db_path, digest(), settings(controller.port, security="starttls", user="digest",
                                                password="wrong"), context=client_ctx, resend=True)
    finally:
        controller.stop()


def test_implicit_tls_delivers_through_the_same_tracking_client(db_path: Path, tmp_path: Path):
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    inbox = StallAfterData(stall_s=30)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ssl_context=server_ctx)
    controller.start()
    try:
        client_ctx = ssl.create_default_context(cafile=str(cert))
        smtp = settings(controller.port, security="tls", attempts=3, timeout_s=1)
        with pytest.raises(DeliveryUncertain, match="--resend"):
            deliver(db_path, digest(), smtp, context=client_ctx)
        assert len(inbox.messages) == 1
        inbox.stall_s = 0
        assert deliver(db_path, digest(), smtp, context=client_ctx, resend=True) == "sent"
        assert len(inbox.messages) == 2
    finally:
        controller.stop()


def test_the_retry_policy_shared_with_prefect_never_retries_a_message_that_went_out():
    import smtplib

    from flows.digest.mailer import DeliveryFailed, DeliveryUncertain, worth_retrying

    assert worth_retrying(smtplib.SMTPServerDisconnected("gone")) and worth_retrying(TimeoutError())
    assert not worth_retrying(DeliveryUncertain("the server had the whole message"))
    assert not worth_retrying(DeliveryFailed("last attempt"))
    assert not worth_retrying(smtplib.SMTPAuthenticationError(535, b"no"))
