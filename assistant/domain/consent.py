"""Consent as a ledger of facts: `opted_out` and `opted_in` events are never rewritten, and a
patient's standing on a channel is the latest fact about it.

`all` covers email and sms; on a tie in time the opt-out wins, so that a doubt never reaches a
patient. Marketing consent (the patient record's `marketing_consent`) is withdrawn by the
practice's records and given back only by an `opted_in` event. A patient's reply is read here
too: the carriers' keywords and plain-words refusals are data (knowledge/consent.json).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Literal

from assistant.domain.contract import CHANNELS, ContractError
from assistant.domain.records import Event, Patient

CONSENT_KINDS = frozenset({"opted_out", "opted_in"})
CONTACT_CHANNELS = tuple(sorted(CHANNELS))
MARKETING = "marketing"
"""The channel name a marketing-consent change is audited under."""


def opt_out_record(patient_id: str, channel: str, at: datetime, tag: str, source: str) -> dict:
    """An `opted_out` fact as the import contract takes it, for a refusal the practice heard
    itself (an unsubscribe click, the carrier's STOP): its id is new each time (`tag` says
    how it came), so the ledger only ever grows."""
    return {
        "type": "event",
        "kind": "opted_out",
        "id": f"{patient_id}-{tag}-{uuid.uuid4().hex[:12]}",
        "patient_id": patient_id,
        "at": at.astimezone(UTC).isoformat(),
        "channel": channel,
        "source": source,
    }


def covered(channel: str) -> tuple[str, ...]:
    """The contact channels a consent fact speaks for."""
    return CONTACT_CHANNELS if channel == "all" else (channel,)


def opted_out(facts: Iterable[Event], as_of: date | None = None) -> set[str]:
    """The channels these facts leave closed (on `as_of`, when given): per channel the latest
    `opted_out` or `opted_in` wins, and an opt-out wins a tie."""
    latest: dict[str, tuple[datetime, bool]] = {}
    for event in facts:
        if event.kind not in CONSENT_KINDS or (as_of is not None and event.at.date() > as_of):
            continue
        fact = (event.at, event.kind == "opted_out")
        for channel in covered(event.text("channel")):
            latest[channel] = max(latest.get(channel, fact), fact)
    return {channel for channel, (_, out) in latest.items() if out}


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """One channel's consent before and after a fact was recorded (True: the patient may be
    contacted that way), with where the fact came from."""

    patient_id: str
    channel: str  # email, sms or marketing
    before: bool
    after: bool
    at: datetime
    source: str
    event_id: str | None = None
    text: str | None = None

    def detail(self) -> dict:
        return {
            "channel": self.channel,
            "before": self.before,
            "after": self.after,
            "at": self.at.isoformat(),
            "source": self.source,
            "event_id": self.event_id,
            "text": self.text,
        }


class Ledger:
    """The consent an import finds stored, and what each of its lines changes about it."""

    def __init__(self, facts: Iterable[Event], marketing: dict[str, bool]) -> None:
        self.stored = {event.id: event for event in facts}
        self.marketing = dict(marketing)
        self._facts: dict[str, list[Event]] = {}
        for event in self.stored.values():
            self._facts.setdefault(event.patient_id, []).append(event)
        self._recorded = set(self.stored)

    def patient(self, patient: Patient, at: datetime, source: str) -> ConsentChange | None:
        """A patient line's marketing consent: a withdrawal is a change; turning it back on is
        refused (that takes an `opted_in` event); a new patient's is taken as given."""
        before = self.marketing.get(patient.id)
        after = patient.marketing_consent
        if before is False and after:
            raise ContractError(
                "consent record",
                f"patient {patient.id!r}: marketing consent was withdrawn; "
                "it comes back only through an `opted_in` event",
            )
        self.marketing[patient.id] = after
        if before is None or before == after:
            return None
        return ConsentChange(patient.id, MARKETING, before, after, at, source)

    def record(self, event: Event) -> list[ConsentChange]:
        """A new consent fact: its channels before and after it, and the marketing consent an
        `opted_in` gives back. A fact already recorded changes nothing."""
        if event.id in self._recorded:
            return []
        self._recorded.add(event.id)
        facts = self._facts.setdefault(event.patient_id, [])
        closed_before = opted_out(facts)
        facts.append(event)
        closed_after = opted_out(facts)
        change = partial(
            ConsentChange,
            event.patient_id,
            at=event.at,
            source=event.text("source") or "import",
            event_id=event.id,
            text=event.text("text") or None,
        )
        changes = [
            change(channel, channel not in closed_before, channel not in closed_after)
            for channel in covered(event.text("channel"))
        ]
        if event.kind == "opted_in" and self.marketing.get(event.patient_id) is False:
            self.marketing[event.patient_id] = True
            changes.append(change(MARKETING, False, True))
        return changes


# Reading a patient's reply -------------------------------------------------------------------

ReplyKind = Literal["opted_out", "opted_in", "help", "declined", "feedback"]


@dataclass(frozen=True, slots=True)
class Reading:
    """What a reply means: a consent fact on `channel`, a request for help, or feedback."""

    kind: ReplyKind
    channel: str | None = None


class Replies:
    """Reads replies the way the carriers do: a keyword is the whole reply (STOP, START, HELP);
    a refusal in plain words ("please stop texting me") opts out of every channel, while text
    that merely contains a keyword ("I can't stop smiling") stays feedback."""

    def __init__(
        self,
        opt_out: Iterable[str],
        opt_out_all: Iterable[str],
        opt_in: Iterable[str],
        help_words: Iterable[str],
        refusals: Iterable[str],
        declines: Iterable[str] = (),
    ) -> None:
        meanings: tuple[tuple[Iterable[str], ReplyKind, bool], ...] = (
            (opt_out, "opted_out", False),
            (opt_out_all, "opted_out", True),
            (opt_in, "opted_in", False),
            (help_words, "help", False),
        )
        self._keywords = {
            _normal(word): (kind, everywhere) for words, kind, everywhere in meanings for word in words
        }
        patterns = [f"(?:{p})" for p in refusals]
        self._refusal = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None
        no = [f"(?:{p})" for p in declines]
        self._decline = re.compile("|".join(no), re.IGNORECASE) if no else None

    def read(self, text: str, channel: str) -> Reading:
        """The reply's own words only: a quoted message below them (our own footer, "Reply
        STOP to opt out") is not the patient speaking."""
        text = _own_words(text)
        said = _normal(text)
        keyword = self._keywords.get(said)
        if keyword is not None:
            kind, everywhere = keyword
            if kind == "help":
                return Reading("help")
            return Reading(kind, "all" if everywhere else channel)
        if self._refusal is not None and self._refusal.search(said):
            return Reading("opted_out", "all")
        first_line = self._opt_out_first_line(text)
        if first_line is not None:
            return Reading("opted_out", "all" if first_line[1] else channel)
        if self._decline is not None and self._decline.search(said):
            return Reading("declined")
        return Reading("feedback")

    def _opt_out_first_line(self, text: str) -> tuple[ReplyKind, bool] | None:
        """An opt-out keyword alone on the first line, above a signature or the quoted
        message an email reply carries. (Only an opt-out: consent never comes back by a
        guess.)"""
        lines = [line for line in _INVISIBLE.sub("", text).splitlines() if line.strip()]
        if len(lines) < 2 or not all(_QUOTED.match(line) for line in lines[1:]):
            return None
        keyword = self._keywords.get(_normal(lines[0]))
        return keyword if keyword is not None and keyword[0] == "opted_out" else None


def _own_words(text: str) -> str:
    """A reply above the message it quotes ("On ... wrote:", "> ...", "-----Original
    Message-----")."""
    kept: list[str] = []
    for line in text.splitlines():
        if _QUOTE_START.match(line):
            break
        kept.append(line)
    return "\n".join(kept)


_QUOTE_START = re.compile(r"\s*(?:>|on .+ wrote:\s*$|-+ ?original message ?-+)", re.IGNORECASE)
_QUOTED = re.compile(r"\s*(?:>|on .+ wrote:|sent from |--\s*$)", re.IGNORECASE)
"""What follows a reply's own words: the quoted message, its header, a signature line. (Any
other line after "Cancel" may be about an appointment: "Cancel / my Tuesday visit".)"""
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
"""Zero-width and formatting characters, which make "ST\u200bOP" look like STOP."""


def _normal(text: str) -> str:
    """Compatibility forms folded (full-width letters), invisible characters dropped, lower
    case, one space between words, curly apostrophes straight, no closing punctuation."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    text = text.lower().replace("\u2019", "'").replace("-", " ")
    return " ".join(text.split()).strip(" .!")
