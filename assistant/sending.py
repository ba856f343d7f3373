"""Senders: how an approved message leaves the practice. Email goes over SMTP when a host is
configured, through a Postmark-style HTTP API when chosen, otherwise into the outbox folder as
.eml files; SMS goes to an outbox CSV for the
practice's SMS provider (the default), through Twilio, or to any `module:Class` that implements
`Sender`."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import importlib
import os
import re
import secrets
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape
from pathlib import Path
from typing import Any, Protocol

import httpx
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from assistant import private
from assistant.errors import ConfigurationError, CrosssellError
from assistant.settings import Settings

TEST_PREFIX = "test-"
"""The id of a test a coordinator sent themselves: no patient's message, never in the outbox."""


class SendError(CrosssellError):
    """The channel refused or could not take the message; nothing was sent. `permanent`: the
    channel said trying again cannot help (an inactive recipient, an opted-out number), so the
    outbox fails the message at once instead of retrying it."""

    exit_code = 8

    def __init__(self, message: str, *, permanent: bool = False, opted_out: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent or opted_out
        self.opted_out = opted_out
        """The channel says the recipient opted out with it (Twilio's 21610)."""


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


class UnsubscribeLinks:
    """Login-free unsubscribe links: the message's id and an HMAC of it, so a link opts out
    only the patient it was sent to and cannot be made up for another. The link carries no
    patient data; the outbox knows whose message it was."""

    PATH = "/v1/unsubscribe/"

    def __init__(self, secret: bytes, base_url: str) -> None:
        self.secret = secret
        self.base_url = base_url.rstrip("/")

    @classmethod
    def of(cls, settings: Settings) -> UnsubscribeLinks:
        base = settings.public_url or f"http://{settings.api_host}:{settings.api_port}"
        return cls(unsubscribe_key(settings), base)

    def link(self, message_id: str) -> str:
        return f"{self.base_url}{self.PATH}{self.token(message_id)}"

    def placeholder(self) -> str:
        """What a preview shows for the link: each message gets its own when it is sent."""
        return f"{self.base_url}{self.PATH}(a link of its own, made when it is sent)"

    def token(self, message_id: str) -> str:
        said = base64.urlsafe_b64encode(message_id.encode()).decode().rstrip("=")
        return f"{said}.{self._signature(message_id)}"

    def message_id(self, token: str) -> str | None:
        """The message a token was made for; None for one this practice did not sign."""
        said, _, signature = token.partition(".")
        try:
            message_id = base64.urlsafe_b64decode(said + "=" * (-len(said) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        if not hmac.compare_digest(signature, self._signature(message_id)):
            return None
        return message_id

    def _signature(self, message_id: str) -> str:
        digest = hmac.new(self.secret, b"unsubscribe\0" + message_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()


def unsubscribe_key(settings: Settings) -> bytes:
    """`CROSSSELL_UNSUBSCRIBE_SECRET`, else a random key made once in the home folder (0600)."""
    if settings.unsubscribe_secret is not None:
        return settings.unsubscribe_secret.get_secret_value().encode()
    path = settings.home / "unsubscribe.key"
    try:
        private.folder(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, private.FILE)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_bytes().strip()


@dataclass(frozen=True, slots=True)
class Letterhead:
    """What every email from the practice carries besides the message: who it is from, where
    replies go, the postal address (CAN-SPAM) and the booking link."""

    practice: str
    sender: str
    reply_to: str
    address: str
    booking_url: str

    @classmethod
    def of(cls, settings: Settings) -> Letterhead:
        return cls(
            settings.practice_name.strip(),
            settings.mail_from,
            settings.mail_reply_to,
            " ".join(settings.practice_address.split()),
            settings.booking_url.strip(),
        )


@dataclass(frozen=True, slots=True)
class Composed:
    """A message as its patient receives it: what a person reads of the headers, and the text.
    The senders send this, and the review screen previews it, so the two never differ."""

    channel: str
    to: str
    sender: str
    """The From line (an SMS's is the practice's number, not known here: empty)."""
    reply_to: str
    subject: str
    text: str
    """The plain text as it arrives: for an email the body with the booking link, the footer
    (practice, postal address) and the unsubscribe line; for an SMS its body as written (the
    opt-out line is part of it: the compliance guard makes sure)."""
    html: str = ""
    unsubscribe: str = ""


def compose(message: Message, head: Letterhead, unsubscribe: str) -> Composed:
    """The message as the patient will receive it, by its channel; `unsubscribe` is the email's
    link (the SMS opts out by a reply)."""
    if message.channel != "email":
        return compose_sms(message)
    booking = head.booking_url if head.booking_url and head.booking_url not in message.body else ""
    return Composed(
        channel="email",
        to=message.to,
        sender=formataddr((head.practice, head.sender)) if head.practice else head.sender,
        reply_to=head.reply_to,
        subject=message.subject,
        text=_text(message.body, head, booking, unsubscribe),
        html=_html(message.body, head, booking, unsubscribe),
        unsubscribe=unsubscribe,
    )


def compose_sms(message: Message) -> Composed:
    """An SMS goes as written: nothing is added to it."""
    return Composed(channel="sms", to=message.to, sender="", reply_to="", subject="", text=message.body)


def _email(message: Message, head: Letterhead, links: UnsubscribeLinks) -> EmailMessage:
    """The email for a message: plain text and a simple HTML part, the footer, and one-click
    unsubscribe headers (RFC 8058) a mailbox provider shows as its own button."""
    composed = compose(message, head, links.link(message.id))
    email = EmailMessage()
    email["From"] = composed.sender
    email["To"] = composed.to
    if composed.reply_to:
        email["Reply-To"] = composed.reply_to
    email["Subject"] = composed.subject
    email["Date"] = format_datetime(message.at)
    for name, value in _headers(message, composed, head):
        email[name] = value
    email.set_content(composed.text)
    email.add_alternative(composed.html, subtype="html")
    return email


def _headers(message: Message, composed: Composed, head: Letterhead) -> list[tuple[str, str]]:
    """The headers every email carries beyond From, To, Reply-To, Subject and Date, whichever
    sender takes it (SMTP or a mail API)."""
    # The same Message-ID on a retry lets the receiving side drop a duplicate.
    headers = [
        ("Message-ID", f"<{message.id}@{head.sender.rsplit('@', 1)[-1]}>"),
        ("X-Crosssell-Draft", message.draft_id),
    ]
    if message.id.startswith(TEST_PREFIX):
        headers.append(("X-Crosssell-Test", "yes"))
    headers.append(("List-Unsubscribe", f"<{composed.unsubscribe}>"))
    headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return headers


def _footer(head: Letterhead) -> list[str]:
    who = head.practice or "the practice"
    lines = [line for line in (head.practice, head.address) if line]
    return [*lines, f"You receive this email as a patient of {who}."]


def _text(body: str, head: Letterhead, booking: str, unsubscribe: str) -> str:
    parts = [body.rstrip()]
    if booking:
        parts.append(f"Book online: {booking}")
    footer = "\n".join([*_footer(head), f"To stop these emails: {unsubscribe}"])
    return "\n\n".join([*parts, f"--\n{footer}"]) + "\n"


def _html(body: str, head: Letterhead, booking: str, unsubscribe: str) -> str:
    """The body as escaped paragraphs: the message is text, never markup."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    html = [f"<p>{_linked(p, head.booking_url)}</p>" for p in paragraphs]
    if booking:
        html.append(f'<p><a href="{escape(booking)}">Book online</a></p>')
    footer = "<br>".join(escape(line) for line in _footer(head))
    link = f'<a href="{escape(unsubscribe)}">Unsubscribe</a>'
    html.append(f'<p style="color:#666;font-size:12px">{footer}<br>{link}</p>')
    return "<!doctype html>\n<html><body>\n" + "\n".join(html) + "\n</body></html>\n"


def _linked(paragraph: str, booking_url: str) -> str:
    text = escape(paragraph.strip()).replace("\n", "<br>")
    if booking_url:
        url = escape(booking_url)
        text = text.replace(url, f'<a href="{url}">{url}</a>')
    return text


class SmtpSender:
    """Email over SMTP with STARTTLS, implicit TLS, or (for a loopback relay) plain."""

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ConfigurationError("CROSSSELL_SMTP_HOST is not set")
        _require_footer(settings)
        self.settings = settings
        self.head = Letterhead.of(settings)
        self.links = UnsubscribeLinks.of(settings)

    def send(self, message: Message) -> Receipt:
        s = self.settings
        email = _email(message, self.head, self.links)
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


def _require_footer(settings: Settings) -> None:
    """What an email to a patient cannot go without, whichever way it leaves."""
    if not settings.practice_address.strip():
        raise ConfigurationError(
            "CROSSSELL_PRACTICE_ADDRESS is not set: a marketing email must carry the practice's "
            "postal address (CAN-SPAM)"
        )
    if not settings.public_url.startswith("https://"):
        raise ConfigurationError(
            "CROSSSELL_PUBLIC_URL must be the API's https:// address as patients reach it: "
            "every email's unsubscribe link points there"
        )


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


POSTMARK_PATH = "/email"
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
"""A mail API's answers worth another try: too many requests, or the provider's own trouble."""


class MailApiSender:
    """Email through a Postmark-style HTTP API (`POST {CROSSSELL_MAIL_API_URL}/email`), the same
    message `compose()` builds for SMTP. A 4xx is the provider's refusal (an inactive recipient,
    a sender it has not verified): the message fails at once, since trying again cannot help. A
    5xx, a 429 or a timeout is tried again, `CROSSSELL_MAIL_API_ATTEMPTS` times in all, then the
    try fails and the outbox retries it later. The token is sent as a header and never logged or
    repeated in an error."""

    def __init__(self, settings: Settings) -> None:
        if settings.mail_api_token is None or not settings.mail_api_token.get_secret_value():
            raise ConfigurationError("CROSSSELL_MAIL_API_TOKEN is not set: email goes through the mail API")
        _require_footer(settings)
        self.settings = settings
        self.head = Letterhead.of(settings)
        self.links = UnsubscribeLinks.of(settings)
        self.url = settings.mail_api_url.rstrip("/") + POSTMARK_PATH

    def payload(self, message: Message) -> dict[str, Any]:
        """The API's JSON for a message: the headers and both parts the SMTP email carries."""
        composed = compose(message, self.head, self.links.link(message.id))
        body: dict[str, Any] = {
            "From": composed.sender,
            "To": composed.to,
            "Subject": composed.subject,
            "TextBody": composed.text,
            "HtmlBody": composed.html,
            "Headers": [{"Name": n, "Value": v} for n, v in _headers(message, composed, self.head)],
            "MessageStream": self.settings.mail_api_stream,
            "TrackOpens": False,
            "TrackLinks": "None",
        }
        if composed.reply_to:
            body["ReplyTo"] = composed.reply_to
        return body

    def send(self, message: Message) -> Receipt:
        s = self.settings
        assert s.mail_api_token is not None  # checked when the sender was made
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "X-Postmark-Server-Token": s.mail_api_token.get_secret_value(),
        }
        payload, said = self.payload(message), "no answer"
        with httpx.Client(timeout=s.mail_api_timeout) as client:
            for attempt in range(s.mail_api_attempts):
                if attempt:
                    time.sleep(s.mail_api_backoff_seconds * 2 ** (attempt - 1))
                try:
                    answer = client.post(self.url, json=payload, headers=headers)
                except httpx.HTTPError as exc:  # a timeout, a refused connection: try again
                    said = f"unreachable ({type(exc).__name__})"
                    continue
                if answer.status_code < 300:
                    return Receipt("postmark", str(_json(answer).get("MessageID") or message.id))
                said = _api_said(answer)
                if answer.status_code not in RETRIED_STATUSES:
                    raise SendError(
                        f"email {message.id} was not sent: the mail API refused it ({said})", permanent=True
                    )
        raise SendError(
            f"email {message.id} was not sent: the mail API said {said} after {s.mail_api_attempts} tries"
        )


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        found = answer.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _api_said(answer: httpx.Response) -> str:
    """The provider's status, error code and words, without the addresses it may echo."""
    found = _json(answer)
    code, words = found.get("ErrorCode"), str(found.get("Message") or answer.reason_phrase)[:300]
    status = answer.status_code
    said = f"{status} error {code}: {words}" if code is not None else f"{status} {words}"
    return ADDRESS.sub("<address>", said)


class EmailOutbox:
    """Writes each email as an .eml file, for a practice without SMTP settings yet."""

    def __init__(self, settings: Settings) -> None:
        self.folder = settings.outbox_dir / "email"
        self.head = Letterhead.of(settings)
        self.links = UnsubscribeLinks.of(settings)

    def send(self, message: Message) -> Receipt:
        email = _email(message, self.head, self.links)
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
                    compose_sms(message).text,
                    message.id,
                )
            )
        return Receipt("outbox", f"{self.path}")

    def _holds(self, message_id: str) -> bool:
        with open(self.path, newline="", encoding="utf-8") as handle:
            return any(row.get("message_id") == cell(message_id) for row in csv.DictReader(handle))


GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 03.38 basic character set: one septet each."""
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
"""Characters GSM-7 sends behind an escape: two septets each."""


@dataclass(frozen=True, slots=True)
class SmsLength:
    """How the network counts an SMS: its encoding, its length in that encoding's units
    (septets for GSM-7, UTF-16 units for UCS-2), and the segments it is billed and sent as."""

    encoding: str
    units: int
    segments: int

    def __str__(self) -> str:
        parts = "1 segment" if self.segments == 1 else f"{self.segments} segments"
        return f"{self.units} characters in {self.encoding}, {parts}"


def segments(text: str) -> SmsLength:
    """An SMS's length in segments: GSM-7 fits 160 septets in one, 153 in each of several
    (the rest carries the header joining them); any other character makes it UCS-2, 70 units
    in one, 67 in each of several. A character never splits across two segments."""
    if all(c in GSM7 or c in GSM7_EXTENDED for c in text):
        units = [2 if c in GSM7_EXTENDED else 1 for c in text]
        encoding, single, multi = "GSM-7", 160, 153
    else:
        units = [len(c.encode("utf-16-le")) // 2 for c in text]
        encoding, single, multi = "UCS-2", 70, 67
    total = sum(units)
    if total <= single:
        return SmsLength(encoding, total, 1 if total else 0)
    count, room = 1, multi
    for unit in units:
        if unit > room:
            count, room = count + 1, multi
        room -= unit
    return SmsLength(encoding, total, count)


TWILIO_API = "https://api.twilio.com"
TWILIO_OPTED_OUT = "21610"
"""Twilio's "attempt to send to unsubscribed recipient": the carrier holds the patient's STOP."""
STATUS_PATH = "/v1/webhooks/twilio/status"
INBOUND_PATH = "/v1/webhooks/twilio/sms"
PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
"""Anything that reads as a phone number: a Twilio error may echo the patient's."""


class _BasedHttpClient(TwilioHttpClient):
    """The library's HTTP client with Twilio's API address swapped for the configured one
    (a regional proxy, or the loopback fake the tests run)."""

    def __init__(self, base: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base = base.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if url.startswith(TWILIO_API):
            url = self.base + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class TwilioSender:
    """SMS through Twilio's Messaging API: from the Messaging Service when one is set (it picks
    the number and handles STOP), else from `CROSSSELL_TWILIO_FROM`. Twilio reports the carrier's
    progress to the status webhook."""

    def __init__(self, settings: Settings) -> None:
        for name in ("twilio_account_sid", "twilio_auth_token"):
            if not getattr(settings, name):
                raise ConfigurationError(f"CROSSSELL_{name.upper()} is not set: SMS goes through Twilio")
        if not (settings.twilio_messaging_service_sid or settings.twilio_from):
            raise ConfigurationError(
                "CROSSSELL_TWILIO_MESSAGING_SERVICE_SID or CROSSSELL_TWILIO_FROM must be set: "
                "the SMS needs a sender"
            )
        if not settings.public_url:
            raise ConfigurationError(
                "CROSSSELL_PUBLIC_URL is not set: Twilio reports delivery to the API's status webhook"
            )
        assert settings.twilio_auth_token is not None
        self.settings = settings
        self.client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            http_client=_BasedHttpClient(settings.twilio_api_base, settings.twilio_timeout),
        )

    def send(self, message: Message) -> Receipt:
        s = self.settings
        sender: dict[str, str] = (
            {"messaging_service_sid": s.twilio_messaging_service_sid}
            if s.twilio_messaging_service_sid
            else {"from_": s.twilio_from or ""}
        )
        try:
            sent = self.client.messages.create(
                to=message.to,
                body=compose_sms(message).text,
                status_callback=s.public_url.rstrip("/") + STATUS_PATH,
                **sender,
            )
        except TwilioRestException as exc:
            said = PHONE.sub("<number>", f"{exc.status} error {exc.code}: {exc.msg}")
            opted_out = str(exc.code) == TWILIO_OPTED_OUT
            said = f"sms {message.id} was not sent: Twilio said {said}"
            raise SendError(said, opted_out=opted_out) from None
        except (TwilioException, OSError) as exc:
            said = PHONE.sub("<number>", f"{type(exc).__name__}: {exc}")
            raise SendError(f"sms {message.id} was not sent: Twilio unreachable ({said})") from None
        return Receipt("twilio", str(sent.sid))


def twilio_signed(settings: Settings, path: str, params: dict[str, str], signature: str) -> bool:
    """Whether Twilio signed this webhook call (X-Twilio-Signature): the URL it signed is the one
    pasted into its console, `CROSSSELL_PUBLIC_URL` + path, whatever a proxy made of the request."""
    if not (settings.twilio_auth_token and settings.public_url and signature):
        return False
    url = settings.public_url.rstrip("/") + path
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    return bool(validator.validate(url, params, signature))


def senders(settings: Settings) -> dict[str, Sender]:
    """The sender for each channel, as configured."""
    use_smtp = settings.email_sender == "smtp" or (
        settings.email_sender == "auto" and bool(settings.smtp_host)
    )
    email: Sender
    if settings.email_sender == "postmark":
        email = MailApiSender(settings)
    else:
        email = SmtpSender(settings) if use_smtp else EmailOutbox(settings)
    return {"email": email, "sms": _plugin(settings.sms_sender, settings)}


def _plugin(name: str, settings: Settings) -> Sender:
    if name == "outbox":
        return SmsOutbox(settings)
    if name == "twilio":
        return TwilioSender(settings)
    module, _, attribute = name.partition(":")
    try:
        factory = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError, ValueError):
        raise ConfigurationError(
            f"CROSSSELL_SMS_SENDER={name!r} names no importable `module:Class`"
        ) from None
    return factory(settings)
