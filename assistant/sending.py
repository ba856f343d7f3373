"""Senders: how an approved message leaves the practice. Email goes over SMTP when a host is
configured, otherwise into the outbox folder as .eml files; SMS goes to an outbox CSV for the
practice's SMS provider (the default) or to any `module:Class` that implements `Sender`."""

from __future__ import annotations

import csv
import importlib
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

from assistant import private
from assistant.errors import ConfigurationError, CrosssellError
from assistant.settings import Settings


class SendError(CrosssellError):
    """The channel refused or could not take the message; nothing was sent."""

    exit_code = 8


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    """The outbox's message id: delivering the same id again must not make a second message."""
    draft_id: str
    patient_id: str
    channel: str
    to: str
    subject: str
    body: str
    at: datetime
    """When the practice sent it (the review desk's clock)."""


@dataclass(frozen=True, slots=True)
class Receipt:
    via: str
    reference: str

    def __str__(self) -> str:
        return f"{self.via}:{self.reference}"


class Sender(Protocol):
    def send(self, message: Message) -> Receipt: ...


def _email(message: Message, sender: str) -> EmailMessage:
    """The email for a message, with a Message-ID and the draft it came from."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.at)
    # The same Message-ID on a retry lets the receiving side drop a duplicate.
    email["Message-ID"] = f"<{message.id}@{sender.rsplit('@', 1)[-1]}>"
    email["X-Crosssell-Draft"] = message.draft_id
    email.set_content(message.body)
    return email


class SmtpSender:
    """Email over SMTP with STARTTLS, implicit TLS, or (for a loopback relay) plain."""

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ConfigurationError("CROSSSELL_SMTP_HOST is not set")
        self.settings = settings

    def send(self, message: Message) -> Receipt:
        s = self.settings
        email = _email(message, s.mail_from)
        try:
            with self._connect() as smtp:
                if s.smtp_username:
                    password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                    smtp.login(s.smtp_username, password)
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(
                f"email {message.id} was not sent: SMTP {s.smtp_host}:{s.smtp_port} said {_said(exc)}"
            ) from None
        return Receipt("smtp", email["Message-ID"])

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host  # checked when the sender was made
        if s.smtp_security == "ssl":
            return smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
        if s.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp


ADDRESS = re.compile(r"<?[^\s<>@'\"]+@[^\s<>@'\"]+>?")


def _said(exc: Exception) -> str:
    """The server's answer without the addresses in it: a refusal echoes the patient's."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        said = "; ".join(_reply(code, text) for code, text in exc.recipients.values())
    elif isinstance(exc, smtplib.SMTPResponseException):
        said = _reply(exc.smtp_code, exc.smtp_error)
    else:
        said = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return ADDRESS.sub("<address>", said)


def _reply(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


class EmailOutbox:
    """Writes each email as an .eml file, for a practice without SMTP settings yet."""

    def __init__(self, settings: Settings) -> None:
        self.folder = settings.outbox_dir / "email"
        self.sender = settings.mail_from

    def send(self, message: Message) -> Receipt:
        email = _email(message, self.sender)
        path = private.file(self.folder / f"{message.id}.eml")
        path.write_bytes(bytes(email))
        return Receipt("outbox", str(path))


SMS_COLUMNS = ("queued_at", "draft_id", "patient_id", "to", "body", "message_id")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (`=HYPERLINK(...)`, `@SUM(...)`)."""
NUMBER = re.compile(r"[+-]?[\d\s().-]*\d[\d\s().-]*")
"""A phone number or amount (`+15550100003`): no formula a spreadsheet could run."""


def cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs: one that would start a formula is
    quoted with a leading `'` (OWASP's rule); numbers, phones among them, stay as they are."""
    if value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


class SmsOutbox:
    """Appends each SMS to outbox/sms.csv, the bulk-upload file most SMS providers take; a
    message already in the file is not written again."""

    def __init__(self, settings: Settings) -> None:
        self.path: Path = settings.outbox_dir / "sms.csv"

    def send(self, message: Message) -> Receipt:
        new = not self.path.exists()
        if not new and self._holds(message.id):
            return Receipt("outbox", f"{self.path}")
        private.file(self.path)
        with open(self.path, "a", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            if new:
                writer.writerow(SMS_COLUMNS)
            writer.writerow(
                cell(value)
                for value in (
                    message.at.isoformat(timespec="seconds"),
                    message.draft_id,
                    message.patient_id,
                    message.to,
                    message.body,
                    message.id,
                )
            )
        return Receipt("outbox", f"{self.path}")

    def _holds(self, message_id: str) -> bool:
        with open(self.path, newline="", encoding="utf-8") as handle:
            return any(row.get("message_id") == cell(message_id) for row in csv.DictReader(handle))


def senders(settings: Settings) -> dict[str, Sender]:
    """The sender for each channel, as configured."""
    use_smtp = settings.email_sender == "smtp" or (
        settings.email_sender == "auto" and bool(settings.smtp_host)
    )
    email: Sender = SmtpSender(settings) if use_smtp else EmailOutbox(settings)
    return {"email": email, "sms": _plugin(settings.sms_sender, settings)}


def _plugin(name: str, settings: Settings) -> Sender:
    if name == "outbox":
        return SmsOutbox(settings)
    module, _, attribute = name.partition(":")
    try:
        factory = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError, ValueError):
        raise ConfigurationError(
            f"CROSSSELL_SMS_SENDER={name!r} names no importable `module:Class`"
        ) from None
    return factory(settings)
